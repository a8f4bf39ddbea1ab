"""The public progress lookup: document + new number + SMS code to it → the application, or 未查询到申请."""

import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from audit.models import AuditEvent
from identity.tests.factories import AccountantFactory, last_sms_code
from notifications import backends
from phone_change.views import STATUS_SESSION_KEY

from .factories import ID_NUMBER, NEW_PHONE, phone_change, status_data

pytestmark = pytest.mark.django_db

STATUS = reverse("phone_change:status")
SEND = reverse("phone_change:status_send_code")
RESULT = reverse("phone_change:status_result")
NOT_FOUND = "未查询到申请"


def look_up(client, **overrides):
    """Ask for a code to the number, then look up with it; returns the final page."""
    cache.clear()  # the 60-second cooldown between codes to one phone
    client.post(SEND, status_data(**overrides))
    overrides.setdefault("sms_code", last_sms_code(overrides.get("phone", NEW_PHONE)))
    response = client.post(STATUS, status_data(**overrides))
    if response.status_code == 302:
        assert response["Location"] == RESULT
        return client.get(RESULT)
    return response


def error_next_to(response, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def test_the_lookup_page_is_public(client, units):
    response = client.get(STATUS)
    assert response.status_code == 200
    assertContains(response, "手机号更换申请进度查询")


def test_a_pending_application_shows_its_unit_and_due_date(client, person):
    application = phone_change(person)
    response = look_up(client)
    assertContains(response, 'data-testid="status-result"')
    assertContains(response, "待审核")
    assertContains(response, "江岸区")
    assertContains(response, application.due_date.strftime("%Y-%m-%d"))
    assert response["Cache-Control"] == "no-store"


def test_a_returned_application_shows_the_reason_and_the_way_to_apply_again(client, person):
    phone_change(person, state="returned", reason="手持身份证照片不清晰")
    response = look_up(client)
    assertContains(response, "已退回")
    assertContains(response, "手持身份证照片不清晰")
    assertContains(response, f'href="{reverse("phone_change:apply")}" data-testid="apply-again"')


def test_an_approved_application_says_to_sign_in_with_the_new_number(client, person):
    phone_change(person, state="approved")
    response = look_up(client)
    assertContains(response, 'data-testid="approved"')
    assertContains(response, f'href="{reverse("identity:login")}"')


@pytest.mark.parametrize(
    "case",
    ["unregistered", "registered_without_application", "another_number"],
)
def test_nothing_to_show_gives_the_same_answer_whoever_asks(client, person, case):
    phone_change(person)
    if case == "unregistered":
        response = look_up(client, id_number="360426199101010071")
    elif case == "registered_without_application":
        other = AccountantFactory(id_number="120103198806018241")
        response = look_up(client, id_number=other.id_number)
    else:
        response = look_up(client, phone="13733334444")
    assertContains(response, NOT_FOUND)
    assertNotContains(response, 'data-testid="status-result"')


def test_the_code_goes_to_the_number_typed_and_reads_the_same_for_registered_or_not(client, person):
    phone_change(person)
    cache.clear()
    backends.outbox.clear()
    registered = client.post(SEND, status_data())
    cache.clear()
    unregistered = client.post(SEND, status_data(id_number="360426199101010071"))
    assert [to for to, _text in backends.outbox] == [NEW_PHONE, NEW_PHONE]
    for response in (registered, unregistered):
        assertContains(response, "验证码已发送至139****2222，5分钟内有效")


def test_the_get_code_button_answers_an_htmx_fragment(client, person):
    response = client.post(SEND, status_data(), HTTP_HX_REQUEST="true")
    assertTemplateUsed(response, "phone_change/_status_form.html")
    assertNotContains(response, "<html")


def test_a_wrong_code_shows_nothing(client, person):
    phone_change(person)
    response = look_up(client, sms_code="000000")
    assert "验证码错误" in error_next_to(response, "sms_code")
    assert STATUS_SESSION_KEY not in client.session
    assert client.get(RESULT)["Location"] == STATUS


def test_the_image_code_is_needed_to_send_but_not_again_to_look_up(client, person):
    backends.outbox.clear()
    response = client.post(SEND, status_data(captcha_1=""))
    assert error_next_to(response, "captcha")
    assert backends.outbox == []
    # The lookup itself needs only the SMS code sent in this session (one image code per attempt).
    response = client.post(STATUS, status_data(captcha_1="", sms_code="123456"))
    assert not error_next_to(response, "captcha")
    assert error_next_to(response, "sms_code")


def test_a_bad_id_number_keeps_what_was_typed(client, units):
    response = client.post(STATUS, status_data(id_number="360426199101010072", sms_code="123456"))
    assert "校验位" in error_next_to(response, "id_number")
    assertContains(response, 'value="360426199101010072"')
    assertContains(response, f'value="{NEW_PHONE}"')


def test_the_result_is_shown_for_ten_minutes_then_the_lookup_is_asked_again(client, person):
    phone_change(person)
    look_up(client)
    session = client.session
    session[STATUS_SESSION_KEY] = {**session[STATUS_SESSION_KEY], "at": int(time.time()) - 601}
    session.save()
    response = client.get(RESULT)
    assert response.status_code == 302
    assert response["Location"] == STATUS


def test_the_result_page_has_a_fixed_number_of_queries(client, person, django_assert_num_queries):
    phone_change(person)
    look_up(client)
    with django_assert_num_queries(2):  # the session, the application with its unit
        response = client.get(RESULT)
    assertContains(response, "待审核")


def test_the_not_found_page_has_a_fixed_number_of_queries(client, units, django_assert_num_queries):
    look_up(client)
    with django_assert_num_queries(1):  # the session
        response = client.get(RESULT)
    assertContains(response, NOT_FOUND)


def test_lookups_are_audited_with_masked_values(client, person):
    application = phone_change(person)
    look_up(client)
    event = AuditEvent.objects.get(action="phone_change.status_checked")
    assert event.object_id == str(application.pk)
    assert event.detail == {"id_number": "420***********1236", "new_phone": "139****2222", "found": True}
    assert ID_NUMBER not in str(event.detail)


def test_code_checks_on_the_lookup_are_rate_limited(client, person, settings):
    settings.SMS_CHECK_IP_HOURLY_LIMIT = 1
    look_up(client, sms_code="000000")
    response = client.post(STATUS, status_data(sms_code="000000"))
    assert response.status_code == 429
    assert "尝试次数过多" in error_next_to(response, "sms_code")
