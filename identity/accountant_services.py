"""Accountants: registration, sign-in by SMS code, unlocking (manual §1.2, §4.1, §4.2; SECURITY.md).

Callers validate input first (the forms in `identity.accountant_forms`, which also make the person
solve the image captcha before every send; the final submit needs only the SMS code, which works
only in the session that asked for it); these functions take normalised values, enforce the
rules and write the audit log. Every refusal a person can act on is an `AccountantError`.

Audit actions written here: auth.sms_code_sent, auth.sms_code_not_sent, auth.sms_code_refused,
auth.sms_delivery_failed, auth.login, auth.login_failed, auth.accountant_locked,
auth.accountant_unlocked, accountant.registered, auth.register_failed, auth.code_check_failed. Their detail holds masked
ID numbers and phones only, never a code.
"""

import logging
import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.models import AuditEvent
from audit.services import record_event
from core.masking import mask_id_number, mask_phone
from core.request_info import client_ip
from notifications.backends import SmsDeliveryError
from notifications.messages import VERIFICATION_CODE
from notifications.services import send_sms_now

from . import codes, ratelimit
from .constants import UserKind
from .models import SmsCodePurpose, User, _random_username

logger = logging.getLogger(__name__)

# The session remembers which kind of user signed in (staff sign-in sets its own value).
SESSION_KIND_KEY = "auth_kind"
SESSION_KIND_ACCOUNTANT = "accountant"
_BACKEND = "django.contrib.auth.backends.ModelBackend"

MSG_ALREADY_REGISTERED = _("This user is already registered. Please sign in directly.")
MSG_CODE_WRONG = _("The SMS code is wrong or has expired. Check it, or ask for a new code.")
MSG_LOCKED = _(
    "This account is locked because of too many wrong SMS codes. "
    "Please contact your local finance bureau to have it unlocked."
)
MSG_NO_CODE_REQUESTED = _(
    "Ask for an SMS code first: type the image code and press “Get SMS code”, then enter the code you receive."
)
MSG_SENT_IF_MATCH = _(
    "If the ID number and the mobile number match, a code has been sent. It is valid for %(minutes)s minutes."
)
MSG_SENT = _("A code has been sent to %(phone)s. It is valid for %(minutes)s minutes.")
MSG_DELIVERY_FAILED = _("The SMS could not be sent just now. Please try again in a few minutes.")
MSG_NOT_STAFF = _("Only finance bureau staff may unlock an account.")


