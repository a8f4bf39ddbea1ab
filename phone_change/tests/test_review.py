"""The reviewer's side: the page, scope, approval (new number, sessions, SMS to both phones), return."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from identity.accountant_services import AccountantError, send_code, sign_in_accountant
from identity.tests.factories import AccountantFactory, last_sms_code
from notifications import backends
from notifications.models import Notification
from phone_change.constants import PhotoSlot
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent

from .factories import ID_NUMBER, NAME, NEW_PHONE, OLD_PHONE, phone_change, public_request, staff_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(person):
    return phone_change(person)


@pytest.fixture
def jiangan_client(client, login_staff, jiangan):
    return login_staff(client, jiangan)


def approve(client, application):
    return client.post(reverse("reviews:approve", args=[application.pk]), {"version": application.version})


def return_(client, application, reason="手持身份证照片不清晰"):
    return client.post(
        reverse("reviews:return", args=[application.pk]), {"version": application.version, "detail": reason}
    )


# --------------------------------------------------------------------------- the reviewer's page


def test_the_county_reviewer_sees_the_request_with_the_old_phone_masked_and_the_three_photos(
    jiangan_client, application
):
    response = jiangan_client.get(reverse("reviews:detail", args=[application.pk]))
    assert response.status_code == 200
    assertContains(response, "手机号更换")
    assertContains(response, '<span class="masked" data-testid="id-number-masked">420***********1236</span>', html=True)
    assertContains(response, f'<span class="masked" data-testid="id-number-full">{ID_NUMBER}</span>', html=True)
    assertContains(response, NAME)
    assertContains(response, "138****0000")
    assertNotContains(response, OLD_PHONE)
    assertContains(response, NEW_PHONE)
    assertContains(response, "原手机丢失")
    payload = application.phone_change
    for document, label in (
        (payload.photo_front, "身份证人像面"),
        (payload.photo_back, "身份证国徽面"),
        (payload.photo_in_hand, "手持身份证照片"),
    ):
        assertContains(response, f'<img src="{reverse("documents:view", args=[document.pk])}"', count=1)
        assertContains(response, label)
        assert jiangan_client.get(reverse("documents:view", args=[document.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="reviews.view", object_id=str(application.pk)).exists()
    assert AuditEvent.objects.filter(action="document.view").count() == 3


def test_the_reviewer_page_has_a_fixed_number_of_queries(jiangan_client, application, django_assert_num_queries):
    url = reverse("reviews:detail", args=[application.pk])
    jiangan_client.get(url)
    # session, user + device + unit (one query, identity.otp_session), application, audit row, payload
    # (engine) and with photos (proofs), events, other holders of the number, chosen unit, return
    # reasons, session save (3); the scope units are cached.
    with django_assert_num_queries(10):
        jiangan_client.get(url)


def test_the_reviewer_is_told_when_others_use_the_new_number_or_it_is_the_old_one(jiangan_client, person):
    AccountantFactory(phone=OLD_PHONE)
    application = phone_change(person, new_phone=OLD_PHONE)
    response = jiangan_client.get(reverse("reviews:detail", args=[application.pk]))
    assertContains(response, 'data-testid="same-as-old"')
    assertContains(response, "另有1名会计人员登记了该手机号")


def test_a_reviewer_of_another_county_gets_404_for_the_application_and_its_photos(
    client, login_staff, jianghan, application
):
    login_staff(client, jianghan)
    assert client.get(reverse("reviews:detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("documents:view", args=[application.phone_change.photo_front_id])).status_code == 404
    assert approve(client, application).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PENDING


def test_the_city_reviewer_follows_it_but_the_county_decides(client, login_staff, application):
    login_staff(client, staff_of("420100"))
    response = client.get(reverse("reviews:detail", args=[application.pk]))
    assertContains(response, 'data-testid="not-decider"')
    approve(client, application)
    application.refresh_from_db()
    assert application.status == Status.PENDING


def test_an_accountant_cannot_open_the_reviewer_page(client, person, application):
    client.force_login(person)
    assert client.get(reverse("reviews:detail", args=[application.pk])).status_code == 404


# --------------------------------------------------------------------------- approval


def test_approval_moves_the_account_to_the_new_number_and_tells_both_phones(
    jiangan_client, person, application, django_capture_on_commit_callbacks
):
    backends.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(jiangan_client, application)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == NEW_PHONE
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.phone_change.old_phone == OLD_PHONE
    assert sorted(backends.outbox) == sorted(
        [
            (NEW_PHONE, "【湖北省会计人员管理系统】您的手机号更换申请已审核通过，今后请使用本手机号登录。"),
            (
                OLD_PHONE,
                "【湖北省会计人员管理系统】您的账号绑定手机号已更换为139****2222。如非本人操作，请联系当地财政部门（江岸区）。",
            ),
        ]
    )
    assert Notification.objects.filter(phone=OLD_PHONE, status=Notification.Status.SENT).count() == 1
    applied = AuditEvent.objects.get(action="phone_change.applied")
    assert applied.actor.username == "jiangan"
    assert applied.detail["old_phone"] == "138****0000"
    assert OLD_PHONE not in str(applied.detail) and NEW_PHONE not in str(applied.detail)


def test_after_approval_the_old_phone_cannot_sign_in_and_the_new_one_can(person, application, jiangan):
    from reviews import services as reviews

    reviews.approve(application=application, actor=jiangan, expected_version=application.version)
    backends.outbox.clear()

    request = public_request()
    send_code(request=request, purpose="login", id_type="resident_id", id_number=ID_NUMBER, phone=OLD_PHONE)
    assert backends.outbox == []  # no code goes to a number that is no longer on record
    with pytest.raises(AccountantError):
        sign_in_accountant(request=request, id_type="resident_id", id_number=ID_NUMBER, phone=OLD_PHONE, code="000000")

    cache.clear()  # the 60-second cooldown since the phone-change code to the new number
    request = public_request()
    send_code(request=request, purpose="login", id_type="resident_id", id_number=ID_NUMBER, phone=NEW_PHONE)
    user = sign_in_accountant(
        request=request, id_type="resident_id", id_number=ID_NUMBER, phone=NEW_PHONE, code=last_sms_code(NEW_PHONE)
    )
    assert user == person


def test_every_session_of_the_person_ends_at_approval(client, person, application, jiangan):
    from reviews import services as reviews

    client.force_login(person)
    record = reverse("dossier:record")
    assert client.get(record).status_code == 200

    reviews.approve(application=application, actor=jiangan, expected_version=application.version)
    response = client.get(record)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_a_failing_approval_changes_nothing(jiangan_client, person, application, monkeypatch):
    def broken_queue(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr("phone_change.services.queue_notification", broken_queue)
    with pytest.raises(RuntimeError):
        approve(jiangan_client, application)
    person.refresh_from_db()
    application.refresh_from_db()
    assert person.phone == OLD_PHONE
    assert application.status == Status.PENDING
    assert not AuditEvent.objects.filter(action="phone_change.applied").exists()


# --------------------------------------------------------------------------- return and the whole cycle


def test_a_return_sends_no_sms_to_either_phone(jiangan_client, application, django_capture_on_commit_callbacks):
    backends.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = return_(jiangan_client, application)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.return_reason == "手持身份证照片不清晰"
    assert backends.outbox == []


def test_the_whole_cycle_returned_resubmitted_approved(person, jiangan):
    from reviews import services as reviews

    application = phone_change(person, state="returned", reviewer=jiangan)
    submit(new_phone="13733334444", reason="原号码已注销")
    application.refresh_from_db()
    assert application.status == Status.PENDING
    reviews.approve(application=application, actor=jiangan, expected_version=application.version)
    person.refresh_from_db()
    assert person.phone == "13733334444"
    events = list(ReviewEvent.objects.filter(application=application).values_list("event_type", flat=True))
    assert events == [
        EventType.CREATED,
        EventType.SUBMITTED,
        EventType.RETURNED,
        EventType.RESUBMITTED,
        EventType.APPROVED,
    ]
    assert Application.objects.filter(kind="phone_change").count() == 1


def test_the_kind_is_registered_as_the_brief_says():
    from reviews.registry import get_kind

    kind = get_kind("phone_change")
    assert str(kind.label) == "手机号更换"
    assert kind.exclusive is True
    assert kind.sla_working_days == 5
    assert kind.notify_texts.returned is None
    assert [str(label) for label in PhotoSlot.labels] == ["身份证人像面", "身份证国徽面", "手持身份证照片"]
