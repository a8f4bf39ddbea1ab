"""The signed-in staff member and their verified TOTP device in one query (issue #10).

Django's AuthenticationMiddleware loads the user (one query) and django-otp's OTPMiddleware then
loads the device named in the session (a second one); the reviewer pages then read the user's
review unit (a third). This OTPMiddleware, installed in django-otp's place, reads the device with
its user and the user's unit in one query when the session names a TOTP device, and hands that
user to AuthenticationMiddleware's lazy `request.user` — but only when every check Django's own
`auth.get_user` makes passes in the same way:

- the session's backend is Django's ModelBackend and is configured;
- the session's user id is the device's user;
- the session's auth hash equals the user's current one (a changed password signs out, as before);
- the user may authenticate (`is_active`).

Anything else (no device in the session, another device type, a hash signed with a fallback key,
a deactivated user, a device of another user) takes Django's and django-otp's usual path
unchanged, so the outcome is always the one they would give.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware

if TYPE_CHECKING:
    from .models import User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOTP_PREFIX = "otp_totp.totpdevice/"


def _preload(request: HttpRequest) -> tuple[str, Any] | None:
    """(persistent id, device or None) read in one query with the user and unit, or None."""
    session: SessionBase | None = getattr(request, "session", None)
    if session is None:
        return None
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    persistent_id = BaseOTPMiddleware._normalize_persistent_id(persistent_id)
    if not persistent_id.startswith(TOTP_PREFIX):
        return None
    try:
        device_pk = int(persistent_id[len(TOTP_PREFIX) :])
    except ValueError:
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_related("user", "user__unit").filter(pk=device_pk).first()
    if device is not None and not hasattr(request, "_cached_user"):
        user = device.user
        if _session_is_for(session, user):
            # What AuthenticationMiddleware's lazy user returns (a private attribute the stubs do not know).
            request._cached_user = user  # type: ignore[attr-defined]
    return persistent_id, device


def _session_is_for(session: SessionBase, user: "User") -> bool:
    """Whether `auth.get_user` would return exactly this user for this session (current hash only)."""
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValueError, TypeError):
        return False
    if backend_path != MODEL_BACKEND or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    if user.pk != user_id:
        return False
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return False
    return ModelBackend().user_can_authenticate(user)


class OTPMiddleware(BaseOTPMiddleware):  # type: ignore[misc]  # django-otp ships no type information
    """django-otp's middleware, loading the staff member and their device together (module docstring)."""

    # `user` is the lazy request user (a User or AnonymousUser) that django-otp gives its attributes.
    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        preloaded = _preload(request)
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            if preloaded is not None and persistent_id and self._normalize_persistent_id(persistent_id) == preloaded[0]:
                device = preloaded[1]
            else:
                device = self._device_from_persistent_id(persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user
