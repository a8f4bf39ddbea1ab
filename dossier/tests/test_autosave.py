"""Autosave of 信息采集 steps and 信息变更 sections (issue #8: nothing typed is ever lost).

The draft-save endpoints keep the raw input per section without the "required" checks; the
section shows it again; validation still happens on 下一步 / 保存.
"""

import pytest
from django.urls import reverse

from documents.constants import DocumentStatus
from dossier.constants import Step
from dossier.models import ChangePayload, CollectionPayload
from identity.tests.factories import AccountantFactory
from reviews.constants import Status

from .factories import change, collection, photo_for
from .test_forms import education_data

pytestmark = pytest.mark.django_db


def draft_url(step):
    return reverse("dossier:step_draft", args=[str(step)])


def step_url(step):
    return reverse("dossier:step", args=[str(step)])


def change_draft_url(step):
    return reverse("dossier:change_section_draft", args=[str(step)])


def started(client):
    client.post(reverse("dossier:collect"))
    return CollectionPayload.objects.get()


def text(response):
    return response.content.decode()


def test_partial_and_invalid_input_is_kept_and_shown_again_but_not_applied(accountant_client):
    payload = started(accountant_client)
    response = accountant_client.post(
        draft_url(Step.PERSONAL), {"address": "汉口路5号", "email": "not-an-email", "ethnicity": ""}
    )
    assert response.status_code == 204
    payload.refresh_from_db()
    assert payload.unsaved_input["personal"]["email"] == ["not-an-email"]
    payload.dossier.refresh_from_db()
    assert payload.dossier.email == "" and payload.dossier.address == ""  # validated data untouched
    assert payload.current_step == Step.PERSONAL
    page = text(accountant_client.get(step_url(Step.PERSONAL)))
    assert 'value="汉口路5号"' in page and 'value="not-an-email"' in page
    assert 'data-testid="kept-input"' in page
    # 下一步 still validates: the invalid e-mail is refused there.
    response = accountant_client.post(step_url(Step.PERSONAL), {"address": "汉口路5号", "email": "x", "action": "next"})
    assert response.status_code == 200
    assert "is-invalid" in text(response)


def test_a_kept_draft_blocks_submission_until_the_step_is_saved(accountant, accountant_client):
    payload = collection(accountant, state="complete")
    accountant_client.post(draft_url(Step.POST), {"employer_name": "半截"})
    response = accountant_client.post(reverse("dossier:submit"))
    assert response.status_code == 200
    assert "会计岗位信息" in text(response)
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_an_accepted_photo_is_kept_with_the_draft_and_attached_at_once(accountant, accountant_client):
    payload = started(accountant_client)
    photo = photo_for(accountant)
    assert photo.status == DocumentStatus.TEMPORARY
    response = accountant_client.post(draft_url(Step.PERSONAL), {"photo": str(photo.pk)})
    assert response.status_code == 204
    photo.refresh_from_db()
    assert photo.status == DocumentStatus.ATTACHED and photo.application_id == payload.application_id
    payload.dossier.refresh_from_db()
    assert payload.dossier.photo_id == photo.pk
    page = text(accountant_client.get(step_url(Step.PERSONAL)))
    assert reverse("documents:view", args=[photo.pk]) in page


def test_another_persons_photo_is_neither_attached_nor_shown(accountant_client):
    payload = started(accountant_client)
    foreign = photo_for(AccountantFactory())
    accountant_client.post(draft_url(Step.PERSONAL), {"photo": str(foreign.pk)})
    foreign.refresh_from_db()
    assert foreign.status == DocumentStatus.TEMPORARY and foreign.application_id is None
    page = text(accountant_client.get(step_url(Step.PERSONAL)))
    assert reverse("documents:view", args=[foreign.pk]) not in page
    assert payload.application_id


def test_education_rows_typed_halfway_are_kept(accountant, accountant_client):
    payload = collection(accountant, state="complete")
    half = education_data({"level": "大学本科", "school": "半个学校名"})
    assert accountant_client.post(draft_url(Step.EDUCATION), half).status_code == 204
    assert 'value="半个学校名"' in text(accountant_client.get(step_url(Step.EDUCATION)))
    payload.refresh_from_db()
    assert "education" in payload.unsaved_input


def test_without_an_open_collection_or_beyond_the_furthest_step_it_is_not_found(accountant_client):
    assert accountant_client.post(draft_url(Step.PERSONAL), {"address": "x"}).status_code == 404
    started(accountant_client)
    assert accountant_client.post(draft_url(Step.POST), {"employer_name": "x"}).status_code == 404
    assert accountant_client.post(draft_url(Step.PROOFS), {}).status_code == 404
    assert accountant_client.post(reverse("dossier:step_draft", args=["nonsense"]), {}).status_code == 404


def test_one_person_cannot_write_into_another_persons_draft(client, accountant):
    theirs = collection(accountant, state="draft")
    other = AccountantFactory()
    client.force_login(other)
    assert client.post(draft_url(Step.PERSONAL), {"address": "入侵"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.unsaved_input == {}


def test_autosave_is_refused_once_submitted(accountant, accountant_client):
    payload = collection(accountant, state="pending")
    response = accountant_client.post(draft_url(Step.PERSONAL), {"address": "晚了"})
    assert response.status_code == 409
    assert "等待审核" in text(response)
    payload.refresh_from_db()
    assert payload.unsaved_input == {}


def test_autosave_needs_a_signed_in_accountant_and_post(client, accountant):
    collection(accountant, state="draft")
    response = client.post(draft_url(Step.PERSONAL), {"address": "x"})
    assert response.status_code in (302, 403, 404)
    client.force_login(accountant)
    assert client.get(draft_url(Step.PERSONAL)).status_code == 405


def test_the_step_page_opts_in_to_autosave(accountant_client):
    started(accountant_client)
    page = text(accountant_client.get(step_url(Step.PERSONAL)))
    assert f'data-autosave="{draft_url(Step.PERSONAL)}"' in page
    assert "core/autosave" in page and "<script>" not in page


# --------------------------------------------------------------------------- 信息变更 sections


def test_a_change_section_keeps_what_is_typed_and_shows_it_again(client, units):
    payload = change(state="started")
    person = payload.application.applicant
    client.force_login(person)
    response = client.post(change_draft_url(Step.POST), {"employer_name": "新单位半截", "employer_uscc": "12"})
    assert response.status_code == 204
    page = text(client.get(reverse("dossier:change_section", args=["post"])))
    assert 'value="新单位半截"' in page and 'data-testid="kept-input"' in page
    payload = ChangePayload.objects.get(pk=payload.pk)
    payload.dossier.refresh_from_db()
    assert payload.dossier.employer_name != "新单位半截"
    assert f'data-autosave="{change_draft_url(Step.POST)}"' in page


def test_a_change_section_autosave_is_refused_for_others_and_after_submission(client, units):
    payload = change(state="pending")
    person = payload.application.applicant
    client.force_login(AccountantFactory())
    assert client.post(change_draft_url(Step.POST), {"employer_name": "x"}).status_code == 404
    client.force_login(person)
    response = client.post(change_draft_url(Step.POST), {"employer_name": "x"})
    assert response.status_code in (404, 409)
    assert client.post(change_draft_url(Step.PROOFS), {}).status_code == 404
    payload = ChangePayload.objects.get(pk=payload.pk)
    assert payload.unsaved_input == {}
