import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.views.generic import TemplateView

from .navigation import ENTRIES


class HomeView(TemplateView):
    """导航页 (manual §3)."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(entries=ENTRIES, **kwargs)


class NoticeView(TemplateView):
    """采集须知 (manual §2)."""

    template_name = "core/notice.html"


def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page says: the SVG mark (core/static).

    Resolved per request, not at import: with the manifest storage the hashed name exists only
    after collectstatic, and `check --deploy` / `migrate` import the URLconf before that.
    """
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


# The database errors that mean "not reachable right now" (a restart, a fail-over, a full pool),
# as opposed to a bug in a query.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """handler500: a clear 503 while the database is unreachable, the plain 500 page otherwise.

    Django calls this inside its exception handler, so sys.exc_info() names the failure. Neither
    page touches the database, the session or the user (they may be what failed).
    """
    _, error, _ = sys.exc_info()
    if isinstance(error, DATABASE_UNAVAILABLE):
        response = HttpResponse(loader.render_to_string("503_database.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
