"""Add a row (增加一行) to 学历信息 without reloading the page (issue #8): the htmx row endpoints.

The endpoint answers with the new row only (appended by htmx) plus, out of band, the formset's
TOTAL_FORMS, the earlier rows' remove buttons and the add button; what was typed is kept in the
draft. The full-page post stays the fallback without script (test_wizard, test_change_views).
"""

import re

import pytest
from django.urls import reverse

from dossier.constants import Step
from dossier.forms import MAX_EDUCATION_ROWS
from dossier.models import ChangePayload, CollectionPayload
from identity.tests.factories import AccountantFactory

from .factories import change, collection
from .test_forms import BACHELOR, education_data

pytestmark = pytest.mark.django_db

ROW_URL = reverse("dossier:step_education_row")
CHANGE_ROW_URL = reverse("dossier:change_education_row")
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return response.content.decode()


def names(page):
    return set(re.findall(r'name="(edu-[^"]+)"', page))


def test_the_new_row_comes_alone_with_the_new_count_and_the_typing_is_kept(accountant, accountant_client):
    payload = collection(accountant, state="complete")
    half = education_data({**BACHELOR, "school": "半个学校名"})
    response = accountant_client.post(ROW_URL, half, **HTMX)
    assert response.status_code == 200
    page = text(response)
    # Only the second row's inputs (and the row count), not the first row again.
    assert {"edu-1-level", "edu-1-school", "edu-1-token"} <= names(page)
    assert not any(name.startswith("edu-0-") for name in names(page))
    assert page.count('data-testid="education-row"') == 1
    assert re.search(r'<input[^>]*name="edu-TOTAL_FORMS"[^>]*value="2"[^>]*hx-swap-oob="true"', page)
    assert 'id="education-remove-0" hx-swap-oob="true"' in page  # the first row can now be removed
    assert 'id="education-add" hx-swap-oob="true"' in page and 'data-testid="add-row"' in page
    payload.refresh_from_db()
    kept = payload.unsaved_input["education"]
    assert kept["edu-TOTAL_FORMS"] == ["2"] and kept["edu-0-school"] == ["半个学校名"]
    # Opening the step again shows both rows, the typing included.
    step_page = text(accountant_client.get(reverse("dossier:step", args=[str(Step.EDUCATION)])))
    assert step_page.count('data-testid="education-row"') == 2 and 'value="半个学校名"' in step_page


def test_at_the_maximum_nothing_is_added_and_the_button_goes(accountant, accountant_client):
    collection(accountant, state="complete")
    almost = education_data(*([BACHELOR] * (MAX_EDUCATION_ROWS - 1)))
    page = text(accountant_client.post(ROW_URL, almost, **HTMX))
    assert f'name="edu-{MAX_EDUCATION_ROWS - 1}-level"' in page
    assert 'id="education-add" hx-swap-oob="true"></div>' in page  # no add button any more
    full = education_data(*([BACHELOR] * MAX_EDUCATION_ROWS))
    assert accountant_client.post(ROW_URL, full, **HTMX).status_code == 204


def test_the_step_page_wires_the_button_to_htmx_and_keeps_the_full_page_fallback(accountant, accountant_client):
    collection(accountant, state="complete")
    page = text(accountant_client.get(reverse("dossier:step", args=[str(Step.EDUCATION)])))
    button = re.search(r"<button[^>]*data-testid=\"add-row\"[^>]*>", page).group(0)
    assert f'hx-post="{ROW_URL}"' in button and 'hx-target="#education-rows"' in button
    assert 'hx-swap="beforeend"' in button and 'type="submit"' in button and 'value="add_row"' in button
    assert 'id="education-rows"' in page
    # Without script the button posts the whole form: the page comes back with one more row.
    data = {**education_data(BACHELOR), "action": "add_row"}
    response = accountant_client.post(reverse("dossier:step", args=[str(Step.EDUCATION)]), data)
    assert text(response).count('data-testid="education-row"') == 2


def test_another_persons_draft_is_never_touched(client, accountant):
    theirs = collection(accountant, state="draft")
    client.force_login(AccountantFactory())
    assert client.post(ROW_URL, education_data(BACHELOR), **HTMX).status_code == 404
    assert client.post(CHANGE_ROW_URL, education_data(BACHELOR), **HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.unsaved_input == {}


def test_before_the_education_step_is_reached_it_is_not_found(accountant_client):
    accountant_client.post(reverse("dossier:collect"))
    assert CollectionPayload.objects.get().furthest_step == Step.PERSONAL
    assert accountant_client.post(ROW_URL, education_data(BACHELOR), **HTMX).status_code == 404


def test_refused_once_submitted_and_needs_a_signed_in_accountant_and_post(client, accountant):
    payload = collection(accountant, state="pending")
    assert client.post(ROW_URL, education_data(BACHELOR)).status_code in (302, 403, 404)
    client.force_login(accountant)
    assert client.get(ROW_URL).status_code == 405
    response = client.post(ROW_URL, education_data(BACHELOR), **HTMX)
    assert response.status_code == 409 and "等待审核" in text(response)
    payload.refresh_from_db()
    assert payload.unsaved_input == {}


def test_a_change_section_adds_a_row_in_place(client, units):
    payload = change(state="started")
    client.force_login(payload.application.applicant)
    page = text(client.get(reverse("dossier:change_section", args=["education"])))
    assert f'hx-post="{CHANGE_ROW_URL}"' in page
    response = client.post(CHANGE_ROW_URL, education_data(BACHELOR, {"level": "", "school": "x"}), **HTMX)
    assert response.status_code == 200
    assert 'name="edu-2-level"' in text(response) and 'name="edu-0-level"' not in text(response)
    payload = ChangePayload.objects.get(pk=payload.pk)
    assert payload.unsaved_input["education"]["edu-TOTAL_FORMS"] == ["3"]


def test_a_change_waiting_for_review_refuses(client, units):
    payload = change(state="pending")
    client.force_login(payload.application.applicant)
    assert client.post(CHANGE_ROW_URL, education_data(BACHELOR), **HTMX).status_code in (404, 409)
    assert ChangePayload.objects.get(pk=payload.pk).unsaved_input == {}
