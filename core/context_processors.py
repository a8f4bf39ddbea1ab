from django.conf import settings

from .constants import SITE_TITLE
from .navigation import accountant_links, staff_links


def site(request):
    context = {"SITE_TITLE": SITE_TITLE, "DEBUG": settings.DEBUG}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff_member:
        context["menu_links"] = staff_links(user, request.path)
    elif user is not None and user.is_authenticated and user.is_accountant:
        context["menu_links"] = accountant_links(request.path)
    return context
