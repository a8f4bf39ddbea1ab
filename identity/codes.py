"""One-time SMS codes (SECURITY.md, "Sign-in by SMS code"; ASVS 6.5, 6.6).

- 6 digits from `secrets`; stored only as an HMAC keyed with settings.SMS_CODE_KEY (or a key
  derived from SECRET_KEY), bound to (purpose, ID type + number, phone, challenge). The challenge
  is a random value kept in the requester's session: a code read off someone else's phone is
  useless in another browser.
- Lives settings.SMS_CODE_TTL_SECONDS; single use; a resend replaces the old code;
  settings.SMS_CODE_MAX_ATTEMPTS wrong tries kill it.
- settings.SMS_ACCOUNT_LOCK_FAILURES consecutive wrong codes for an account lock it
  (`User.sms_locked_at`) until staff unlock it; a success resets the count.

This module stores and checks codes; sending, rate limits and audit are
`identity.accountant_services`. The plain code leaves this module only inside the SMS text.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SmsCode, SmsCodePurpose, User

CODE_DIGITS = 6
_SESSION_KEY = "_sms_challenge_{purpose}"
_SEP = "\x1f"  # unit separator: cannot occur in any bound value


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one code check. `reason`: ok, missing, expired, wrong or exhausted."""

    ok: bool
    reason: str
    locked_now: bool = False


def _hmac(salt: str, value: str) -> str:
    secret = settings.SMS_CODE_KEY or settings.SECRET_KEY
    return salted_hmac(f"identity.codes.{salt}", value, secret=secret, algorithm="sha256").hexdigest()


def binding_for(*, purpose: str, id_type: str, id_number: str, phone: str) -> str:
    """The lookup key of the live code for these values (an HMAC: no ID or phone in the table)."""
    return _hmac("binding", _SEP.join([SmsCodePurpose(purpose), id_type, id_number, phone]))


def _code_hash(binding: str, challenge: str, code: str) -> str:
    return _hmac("code", _SEP.join([binding, challenge, code]))


# --------------------------------------------------------------------------- session challenge


def new_challenge(session: SessionBase, purpose: str) -> str:
    """Put a fresh random challenge for `purpose` in the session and return it."""
    challenge = secrets.token_urlsafe(24)
    session[_SESSION_KEY.format(purpose=SmsCodePurpose(purpose))] = challenge
    return challenge


def current_challenge(session: SessionBase, purpose: str) -> str:
    """The session's challenge for `purpose`, or "" when no code was requested in this session."""
    challenge: str = session.get(_SESSION_KEY.format(purpose=SmsCodePurpose(purpose)), "")
    return challenge


def forget_challenge(session: SessionBase, purpose: str) -> None:
    session.pop(_SESSION_KEY.format(purpose=SmsCodePurpose(purpose)), None)


# --------------------------------------------------------------------------- issue and check


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def issue_code(*, purpose: str, id_type: str, id_number: str, phone: str, challenge: str) -> str:
    """Store a new code for these values, replacing any live one, and return it (for the SMS only).

    Expired rows are purged on the way: codes are personal data and have no use after expiry.
    """
    if not challenge:
        raise ValueError("a code must be bound to a session challenge")
    binding = binding_for(purpose=purpose, id_type=id_type, id_number=id_number, phone=phone)
    code = generate_code()
    now = timezone.now()
    values = {
        "purpose": SmsCodePurpose(purpose),
        "code_hash": _code_hash(binding, challenge, code),
        "attempts": 0,
        "created_at": now,
        "expires_at": now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
    }
    with transaction.atomic():
        purge_expired_codes(now=now)
        if not SmsCode.objects.filter(binding=binding).update(**values):
            try:
                with transaction.atomic():
                    SmsCode.objects.create(binding=binding, **values)
            except IntegrityError:  # a concurrent resend created it first: replace that one
                SmsCode.objects.filter(binding=binding).update(**values)
    return code


def check_code(
    *,
    purpose: str,
    id_type: str,
    id_number: str,
    phone: str,
    challenge: str,
    code: str,
    user: User | None = None,
) -> CheckResult:
    """Check `code` and consume it on success. Never raises for a wrong code: returns the outcome.

    With `user`, a wrong guess at a live code counts towards that account's lockout and a success
    resets the count. Run it inside the caller's transaction together with the audit row; the
    caller must commit even on failure, so that tries and lockouts are not rolled back.
    """
    binding = binding_for(purpose=purpose, id_type=id_type, id_number=id_number, phone=phone)
    now = timezone.now()
    with transaction.atomic():
        row = SmsCode.objects.select_for_update().filter(binding=binding).first()
        if row is None:
            return CheckResult(ok=False, reason="missing")
        if row.expires_at <= now:
            row.delete()
            return CheckResult(ok=False, reason="expired")
        expected = row.code_hash
        given = _code_hash(binding, challenge, (code or "").strip()) if challenge else ""
        if not hmac.compare_digest(expected, given):
            row.attempts += 1
            if row.attempts >= settings.SMS_CODE_MAX_ATTEMPTS:
                row.delete()
                reason = "exhausted"
            else:
                row.save(update_fields=["attempts"])
                reason = "wrong"
            locked_now = _count_failure(user, now) if user is not None else False
            return CheckResult(ok=False, reason=reason, locked_now=locked_now)
        row.delete()
        if user is not None:
            _reset_failures(user)
        return CheckResult(ok=True, reason="ok")


def _count_failure(user: User, now: datetime) -> bool:
    """One more consecutive failure for `user`; returns True when this one locks the account."""
    locked = User.objects.select_for_update().only("sms_failed_count", "sms_locked_at").get(pk=user.pk)
    locked.sms_failed_count += 1
    fields = ["sms_failed_count"]
    locked_now = locked.sms_locked_at is None and locked.sms_failed_count >= settings.SMS_ACCOUNT_LOCK_FAILURES
    if locked_now:
        locked.sms_locked_at = now
        fields.append("sms_locked_at")
    locked.save(update_fields=fields)
    user.sms_failed_count, user.sms_locked_at = locked.sms_failed_count, locked.sms_locked_at
    return locked_now


def _reset_failures(user: User) -> None:
    if user.sms_failed_count:
        User.objects.filter(pk=user.pk).update(sms_failed_count=0)
        user.sms_failed_count = 0


def purge_expired_codes(*, now: datetime | None = None) -> int:
    """Delete codes past their expiry. Returns how many went."""
    deleted, _by_model = SmsCode.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def sms_params(code: str) -> dict[str, Any]:
    """The parameters of the `verification_code` SMS template (notifications.messages)."""
    return {"code": code, "minutes": max(1, settings.SMS_CODE_TTL_SECONDS // 60)}
