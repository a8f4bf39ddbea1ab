"""The public application page: codes to the new phone, uniform answers, routing, bad input, double submits."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from audit.models import AuditEvent
from documents.constants import DocumentStatus
from documents.models import Document
from documents.tests import corpus
from identity.tests.factories import AccountantFactory, last_sms_code
from notifications import backends
from phone_change.constants import Outcome, PhotoSlot, Routing
from phone_change.models import PhoneChangePayload
from phone_change.services import name_key
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent

from .factories import ID_NUMBER, NAME, NEW_PHONE, OLD_PHONE, apply_data, photo, photos, submit

pytestmark = pytest.mark.django_db

APPLY = reverse("phone_change:apply")
SEND = reverse("phone_change:apply_send_code")
SUBMITTED = reverse("phone_change:submitted")
CONFIRMATION = "申请已提交，请于5个工作日后凭证件号码和新手机号查询进度"


def changes():
    return Application.objects.filter(kind="phone_change")


def stored_photos():
    return Document.objects.filter(slot__startswith="phone_change:")


def ask_for_code(client, **overrides):
    cache.clear()  # the 60-second cooldown between codes to one phone
    return client.post(SEND, apply_data(**overrides))


def apply(client, *, files=None, send=True, **overrides):
    """Ask for a code (unless send=False), then submit the whole form with it."""
    if send:
        ask_for_code(client, **overrides)
        overrides.setdefault("sms_code", last_sms_code(overrides.get("phone", NEW_PHONE)))
    return client.post(APPLY, {**apply_data(**overrides), **(files if files is not None else photos())})


def error_next_to(response, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- the page and the code


def test_the_page_is_public_and_linked_from_the_home_page_and_the_sign_in_page(client, units):
    response = client.get(APPLY)
    assert response.status_code == 200
    assertContains(response, "手机号更换申请")
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(client.get(reverse("core:home")), f'href="{APPLY}"')
    assertContains(client.get(reverse("identity:login")), f'href="{APPLY}"')


def test_every_required_field_is_starred_and_the_unit_carries_no_choose_with_care_warning(client, units):
    page = client.get(APPLY).content.decode()
    star = '<span class="text-danger" aria-hidden="true">*</span>'
    labels = re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", page, flags=re.S)
    starred = {label.replace(star, "").strip() for label in labels if star in label}
    for label in ["证件类型", "证件号码", "姓名", "新手机号", "短信验证码", "更换原因", "所在地行政区划"]:
        assert any(label in text for text in starred), label
    assert sum(1 for text in labels if star in text) >= 10  # … and the three photos
    assert "谨慎选择" not in page
    assert "申请将交由管理您信息的单位审核；否则交由此处选择的单位审核" in page


def test_the_code_goes_to_the_new_phone_and_the_answer_is_the_same_whoever_asks(client, person):
    registered = ask_for_code(client)
    assert backends.outbox[-1][0] == NEW_PHONE
    unregistered = ask_for_code(client, id_number="360426199101010071")
    assert backends.outbox[-1][0] == NEW_PHONE
    assert registered.status_code == unregistered.status_code == 200
    for response in (registered, unregistered):
        assertContains(response, "验证码已发送至139****2222，5分钟内有效")
    assert [to for to, _text in backends.outbox] == [NEW_PHONE, NEW_PHONE]


def test_the_get_code_button_swaps_only_the_identity_part_with_htmx(client, person):
    response = client.post(SEND, apply_data(), HTTP_HX_REQUEST="true")
    assertTemplateUsed(response, "phone_change/_identity_block.html")
    assertNotContains(response, "<html")
    assertContains(response, 'data-testid="code-sent"')
    assertContains(response, 'data-countdown="60"')
    assertNotContains(response, 'name="reason"')


def test_without_javascript_the_get_code_button_shows_the_whole_form_again_and_keeps_what_was_typed(client, person):
    response = client.post(SEND, {**apply_data(reason="旧号码已注销"), **photos()})
    assertContains(response, 'data-testid="code-sent"')
    assertContains(response, "旧号码已注销")
    assertContains(response, 'value="420202" selected')
    assertContains(response, 'data-testid="choose-again"')
    assert response["Cache-Control"] == "no-store"


def test_asking_for_a_code_needs_the_image_code_every_time(client, person):
    response = client.post(SEND, apply_data(captcha_1="WRONG"))
    assert backends.outbox == []
    assert "图形验证码" in error_next_to(response, "captcha") or "验证码" in error_next_to(response, "captcha")


def test_a_second_code_within_sixty_seconds_is_refused_with_the_seconds_to_wait(client, person):
    ask_for_code(client)
    response = client.post(SEND, apply_data())
    assert response.status_code == 429
    assert "秒后" in error_next_to(response, "sms_code")
    assert len(backends.outbox) == 1


def test_the_identity_limiter_caps_codes_per_network(client, person, settings):
    settings.SMS_IP_HOURLY_LIMIT = 2
    client.post(SEND, apply_data(phone="13911110001"))
    client.post(SEND, apply_data(phone="13911110002"))
    response = client.post(SEND, apply_data(phone="13911110003"))
    assert response.status_code == 429
    assert len(backends.outbox) == 2


def test_code_checks_are_rate_limited_per_network(client, person, settings):
    settings.SMS_CHECK_IP_HOURLY_LIMIT = 1
    apply(client, sms_code="000000")
    response = apply(client, send=False, sms_code="000000")
    assert response.status_code == 429
    assert not changes().exists()


# --------------------------------------------------------------------------- a registered person applies


def test_a_collected_person_applies_and_it_goes_to_the_unit_of_their_record(client, person):
    #    December 2026         applied Wednesday the 9th; due 5 working days later: Thu 10, Fri 11,
    # Mo Tu We Th Fr Sa Su     Mon 14, Tue 15, Wed 16 (no holiday in between)
    #  7  8  9 10 11 12 13
    # 14 15 16 17 18 19 20
    with time_machine.travel("2026-12-09 10:00 +0800"):
        response = apply(client)
    assert response.status_code == 302
    assert response["Location"] == SUBMITTED
    assertContains(client.get(SUBMITTED), CONFIRMATION)

    application = Application.objects.get(kind="phone_change")
    assert application.applicant == person
    assert application.status == Status.PENDING
    assert application.unit.code == "420102"  # the record's unit, not the 黄石港区 chosen on the form
    assert application.due_date == datetime.date(2026, 12, 16)
    payload = PhoneChangePayload.objects.get(application=application)
    assert (payload.full_name, payload.id_number, payload.old_phone, payload.new_phone) == (
        NAME,
        ID_NUMBER,
        OLD_PHONE,
        NEW_PHONE,
    )
    assert payload.reason == "原手机丢失"
    assert payload.routing == Routing.RECORD
    assert payload.chosen_unit.code == "420202"
    person.refresh_from_db()
    assert person.phone == OLD_PHONE  # nothing changes before approval


def test_the_three_photos_belong_to_the_person_and_to_the_application(client, person):
    apply(client)
    application = Application.objects.get(kind="phone_change")
    documents = Document.objects.filter(application_id=application.pk).order_by("slot")
    assert sorted(d.slot for d in documents) == sorted(PhotoSlot.values)
    assert {d.owner_id for d in documents} == {person.pk}
    assert {d.status for d in documents} == {DocumentStatus.ATTACHED}
    assert stored_photos().count() == 3


def test_a_registered_person_without_an_approved_record_goes_to_the_chosen_unit(client, registered):
    apply(client)
    application = Application.objects.get(kind="phone_change")
    assert application.unit.code == "420202"
    assert application.phone_change.routing == Routing.CHOSEN


def test_the_submission_is_audited_with_masked_values_only(client, person):
    apply(client)
    event = AuditEvent.objects.get(action="phone_change.submitted")
    text = str(event.detail)
    assert ID_NUMBER not in text and NEW_PHONE not in text and OLD_PHONE not in text
    assert event.detail["new_phone"] == "139****2222"
    assert event.detail["routing"] == "record"


# --------------------------------------------------------------------------- uniform answers


@pytest.mark.parametrize(
    ("id_number", "full_name", "why"),
    [
        ("360426199101010071", NAME, "not_registered"),
        (ID_NUMBER, "李四", "name_mismatch"),
    ],
)
def test_an_unregistered_id_or_another_name_gets_the_same_answer_and_nothing_is_kept(
    client, person, id_number, full_name, why
):
    matched = apply(client)
    client.cookies.clear()
    other = apply(client, id_number=id_number, full_name=full_name, phone="13722223333")

    assert matched.status_code == other.status_code == 302
    assert matched["Location"] == other["Location"] == SUBMITTED
    assert changes().count() == 1
    assert stored_photos().count() == 3  # the matched person's photos only
    event = AuditEvent.objects.filter(action="phone_change.not_routed").get()
    assert event.detail["reason"] == why
    assert "360426199101010071" not in str(event.detail)


def test_an_inactive_account_is_not_routed_either(client, person):
    person.is_active = False
    person.save(update_fields=["is_active"])
    response = apply(client)
    assert response["Location"] == SUBMITTED
    assert not changes().exists()
    assert not stored_photos().exists()


def test_the_name_is_compared_without_spaces_width_or_case():
    assert name_key("张 三") == name_key("张三")
    assert name_key("ＪＯＨＮ smith") == name_key("john  SMITH")
    assert name_key("阿依古丽•买买提") == name_key("阿依古丽·买买提")
    assert name_key("张三") != name_key("张四")


def test_every_answer_takes_at_least_the_configured_time(person, settings, monkeypatch):
    settings.PHONE_CHANGE_ANSWER_SECONDS = 30
    slept = []
    monkeypatch.setattr("phone_change.services.time.sleep", slept.append)
    assert submit() == Outcome.SUBMITTED
    assert submit(id_number="360426199101010071", new_phone="13722223333") == Outcome.NOT_ROUTED
    assert len(slept) == 2
    assert all(25 < seconds <= 30 for seconds in slept)


# --------------------------------------------------------------------------- bad input


def test_a_bad_id_number_is_shown_next_to_the_field_and_everything_typed_is_kept(client, person):
    response = apply(client, send=False, id_number="360426199101010072", sms_code="123456", reason="手机被盗")
    assert response.status_code == 200
    assert "校验位" in error_next_to(response, "id_number")
    assertContains(response, 'value="360426199101010072"')
    assertContains(response, f'value="{NAME}"')
    assertContains(response, f'value="{NEW_PHONE}"')
    assertContains(response, "手机被盗")
    assertContains(response, 'value="420202" selected')
    assertContains(response, "请重新选择这三张照片")
    assert not changes().exists()


def test_the_sms_code_is_required(client, person):
    response = apply(client, send=False)
    assert error_next_to(response, "sms_code")
    assert not changes().exists()


def test_a_wrong_sms_code_is_refused_and_nothing_is_stored(client, person):
    response = apply(client, sms_code="000000")
    assert "验证码错误" in error_next_to(response, "sms_code")
    assert not changes().exists()
    assert not stored_photos().exists()


def test_the_image_code_is_not_asked_again_to_submit_but_the_code_must_come_from_this_session(client, person):
    response = client.post(APPLY, {**apply_data(captcha_1="", sms_code="123456"), **photos()})
    assert error_next_to(response, "sms_code")
    assert not changes().exists()
    ask_for_code(client)
    response = client.post(APPLY, {**apply_data(captcha_1="", sms_code=last_sms_code(NEW_PHONE)), **photos()})
    assert response.status_code == 302
    assert changes().count() == 1


def test_missing_photos_and_reason_are_shown_next_to_their_fields(client, person):
    response = apply(client, files={"photo_front": photo()}, reason="")
    assert error_next_to(response, "photo_back") == "请选择此照片。"
    assert error_next_to(response, "photo_in_hand") == "请选择此照片。"
    assert error_next_to(response, "reason")
    assert not changes().exists()


def test_a_pdf_or_a_fake_image_is_refused_next_to_its_photo_and_the_code_still_works(client, person):
    ask_for_code(client)
    code = last_sms_code(NEW_PHONE)
    bad = photos(
        photo_back=photo("scan.pdf", corpus.pdf(), "application/pdf"), photo_in_hand=photo("x.jpg", b"not an image")
    )
    response = client.post(APPLY, {**apply_data(sms_code=code), **bad})
    assert "JPG 或 PNG" in error_next_to(response, "photo_back")
    assert error_next_to(response, "photo_in_hand")
    assert not error_next_to(response, "photo_front")
    assert not changes().exists() and not stored_photos().exists()

    # The code was not used up by the refused files: choosing the photos again is enough.
    response = client.post(APPLY, {**apply_data(sms_code=code), **photos()})
    assert response["Location"] == SUBMITTED
    assert Application.objects.filter(kind="phone_change", status=Status.PENDING).count() == 1


def test_a_reason_that_is_too_long_is_refused(client, person):
    response = apply(client, reason="长" * 201)
    assert "200" in error_next_to(response, "reason")
    assert not changes().exists()


def test_posted_status_or_unit_fields_change_nothing(client, person):
    apply(client, status="approved", applicant="1", routing="chosen")
    application = Application.objects.get(kind="phone_change")
    assert application.status == Status.PENDING
    assert application.unit.code == "420102"


# --------------------------------------------------------------------------- double submits and resubmission


def test_submitting_the_same_page_twice_makes_one_application_and_both_answers_confirm(client, person):
    ask_for_code(client)
    data = {**apply_data(sms_code=last_sms_code(NEW_PHONE), submission="t" * 32)}
    first = client.post(APPLY, {**data, **photos()})
    second = client.post(APPLY, {**data, **photos()})
    assert first["Location"] == second["Location"] == SUBMITTED
    assert changes().count() == 1
    assert stored_photos().count() == 3


def test_a_new_submission_while_one_is_pending_changes_nothing(person):
    assert submit() == Outcome.SUBMITTED
    application = Application.objects.get(kind="phone_change")
    version = application.version
    assert submit(new_phone="13733334444", reason="另一个原因") == Outcome.ALREADY_PENDING
    application.refresh_from_db()
    assert application.version == version
    assert application.phone_change.new_phone == NEW_PHONE
    assert stored_photos().count() == 3
    assert AuditEvent.objects.filter(action="phone_change.already_pending").count() == 1


def test_a_returned_application_is_resubmitted_by_a_new_public_submission(person, jiangan):
    from reviews import services as reviews

    submit()
    application = Application.objects.get(kind="phone_change")
    old_documents = set(stored_photos().values_list("pk", flat=True))
    reviews.return_for_changes(
        application=application, actor=jiangan, expected_version=application.version, reason="手持照片不清晰"
    )

    assert submit(new_phone="13733334444", reason="原号码已注销") == Outcome.RESUBMITTED
    application.refresh_from_db()
    assert changes().count() == 1
    assert application.status == Status.PENDING
    payload = application.phone_change
    assert (payload.new_phone, payload.reason, payload.submissions) == ("13733334444", "原号码已注销", 2)
    assert ReviewEvent.objects.filter(application=application, event_type=EventType.RESUBMITTED).exists()
    # The new photos are attached; the replaced ones went back to temporary, to be purged.
    attached = Document.objects.filter(application_id=application.pk, status=DocumentStatus.ATTACHED)
    assert attached.count() == 3 and not set(attached.values_list("pk", flat=True)) & old_documents
    assert set(stored_photos().filter(status=DocumentStatus.TEMPORARY).values_list("pk", flat=True)) == old_documents


def test_an_approved_change_lets_the_person_apply_again_later(person, jiangan):
    from reviews import services as reviews

    submit()
    application = Application.objects.get(kind="phone_change")
    reviews.approve(application=application, actor=jiangan, expected_version=application.version)
    assert submit(new_phone="13733334444") == Outcome.SUBMITTED
    assert changes().count() == 2


def test_the_old_phone_of_the_record_is_what_the_reviewer_sees(person):
    AccountantFactory(phone=NEW_PHONE)  # somebody else uses the new number: allowed
    submit()
    payload = PhoneChangePayload.objects.get()
    assert payload.old_phone == OLD_PHONE
    assert payload.new_phone_holders == 1


@given(
    name=st.text(alphabet="张三李四王五阿依古丽买提欧阳JohnSmithxyz", min_size=1, max_size=12),
    cut=st.integers(min_value=0, max_value=12),
    dot=st.sampled_from(["·", "•", "・", ".", "．"]),
)
def test_spaces_case_width_and_dots_never_change_who_a_name_matches(name, cut, dot):
    assert name_key(name[:cut] + " \u3000 " + name[cut:]) == name_key(name)
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(name)
    assert name_key(name[:cut] + dot + name[cut:]) == name_key(name[:cut] + "·" + name[cut:])
    assert name_key(name) != name_key(name + "三")


def test_a_repeat_of_a_page_still_being_sent_waits_for_it_then_gives_up(monkeypatch):
    from phone_change import submissions

    monkeypatch.setattr(submissions, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(submissions, "POLL_SECONDS", 0.01)
    token = "w" * 32
    assert submissions.claim(token) == submissions.NEW
    assert submissions.claim(token) == submissions.STILL_BUSY
    submissions.finish(token, done=False)  # refused: the page may be sent again
    assert submissions.claim(token) == submissions.NEW
    submissions.finish(token, done=True)
    assert submissions.claim(token) == submissions.ALREADY_DONE
    assert submissions.claim("") == submissions.NEW


def test_without_a_working_cache_every_page_goes_ahead(monkeypatch):
    from phone_change import submissions

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(submissions.cache, "add", broken)
    assert submissions.claim("x" * 32) == submissions.NEW


def test_a_damaged_photo_is_found_after_the_code_which_must_then_be_asked_for_again(client, person):
    whole = corpus.jpeg((640, 480))
    broken = whole[: len(whole) // 2]  # a real JPEG header, the image data cut off
    response = apply(client, files=photos(photo_front=photo("front.jpg", broken)))
    assert "无法完整读取" in error_next_to(response, "photo_front")
    assert "重新获取" in error_next_to(response, "sms_code")
    assert not changes().exists() and not stored_photos().exists()


def test_no_image_is_decoded_before_the_code_is_right(client, person, monkeypatch):
    decoded = []
    monkeypatch.setattr("phone_change.services.inspect_proof", decoded.append)
    response = apply(client, sms_code="000000")
    assert "验证码错误" in error_next_to(response, "sms_code")
    assert decoded == []


def test_refusals_before_the_match_are_not_held_up(client, person, settings, monkeypatch):
    settings.PHONE_CHANGE_ANSWER_SECONDS = 30
    slept = []
    monkeypatch.setattr("phone_change.services.time.sleep", slept.append)
    apply(client, sms_code="000000")
    assert slept == []
