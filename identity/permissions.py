"""Who may reach a page. Use these on every view that is not public.

Anonymous users are sent to the right sign-in page; a signed-in user of the wrong kind gets a
404 (SECURITY.md: what one may not see answers 404, not 403). Staff must also have passed
their TOTP step in this session.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse

from .constants import StaffRole

# A view function: request (and URL arguments) in, response out.
View = Callable[..., HttpResponseBase]
_R = TypeVar("_R")


def _is_verified_staff(user: Any) -> bool:
    # Training-institution staff sign in like staff but see none of the finance bureau's pages.
    return (
        user.is_authenticated
        and user.is_staff_member
        and user.is_active
        and user.is_verified()
        and user.role != StaffRole.INSTITUTION
    )


def accountant_required(view: Callable[..., _R]) -> Callable[..., _R | HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> _R | HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("identity:login"))
        if not user.is_accountant:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: Callable[..., _R]) -> Callable[..., _R | HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> _R | HttpResponseBase:
        user = request.user
        if not user.is_authenticated or (user.is_staff_member and not user.is_verified()):
            return redirect_to_login(request.get_full_path(), reverse("identity:staff_login"))
        if not _is_verified_staff(user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class AccountantRequiredMixin:
    @classmethod
    def as_view(cls, **initkwargs):
        return accountant_required(super().as_view(**initkwargs))


class StaffRequiredMixin:
    @classmethod
    def as_view(cls, **initkwargs):
        return staff_required(super().as_view(**initkwargs))
