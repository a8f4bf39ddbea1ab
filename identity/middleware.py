"""Identity middleware."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """A staff member signed in with a one-time password (`must_change_password`) reaches no page
    but the password change form and sign-out until they have chosen a new password.

    Runs after the authentication and idle time-out middleware; `request.user` is loaded by them
    already, so this costs no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_staff_member", False)
            and getattr(user, "must_change_password", False)
        ):
            change_url = reverse("identity:staff_password")
            if request.path not in (change_url, reverse("identity:logout")):
                return redirect(change_url)
        return self.get_response(request)
