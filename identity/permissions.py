"""Who may reach a page. Use these on every view that is not public.

Anonymous users are sent to the right sign-in page; a signed-in user of the wrong kind gets a
404 (SECURITY.md: what one may not see answers 404, not 403). Staff must also have passed
their TOTP step in this session.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse

from .constants import StaffRole

# A view function: request (and URL arguments) in, response out.
View = Callable[..., HttpResponseBase]
_R = TypeVar("_R")
_P = ParamSpec("_P")
# The view's own request annotation (e.g. `identity.request_types.SignedInRequest`) is kept by the decorators.
_Request = TypeVar("_Request", bound=HttpRequest)

if TYPE_CHECKING:
    from django.views import View as _ViewBase

    from .models import User
else:
    _ViewBase = object


def _is_verified_staff(user: "User") -> bool:
    # Training-institution staff sign in like staff but see none of the finance bureau's pages.
    return (
        user.is_authenticated
        and user.is_staff_member
        and user.is_active
        and user.is_verified()
        and user.role != StaffRole.INSTITUTION
    )


def accountant_required(
    view: Callable[Concatenate[_Request, _P], _R],
) -> Callable[Concatenate[_Request, _P], _R | HttpResponseBase]:
    @wraps(view)
    def wrapper(request: _Request, /, *args: _P.args, **kwargs: _P.kwargs) -> _R | HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("identity:login"))
        if not user.is_accountant:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _is_verified_staff_of_any_role(user: "User") -> bool:
    return user.is_authenticated and user.is_staff_member and user.is_active and user.is_verified()


def _staff_guard(
    admits: Callable[["User"], bool],
) -> Callable[[Callable[Concatenate[_Request, _P], _R]], Callable[Concatenate[_Request, _P], _R | HttpResponseBase]]:
    """A sign-in guard for staff pages: anonymous (or TOTP step not done) → the staff sign-in page,
    signed in but not admitted by `admits` → 404."""

    def decorator(
        view: Callable[Concatenate[_Request, _P], _R],
    ) -> Callable[Concatenate[_Request, _P], _R | HttpResponseBase]:
        @wraps(view)
        def wrapper(request: _Request, /, *args: _P.args, **kwargs: _P.kwargs) -> _R | HttpResponseBase:
            user = request.user
            if not user.is_authenticated or (user.is_staff_member and not user.is_verified()):
                return redirect_to_login(request.get_full_path(), reverse("identity:staff_login"))
            if not admits(user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Finance-bureau staff (every role but training-institution staff).
staff_required = _staff_guard(_is_verified_staff)
# Staff of every role, training-institution staff too: for what every staff member has whatever
# their role (their own account page and password).
any_staff_required = _staff_guard(_is_verified_staff_of_any_role)


# For the type checker the mixins are Views (they go before a View class in the bases); at run time
# they stay plain mixins.
class AccountantRequiredMixin(_ViewBase):
    @classmethod
    def as_view(cls, **initkwargs: Any) -> View:
        return accountant_required(super().as_view(**initkwargs))


class StaffRequiredMixin(_ViewBase):
    @classmethod
    def as_view(cls, **initkwargs: Any) -> View:
        return staff_required(super().as_view(**initkwargs))
