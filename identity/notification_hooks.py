"""What identity adds to the notifications pages through `notifications.hooks` (registered in
IdentityConfig.ready()): the demo staff's TOTP codes on the developer outbox, and the guard of the
failed-SMS pages (verified staff with the system administrator role; other staff get 404)."""

from functools import wraps
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from notifications import hooks

from .constants import StaffRole
from .models import User
from .permissions import View, staff_required


def demo_totp_codes_panel(request: HttpRequest) -> SafeString:
    """The demo staff's current TOTP codes (developer aid: the outbox is 404 without DEBUG)."""
    from .staff_selectors import demo_staff_totp_codes

    return render_to_string("identity/staff/_dev_totp_codes.html", {"codes": demo_staff_totp_codes()}, request=request)


def system_admin_required(view: View) -> View:
    """Verified staff (password + TOTP) with the system administrator role; other staff get 404."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # staff_required let only verified staff through.
        if cast(User, request.user).role != StaffRole.SYSTEM_ADMIN:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def register() -> None:
    hooks.register_dev_outbox_panel(demo_totp_codes_panel)
    hooks.register_system_admin_guard(system_admin_required)
