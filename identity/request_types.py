"""Request types for views behind `accountant_required` / `staff_required` (see `core.request_types`)."""

from core.request_types import ProjectHttpRequest

from .models import User


class SignedInRequest(ProjectHttpRequest):
    """A request whose `user` is a signed-in `identity.User` (accountant or staff member)."""

    user: User
