"""Staff accounts and staff sign-in (username + password + TOTP).

Staff are `User(kind=staff)` rows bound to one review unit with one role. Their scope is read
from `user.unit` on every request, so moving a reviewer to another unit or deactivating them
takes effect on their very next request: nothing about scope is cached in the session.

Sign-in needs three things at once: the password (Django's hashers, through `authenticate` so
that django-axes sees every attempt), a code from a confirmed TOTP device (django-otp) and
`kind=staff`. Every refusal gives the same generic answer and counts as a failure for axes,
whatever step failed, so an attacker learns nothing about which part was wrong.
"""

import re
import secrets
from typing import NoReturn, cast

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import hex_validator
from django_stubs_ext import StrOrPromise

from audit.models import AuditEvent
from audit.services import record_event
from core.masking import mask_id_number
from regions.models import ReviewUnit

from .constants import StaffRole, UserKind
from .models import User

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,29}$")
TOTP_DEVICE_NAME = "default"


class StaffAccountError(ValidationError):
    """A staff account change a user can fix; `message_dict` says which field is wrong."""


class StaffSignInError(Exception):
    """Staff sign-in refused. `reason` is for the audit log only, never shown to the user."""

    BAD_CREDENTIALS = "bad_credentials"
    NOT_STAFF = "not_staff"
    NO_DEVICE = "no_device"
    BAD_TOTP = "bad_totp"
    # Right password and the device's last accepted code again: the person may be told (they
    # know the password already), and it still counts as a failure.
    REUSED_TOTP = "reused_totp"
    LOCKED_OUT = "locked_out"
    # First sign-in page (staff_credentials): right password, but the account has an authenticator
    # already or was not reset.
    NOT_ENROLLING = "not_enrolling"

    def __init__(self, reason: str, *, locked_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked_out = locked_out


# --------------------------------------------------------------------------- accounts


def _admin_flags_for(role: str) -> dict[str, bool]:
    # Only system administrators reach the Django admin (which asks for TOTP as well).
    is_admin = role == StaffRole.SYSTEM_ADMIN
    return {"is_staff": is_admin, "is_superuser": is_admin}


def _require_staff(user: User) -> None:
    if not user.is_staff_member:
        raise StaffAccountError({"username": _("This account is not a staff account.")})


def _check_unit(unit: ReviewUnit | None) -> None:
    if not isinstance(unit, ReviewUnit) or not unit.is_active:
        raise StaffAccountError({"unit": _("Choose an active review unit.")})


def _totp_key(totp_key: str | None) -> str:
    if totp_key is None:
        return secrets.token_hex(20)
    try:
        hex_validator(20)(totp_key)
    except ValidationError:
        raise StaffAccountError({"totp_key": _("The TOTP secret must be 40 hexadecimal characters.")}) from None
    return totp_key.lower()


def check_new_staff(
    *, username: str, full_name: str, password: str, role: str, unit: ReviewUnit | None, email: str = ""
) -> None:
    """Raise StaffAccountError (one message per field) unless `create_staff` would accept these.

    Rules: the username is 2–30 letters, digits, `.`, `_` or `-`, unique ignoring case; the name
    is required (≤ 50 characters); the role is one of StaffRole; the unit is an active review
    unit; the email, if any, is valid; the password passes AUTH_PASSWORD_VALIDATORS.
    """
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    email = (email or "").strip()
    errors: dict[str, list[StrOrPromise]] = {}
    if not USERNAME_RE.fullmatch(username):
        errors["username"] = [_("Use 2 to 30 letters, digits, dots, underscores or hyphens.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is already taken.")]
    if not full_name:
        errors["full_name"] = [_("Enter the staff member's name.")]
    elif len(full_name) > 50:
        errors["full_name"] = [_("The name can have at most 50 characters.")]
    if role not in StaffRole.values:
        errors["role"] = [_("Choose a role.")]
    if not isinstance(unit, ReviewUnit) or not unit.is_active:
        errors["unit"] = [_("Choose an active review unit.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    candidate = User(username=username, full_name=full_name, email=email, kind=UserKind.STAFF)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise StaffAccountError(errors)


def create_staff(
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    unit: ReviewUnit,
    email: str = "",
    totp_key: str | None = None,
    actor: User | None = None,
    enrol_at_first_sign_in: bool = False,
) -> tuple[User, TOTPDevice | None]:
    """Create a staff account with its confirmed TOTP device.

    The rules are those of `check_new_staff`. `totp_key` (40 hex characters) fixes the TOTP
    secret — only demo data does that; otherwise it is random. The caller shows the secret once
    (`device.config_url` for an authenticator app); it is never logged or audited. System
    administrators also get `is_staff` + `is_superuser` for the Django admin.

    `enrol_at_first_sign_in` (staff management pages): no device is created and the password is a
    one-time password; the person replaces it and enrols their own device at the first sign-in
    (`must_change_password`, `must_enrol_totp`). The device returned is then None.
    """
    check_new_staff(username=username, full_name=full_name, password=password, role=role, unit=unit, email=email)
    username, full_name, email = username.strip(), full_name.strip(), (email or "").strip()
    key = _totp_key(totp_key)

    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            kind=UserKind.STAFF,
            role=role,
            unit=unit,
            must_change_password=enrol_at_first_sign_in,
            must_enrol_totp=enrol_at_first_sign_in,
            **_admin_flags_for(role),
        )
        user.set_password(password)
        user.save()
        device = None
        if not enrol_at_first_sign_in:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
        record_event(
            action="staff.create",
            actor=actor,
            obj=user,
            detail={"username": username, "role": role, "unit": unit.code},
        )
    return user, device


def set_staff_active(*, user: User, active: bool, actor: User | None) -> User:
    """Activate or deactivate a staff account.

    Deactivation ends the account's open sessions on their next request: Django's ModelBackend
    refuses to load an inactive user from a session. Nobody may deactivate themselves (a system
    administrator would lock themselves out).
    """
    _require_staff(user)
    if not active and actor is not None and actor.pk == user.pk:
        raise StaffAccountError({"is_active": _("You cannot deactivate your own account.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            record_event(action="staff.activate" if active else "staff.deactivate", actor=actor, obj=locked)
    user.is_active = active
    return user


def move_staff(*, user: User, unit: ReviewUnit, actor: User | None) -> User:
    """Bind a staff member to another review unit.

    The old unit's applications drop out of their scope at once, because every scope check
    reads `user.unit` fresh from the database on each request.
    """
    _require_staff(user)
    _check_unit(unit)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        old_code = cast(ReviewUnit, locked.unit).code if locked.unit_id else ""
        if locked.unit_id != unit.pk:
            locked.unit = unit
            locked.save(update_fields=["unit"])
            record_event(action="staff.move", actor=actor, obj=locked, detail={"from": old_code, "to": unit.code})
    user.unit = unit
    return user


def set_staff_role(*, user: User, role: str, actor: User | None) -> User:
    """Change a staff member's role; only system administrators get the Django admin flags."""
    _require_staff(user)
    if role not in StaffRole.values:
        raise StaffAccountError({"role": _("Choose a role.")})
    flags = _admin_flags_for(role)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.role != role or any(getattr(locked, k) != v for k, v in flags.items()):
            old_role = locked.role
            locked.role = role
            for name, value in flags.items():
                setattr(locked, name, value)
            locked.save(update_fields=["role", *flags])
            record_event(action="staff.role", actor=actor, obj=locked, detail={"from": old_role, "to": role})
    user.role = role
    for name, value in flags.items():
        setattr(user, name, value)
    return user


# --------------------------------------------------------------------------- sign-in


def _safe_username(username: str) -> str:
    # Someone may type an ID number or a phone into the username box: never audit it whole.
    username = (username or "")[:50]
    return mask_id_number(username) if re.search(r"\d{7,}", username) else username


def _audit_refusal(request: HttpRequest, username: str, reason: str, user: User | None) -> None:
    detail = {"username": _safe_username(username), "reason": reason}
    with transaction.atomic():
        record_event(
            action="auth.staff_login",
            request=request,
            obj=user,
            result=AuditEvent.Result.DENIED if reason == StaffSignInError.LOCKED_OUT else AuditEvent.Result.FAILURE,
            detail=detail,
        )


def _count_failure(request: HttpRequest, username: str) -> None:
    # A right password with a wrong code (or the wrong kind of account) is a failed sign-in
    # too: tell django-axes, which only hears about failures from `authenticate` by itself.
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def _refuse(request: HttpRequest, username: str, reason: str, user: User | None = None) -> NoReturn:
    # django-axes flags the request when this failure reached the limit, or when the client
    # was locked out already (then the password was not even checked).
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", None)
    just_locked = locked and failures == settings.AXES_FAILURE_LIMIT
    if locked and not just_locked:
        reason = StaffSignInError.LOCKED_OUT
    _audit_refusal(request, username, reason, user)
    if just_locked:
        with transaction.atomic():
            record_event(
                action="auth.staff_lockout",
                request=request,
                obj=user,
                result=AuditEvent.Result.DENIED,
                detail={"username": _safe_username(username), "failures": failures},
            )
    raise StaffSignInError(reason, locked_out=locked)


def _is_last_used_code(device: TOTPDevice, token: str) -> bool:
    """Whether `token` is the code of the time step the device last accepted (`last_t`)."""
    if device.last_t < 0:
        return False
    try:
        expected: int = hotp(device.bin_key, device.last_t, digits=device.digits)
        return int(token) == expected
    except (TypeError, ValueError):
        return False


def sign_in_staff(*, request: HttpRequest, username: str, password: str, token: str) -> User:
    """Sign a staff member in with password + TOTP, or raise StaffSignInError.

    Order: django-axes' lockout check and the password (`authenticate`), then the kind of
    account, then the TOTP code against the user's confirmed devices (django-otp throttles
    and refuses a code used before: with the right password, the code the device last accepted
    is refused with reason REUSED_TOTP, which the page may name). On success the session key is rotated (`login`) and the
    device is stored in the session, so `user.is_verified()` is true. Every outcome writes one
    audit row (no password, no code); reaching AXES_FAILURE_LIMIT writes a lockout row as well.
    """
    user = authenticate(request, username=username, password=password)
    if user is None:
        target = User.objects.filter(username=username).only("pk").first() if username else None
        _refuse(request, username, StaffSignInError.BAD_CREDENTIALS, target)
    if not user.is_staff_member:
        _count_failure(request, username)
        _refuse(request, username, StaffSignInError.NOT_STAFF, user)

    with transaction.atomic():
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk"))
        device = next((d for d in devices if d.verify_token(token)), None)
    if device is None:
        _count_failure(request, username)
        if not devices:
            reason = StaffSignInError.NO_DEVICE
        elif any(_is_last_used_code(d, token) for d in devices):
            reason = StaffSignInError.REUSED_TOTP
        else:
            reason = StaffSignInError.BAD_TOTP
        _refuse(request, username, reason, user)

    with transaction.atomic():
        login(request, user)
        otp_login(request, device)
        record_event(action="auth.staff_login", request=request, obj=user, detail={"username": user.username})
    return user
