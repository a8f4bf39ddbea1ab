"""identity.otp_session: the staff member, their TOTP device and unit in one query, same outcomes."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.otp_session import OTPMiddleware
from identity.tests.factories import StaffFactory, sign_in_verified_staff

pytestmark = pytest.mark.django_db


def request_for(client):
    """A request carrying the client's session, through the auth and OTP middleware."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    request = RequestFactory().get("/")
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    seen = {}

    def view(req):
        seen["request"] = req
        return HttpResponse()

    SessionMiddleware(AuthenticationMiddleware(OTPMiddleware(view)))(request)
    return seen["request"]


def test_user_device_and_unit_come_in_one_query(client):
    staff = StaffFactory()
    request = request_for(sign_in_verified_staff(client, staff))
    device = TOTPDevice.objects.get(user=staff)
    with CaptureQueriesContext(connection) as queries:
        user = request.user
        assert user.pk == staff.pk and user.is_verified()
        assert user.otp_device.pk == device.pk
        assert user.unit.pk == staff.unit_id
    # the session row was read by SessionMiddleware's lazy session inside this block too
    assert [q["sql"] for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]] != []
    assert not any('FROM "identity_user"' in q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) == 2  # the session, then device + user + unit


def test_a_changed_password_still_signs_out(client):
    staff = StaffFactory()
    sign_in_verified_staff(client, staff)
    staff.set_password("Another-Password-2026")
    staff.save()
    user = request_for(client).user
    assert not user.is_authenticated


def test_a_deactivated_staff_member_is_anonymous(client):
    staff = StaffFactory()
    sign_in_verified_staff(client, staff)
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    assert not request_for(client).user.is_authenticated


def test_a_device_of_another_user_does_not_verify(client):
    staff, other = StaffFactory(), StaffFactory()
    sign_in_verified_staff(client, staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=other).persistent_id
    session.save()
    user = request_for(client).user
    assert user.is_authenticated and user.pk == staff.pk
    assert not user.is_verified()


def test_an_unconfirmed_device_does_not_verify(client):
    staff = StaffFactory()
    sign_in_verified_staff(client, staff)
    TOTPDevice.objects.filter(user=staff).update(confirmed=False)
    user = request_for(client).user
    assert user.is_authenticated and not user.is_verified()


def test_a_session_of_another_user_id_takes_the_usual_path(client):
    staff, other = StaffFactory(), StaffFactory()
    sign_in_verified_staff(client, staff)
    session = client.session
    session[SESSION_KEY] = str(other.pk)  # tampered: the hash is staff's, not other's
    session.save()
    assert not request_for(client).user.is_authenticated
