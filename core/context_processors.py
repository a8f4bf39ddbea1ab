from django.conf import settings

from .constants import SITE_TITLE
from .navigation import staff_links


def site(request):
    context = {"SITE_TITLE": SITE_TITLE, "DEBUG": settings.DEBUG}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff_member:
        context["staff_links"] = staff_links(user, request.path)
    return context
