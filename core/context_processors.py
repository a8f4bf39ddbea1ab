from django.conf import settings

from .constants import SITE_TITLE


def site(request):
    return {"SITE_TITLE": SITE_TITLE, "DEBUG": settings.DEBUG}
