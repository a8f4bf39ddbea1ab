"""Staff credentials: one-time passwords, the first sign-in (new password + authenticator
enrolment), one's own password change and the recent sign-ins.

First sign-in, for an account created on the staff management pages or whose authenticator was
reset (`must_enrol_totp`, no confirmed device):

1. username + password on the first sign-in page (`begin_first_sign_in`): checked like any
   sign-in (django-axes counts failures, every refusal gives the same answer and is audited). The
   session then holds a *pending* sign-in: the user id, the account's session hash and a time —
   the person is NOT signed in yet;
2. a new password, if the password was a one-time password (`must_change_password`);
3. the QR code of a new TOTP device (made here, shown as a data: image), confirmed with a code
   from the app (`confirm_enrolment`); only then is the person signed in, with the device verified.

A one-time password set on an account that keeps its device is replaced after the ordinary sign-in
(identity.middleware.PasswordChangeRequiredMiddleware sends every page to the change form).
"""

import base64
import io
import secrets
import time
from typing import cast

from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import ngettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record_event

from .models import User

# Django 5.2's MinimumLengthValidator message changed its placeholder (%(min_length)d → %d) and its
# zh_Hans catalogue has not caught up: the translation lives in identity's catalogue instead.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)

PENDING_KEY = "identity_first_sign_in"
# The pending first sign-in dies after this many seconds (the person is in the middle of it).
PENDING_SECONDS = 15 * 60
RECENT_SIGN_INS = 20
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# No 0/O, 1/l/I: the password is read off a screen and typed in.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def generate_one_time_password() -> str:
    """A random password such as `Hk7m-pQ3r-Wt9z` that passes AUTH_PASSWORD_VALIDATORS."""
    while True:
        password = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        try:
            validate_password(password)
        except ValidationError:  # pragma: no cover - practically never
            continue
        return password


# --------------------------------------------------------------------------- first sign-in


def needs_enrolment(user: User) -> bool:
    return bool(
        user.is_staff_member
        and user.is_active
        and user.must_enrol_totp
        and not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    )


def begin_first_sign_in(*, request: HttpRequest, username: str, password: str) -> User:
    """Check username + password for a first sign-in and remember it in the session (not signed in).

    Raises staff_services.StaffSignInError (audited, counted by django-axes) for a wrong password,
    an account that is not staff, or one that already has an authenticator (it signs in on the
    ordinary page). The session key is rotated.
    """
    from .staff_services import StaffSignInError, _count_failure, _refuse

    user = authenticate(request, username=username, password=password)
    if user is None:
        target = User.objects.filter(username=username).only("pk").first() if username else None
        _refuse(request, username, StaffSignInError.BAD_CREDENTIALS, target)
    if not user.is_staff_member:
        _count_failure(request, username)
        _refuse(request, username, StaffSignInError.NOT_STAFF, user)
    if not needs_enrolment(user):
        _count_failure(request, username)
        _refuse(request, username, StaffSignInError.NOT_ENROLLING, user)
    request.session.cycle_key()
    _remember(request, user)
    with transaction.atomic():
        record_event(
            action="auth.staff_first_sign_in", request=request, actor=user, obj=user, detail={"username": user.username}
        )
    return user


def _remember(request: HttpRequest, user: User) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "at": int(time.time()),
    }


def pending_user(request: HttpRequest) -> User | None:
    """The person in the middle of a first sign-in in this session, if it is still valid."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if int(time.time()) - int(state.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    # A missing id (None) matches nobody.
    user = User.objects.filter(pk=cast(int, state.get("user"))).select_related("unit").first()
    if user is None or not secrets.compare_digest(str(state.get("hash", "")), user.get_session_auth_hash()):
        request.session.pop(PENDING_KEY, None)
        return None
    if not needs_enrolment(user):
        request.session.pop(PENDING_KEY, None)
        return None
    return user


def set_first_password(*, request: HttpRequest, user: User, password: str) -> None:
    """Replace the one-time password during a first sign-in (already validated by the form)."""
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        record_event(action="auth.staff_password_changed", request=request, actor=user, obj=user)
    _remember(request, user)


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first use, the same one on a reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URL (CSP img-src allows data:)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    """The device secret as authenticator apps take it when typed in (groups of 4)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def confirm_enrolment(*, request: HttpRequest, user: User, token: str) -> bool:
    """Confirm the new device with a code from the app and sign the person in; False if wrong.

    On success other unconfirmed devices are removed, `must_enrol_totp` is cleared, the session
    key rotates and the session is verified with the new device (two audit rows: enrolment and
    sign-in). A wrong code is audited and counted by django-axes like a failed sign-in.
    """
    from .staff_services import _count_failure

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None or not device.verify_token(token):
            ok = False
        else:
            ok = True
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
            User.objects.filter(pk=user.pk).update(must_enrol_totp=False)
            user.must_enrol_totp = False
    if not ok:
        _count_failure(request, user.username)
        with transaction.atomic():
            record_event(
                action="auth.staff_totp_enrolment_failed",
                request=request,
                actor=user,
                obj=user,
                result=AuditEvent.Result.FAILURE,
                detail={"username": user.username},
            )
        return False
    request.session.pop(PENDING_KEY, None)
    with transaction.atomic():
        login(request, user, backend=_MODEL_BACKEND)
        otp_login(request, device)
        record_event(action="auth.staff_totp_enrolled", request=request, obj=user, detail={"username": user.username})
        record_event(
            action="auth.staff_login", request=request, obj=user, detail={"username": user.username, "enrolled": True}
        )
    return True


# --------------------------------------------------------------------------- own account


def change_own_password(*, request: HttpRequest, form: PasswordChangeForm) -> User:
    """Save a validated PasswordChangeForm (current password checked, validators run).

    Clears `must_change_password`, keeps this session signed in (the other sessions of the
    account end: the session hash covers the password) and writes an audit row.
    """
    with transaction.atomic():
        user = form.save(commit=False)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        record_event(action="auth.staff_password_changed", request=request, obj=user)
    update_session_auth_hash(request, user)
    return user


def recent_sign_ins(user: User, limit: int = RECENT_SIGN_INS) -> list[AuditEvent]:
    """The account's last `limit` auth.* audit rows: sign-ins, failures, lockouts, sign-outs."""
    about_user = Q(object_type=User._meta.label_lower, object_id=str(user.pk)) | Q(actor=user)
    return list(
        AuditEvent.objects.filter(about_user, action__startswith="auth.")
        .only("created_at", "action", "result", "ip", "detail")
        .order_by("-created_at", "-id")[:limit]
    )