class AccountantError(Exception):
    """A refusal the person can act on, shown next to `field` (None: above the form).

    `status` is the HTTP status the page answers with (429 rate limited, 503 limiter down);
    `code` names the case for templates ("already_registered", "locked", "cooldown", ...);
    `retry_after` is in seconds when waiting helps.
    """

    def __init__(
        self,
        message: StrOrPromise,
        *,
        field: str | None = None,
        status: int = 200,
        code: str = "",
        retry_after: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status
        self.code = code
        self.retry_after = retry_after


def _masked(id_number: str, phone: str) -> dict[str, Any]:
    return {"id_number": mask_id_number(id_number), "phone": mask_phone(phone)}


def _ttl_minutes() -> int:
    return max(1, settings.SMS_CODE_TTL_SECONDS // 60)


def find_accountant(*, id_type: str, id_number: str) -> User | None:
    """The accountant registered with this document, if any."""
    return User.objects.filter(kind=UserKind.ACCOUNTANT, id_type=id_type, id_number=id_number).first()


def _accountant_on_record(*, id_type: str, id_number: str, phone: str) -> User | None:
    return User.objects.filter(
        kind=UserKind.ACCOUNTANT, id_type=id_type, id_number=id_number, phone=phone, is_active=True
    ).first()


def _pad_to_floor(started: float) -> None:
    """Answer sign-in code requests in about the same time whether or not a code was sent (6.3.8)."""
    floor = getattr(settings, "SMS_LOGIN_ANSWER_SECONDS", 0.3)
    remaining = floor - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _reserve(*, request: HttpRequest, purpose: str, detail: dict[str, Any]) -> None:
    try:
        ratelimit.reserve_sms_send(phone=detail["_phone"], ip=client_ip(request))
    except ratelimit.LimiterUnavailable:
        _audit_refusal(request, purpose, detail, "limiter_unavailable")
        raise AccountantError(
            ratelimit.LimiterUnavailable.message, field="sms_code", status=503, code="unavailable"
        ) from None
    except ratelimit.RateLimited as exc:
        _audit_refusal(request, purpose, detail, exc.reason)
        raise AccountantError(
            exc.message, field="sms_code", status=429, code=exc.reason, retry_after=exc.retry_after
        ) from None


def _audit_refusal(request: HttpRequest, purpose: str, detail: dict[str, Any], reason: str) -> None:
    record_event(
        action="auth.sms_code_refused",
        request=request,
        result=AuditEvent.Result.DENIED,
        detail={**_public(detail), "purpose": purpose, "reason": reason},
    )


def _public(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if not k.startswith("_")}


def send_code(*, request: HttpRequest, purpose: str, id_type: str, id_number: str, phone: str) -> str:
    """Send a one-time code by SMS for `purpose` and return the confirmation to show.

    - register: refused when the document is already registered; the code goes to `phone`.
    - login: a code goes out only when (document, phone) match an active, unlocked accountant
      on record; the answer (text, status, about the same time) is the same either way.
    - phone_change: the code goes to `phone`, the NEW number the applicant wants to use.
    The rate limits apply before anything else; a new session challenge binds the code to this
    browser. The caller must have had the image captcha solved for this very request.
    """
    purpose = SmsCodePurpose(purpose)
    started = time.monotonic()
    detail = {**_masked(id_number, phone), "_phone": phone}
    if purpose == SmsCodePurpose.REGISTER and find_accountant(id_type=id_type, id_number=id_number):
        raise AccountantError(MSG_ALREADY_REGISTERED, field="id_number", code="already_registered")

    _reserve(request=request, purpose=purpose, detail=detail)
    challenge = codes.new_challenge(request.session, purpose)
    confirmation = (
        MSG_SENT_IF_MATCH % {"minutes": _ttl_minutes()}
        if purpose == SmsCodePurpose.LOGIN
        else MSG_SENT % {"phone": mask_phone(phone), "minutes": _ttl_minutes()}
    )

    user = None
    if purpose == SmsCodePurpose.LOGIN:
        user = _accountant_on_record(id_type=id_type, id_number=id_number, phone=phone)
        if user is None or user.is_sms_locked:
            record_event(
                action="auth.sms_code_not_sent",
                request=request,
                obj=user,
                result=AuditEvent.Result.FAILURE,
                detail={**_public(detail), "purpose": purpose, "reason": "locked" if user else "no_match"},
            )
            _pad_to_floor(started)
            return confirmation

    with transaction.atomic():
        code = codes.issue_code(purpose=purpose, id_type=id_type, id_number=id_number, phone=phone, challenge=challenge)
        record_event(
            action="auth.sms_code_sent", request=request, obj=user, detail={**_public(detail), "purpose": purpose}
        )
    try:
        send_sms_now(phone=phone, template=VERIFICATION_CODE.key, params=codes.sms_params(code))
    except SmsDeliveryError as exc:
        logger.warning("SMS code delivery failed: %s", exc.__class__.__name__)
        record_event(
            action="auth.sms_delivery_failed",
            request=request,
            obj=user,
            result=AuditEvent.Result.FAILURE,
            detail={**_public(detail), "purpose": purpose},
        )
        if purpose != SmsCodePurpose.LOGIN:
            raise AccountantError(MSG_DELIVERY_FAILED, field="sms_code", status=503, code="delivery") from None
    if purpose == SmsCodePurpose.LOGIN:
        _pad_to_floor(started)
    return confirmation


def _challenge_or_refuse(request: HttpRequest, purpose: str) -> str:
    """The session challenge of the code sent to this browser; refuse when none was requested here.

    A challenge exists only after a send that solved (and consumed) an image captcha, so the final
    submit needs no captcha of its own. Refusing here counts no failure against the account: no code
    was issued to this session, so nothing was guessed.
    """
    challenge = codes.current_challenge(request.session, purpose)
    if not challenge:
        raise AccountantError(MSG_NO_CODE_REQUESTED, field="sms_code", code="no_code_requested")
    return challenge


def _before_check(request: HttpRequest) -> None:
    try:
        ratelimit.hit_code_check(ip=client_ip(request))
    except ratelimit.LimiterUnavailable:
        raise AccountantError(
            ratelimit.LimiterUnavailable.message, field="sms_code", status=503, code="unavailable"
        ) from None
    except ratelimit.RateLimited as exc:
        raise AccountantError(exc.message, field="sms_code", status=429, code=exc.reason) from None


def verify_code(
    *, request: HttpRequest, purpose: str, id_type: str, id_number: str, phone: str, code: str, user: User | None = None
) -> None:
    """Check and consume a code sent by `send_code` in this session, or raise AccountantError.

    For the 手机号更换 application: `verify_code(request=..., purpose="phone_change", ...,
    phone=new_phone, code=...)`. Pass `user` only when wrong codes should count towards that
    account's lockout (the sign-in does).
    """
    purpose = SmsCodePurpose(purpose)
    _before_check(request)
    challenge = _challenge_or_refuse(request, purpose)
    with transaction.atomic():
        result = codes.check_code(
            purpose=purpose,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            challenge=challenge,
            code=code,
            user=user,
        )
        if not result.ok:
            record_event(
                action="auth.code_check_failed",
                request=request,
                obj=user,
                result=AuditEvent.Result.FAILURE,
                detail={**_masked(id_number, phone), "purpose": purpose, "reason": result.reason},
            )
    if not result.ok:
        raise AccountantError(MSG_CODE_WRONG, field="sms_code", code="code_wrong")
    codes.forget_challenge(request.session, purpose)


def _start_session(request: HttpRequest, user: User) -> None:
    login(request, user, backend=_BACKEND)  # a new session key (ASVS 7.2.4)
    request.session[SESSION_KIND_KEY] = SESSION_KIND_ACCOUNTANT


def sign_in_accountant(*, request: HttpRequest, id_type: str, id_number: str, phone: str, code: str) -> User:
    """Sign in with document + phone + SMS code (no password) and return the user.

    A wrong code counts towards the account's lockout; the settings.SMS_ACCOUNT_LOCK_FAILURES-th
    consecutive one locks it until staff unlock it (`unlock_accountant`).
    """
    _before_check(request)
    user = _accountant_on_record(id_type=id_type, id_number=id_number, phone=phone)
    detail = _masked(id_number, phone)
    if user is not None and user.is_sms_locked:
        record_event(
            action="auth.login_failed",
            request=request,
            obj=user,
            result=AuditEvent.Result.DENIED,
            detail={**detail, "reason": "locked"},
        )
        raise AccountantError(MSG_LOCKED, code="locked")
    challenge = _challenge_or_refuse(request, SmsCodePurpose.LOGIN)

    with transaction.atomic():
        result = codes.check_code(
            purpose=SmsCodePurpose.LOGIN,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            challenge=challenge,
            code=code,
            user=user,
        )
        ok = result.ok and user is not None
        if not ok:
            record_event(
                action="auth.login_failed",
                request=request,
                obj=user,
                result=AuditEvent.Result.FAILURE,
                detail={**detail, "reason": result.reason if user else "no_match"},
            )
        if result.locked_now:
            record_event(
                action="auth.accountant_locked",
                request=request,
                obj=user,
                result=AuditEvent.Result.DENIED,
                detail={**detail, "failures": cast(User, user).sms_failed_count},  # only a known user locks
            )
    if result.locked_now:
        raise AccountantError(MSG_LOCKED, code="locked")
    if not ok:
        raise AccountantError(MSG_CODE_WRONG, field="sms_code", code="code_wrong")
    assert user is not None  # `ok` says so; for mypy

    codes.forget_challenge(request.session, SmsCodePurpose.LOGIN)
    with transaction.atomic():
        _start_session(request, user)
        record_event(action="auth.login", request=request, actor=user, obj=user, detail=detail)
    return user


def register_accountant(
    *, request: HttpRequest, id_type: str, id_number: str, full_name: str, phone: str, code: str
) -> User:
    """Register (manual §4.1) and sign in: document + name + phone, proved by an SMS code.

    One account per document: an ID already registered is told "用户已注册，请直接登录". The
    username is random (no ID number in logs or URLs) and there is no usable password.
    """
    if find_accountant(id_type=id_type, id_number=id_number):
        raise AccountantError(MSG_ALREADY_REGISTERED, field="id_number", code="already_registered")
    _before_check(request)
    challenge = _challenge_or_refuse(request, SmsCodePurpose.REGISTER)
    detail = _masked(id_number, phone)
    with transaction.atomic():
        result = codes.check_code(
            purpose=SmsCodePurpose.REGISTER,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            challenge=challenge,
            code=code,
        )
        if not result.ok:
            record_event(
                action="auth.register_failed",
                request=request,
                result=AuditEvent.Result.FAILURE,
                detail={**detail, "reason": result.reason},
            )
    if not result.ok:
        raise AccountantError(MSG_CODE_WRONG, field="sms_code", code="code_wrong")
    codes.forget_challenge(request.session, SmsCodePurpose.REGISTER)

    user = User(
        username=_random_username(),
        kind=UserKind.ACCOUNTANT,
        full_name=full_name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
    )
    user.set_unusable_password()
    user.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
            record_event(action="accountant.registered", request=request, actor=user, obj=user, detail=detail)
            _start_session(request, user)
            record_event(action="auth.login", request=request, actor=user, obj=user, detail=detail)
    except IntegrityError:  # the same document registered a moment ago in another request
        raise AccountantError(MSG_ALREADY_REGISTERED, field="id_number", code="already_registered") from None
    return user


def unlock_accountant(*, user: User, actor: User) -> None:
    """Lift an SMS lockout (staff only; the admin action calls this) and reset the failure count."""
    if not (getattr(actor, "is_staff_member", False) or getattr(actor, "is_superuser", False)):
        raise AccountantError(MSG_NOT_STAFF)
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk, kind=UserKind.ACCOUNTANT)
        was_locked = target.sms_locked_at is not None
        target.sms_locked_at = None
        target.sms_failed_count = 0
        target.save(update_fields=["sms_locked_at", "sms_failed_count"])
        record_event(
            action="auth.accountant_unlocked",
            actor=actor,
            obj=target,
            detail={"was_locked": was_locked, "id_number": mask_id_number(target.id_number)},
        )
    user.sms_locked_at = None
    user.sms_failed_count = 0
