"""Who reaches the institutions pages. Anything one may not see answers 404 (SECURITY.md).

- `institution_required`: a verified institution staff member (role `institution`) of an institution;
  the view gets `request.institution`. Reviewers, administrators and accountants get 404.
- `institution_admin_required`: `staff_required` (finance-bureau staff, TOTP verified) and a city or
  provincial unit administrator, or a system administrator; other staff get 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse

from identity.constants import StaffRole
from identity.permissions import staff_required

from .services import can_administer, institution_of


def institution_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or (user.is_staff_member and not user.is_verified()):
            return redirect_to_login(request.get_full_path(), reverse("identity:staff_login"))
        if not (user.is_staff_member and user.is_active and user.role == StaffRole.INSTITUTION):
            raise Http404
        institution = institution_of(user)
        if institution is None:
            raise Http404
        request.institution = institution
        return view(request, *args, **kwargs)

    return wrapper


def institution_admin_required(view):
    @wraps(view)
    def inner(request, *args, **kwargs):
        if not can_administer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return staff_required(inner)
