"""Factories of 手机号更换 tests: people, the form's POST data, photos, applications in any state.

Applications are made through the real public submission (`services.submit_phone_change`, with an
SMS code really sent to the new number) and the real engine transitions, so envelopes, events,
documents and audit rows are what production would have written.
"""

from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from documents.tests import corpus
from dossier.tests.factories import collection
from identity.accountant_services import send_code
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, StaffFactory, last_sms_code, review_unit
from phone_change import services
from reviews import services as reviews
from reviews.models import Application

ID_NUMBER, NAME, OLD_PHONE, NEW_PHONE = "420102199001011236", "张三", "13800000000", "13911112222"


def collected_person(unit_code: str = "420102", **identity):
    """A registered accountant whose 信息采集 has been approved, managed by `unit_code`."""
    person = AccountantFactory.create(**identity)
    collection(person, state="approved", unit=review_unit(unit_code))
    person.refresh_from_db()
    return person


def staff_of(unit_code: str, *, role=StaffRole.REVIEWER, **kwargs):
    return StaffFactory(unit=review_unit(unit_code), role=role, **kwargs)


def photo(name: str = "photo.jpg", content: bytes | None = None, content_type: str = "image/jpeg"):
    """An uploaded photo (a real JPEG unless `content` says otherwise)."""
    return SimpleUploadedFile(name, content if content is not None else corpus.jpeg((320, 200)), content_type)


def photos(**overrides) -> dict:
    """The three photo fields of the form, each a fresh upload."""
    files = {
        "photo_front": photo("身份证人像面.jpg"),
        "photo_back": photo("身份证国徽面.jpg"),
        "photo_in_hand": photo("手持身份证.jpg"),
    }
    return {**files, **overrides}


def apply_data(**overrides) -> dict:
    """POST data of the application form for 张三 asking for NEW_PHONE (captcha answer of test mode)."""
    data = {
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "full_name": NAME,
        "phone": NEW_PHONE,
        "captcha_0": "test",
        "captcha_1": "PASSED",
        "sms_code": "",
        "reason": "原手机丢失",
        "unit_city": "420200",
        "unit": "420202",
    }
    return {**data, **overrides}


def status_data(**overrides) -> dict:
    data = {
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": NEW_PHONE,
        "captcha_0": "test",
        "captcha_1": "PASSED",
        "sms_code": "",
    }
    return {**data, **overrides}


def public_request():
    """An anonymous request with a session, as the public page has."""
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    request.session = SessionStore()
    request.user = mock.Mock(is_authenticated=False)
    return request


def submit(
    *,
    id_number: str = ID_NUMBER,
    full_name: str = NAME,
    new_phone: str = NEW_PHONE,
    reason: str = "原手机丢失",
    unit_code: str = "420202",
    files: dict | None = None,
    request=None,
):
    """A public submission through the service, with a real code sent to `new_phone`."""
    from django.core.cache import cache

    request = request or public_request()
    cache.clear()  # the 60-second cooldown between codes to one phone
    send_code(request=request, purpose="phone_change", id_type="resident_id", id_number=id_number, phone=new_phone)
    return services.submit_phone_change(
        request=request,
        id_type="resident_id",
        id_number=id_number,
        full_name=full_name,
        new_phone=new_phone,
        code=last_sms_code(new_phone),
        reason=reason,
        unit=review_unit(unit_code),
        photos=files or photos(),
    )


def phone_change(person, *, state: str = "pending", reviewer=None, reason: str = "照片不清晰", **fields):
    """The person's phone-change application brought to `state` (pending, returned, approved)."""
    submit(id_number=person.id_number, full_name=person.full_name, **fields)
    application = Application.objects.get(applicant=person, kind="phone_change", status="pending")
    if state == "pending":
        return application
    reviewer = reviewer or staff_of(application.unit.code)
    if state == "returned":
        return reviews.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason=reason
        )
    if state == "approved":
        return reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    raise ValueError(state)
