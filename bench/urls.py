"""The project's URLs plus what only the bench needs: a trivial view and a plain admin changelist.

- /bench/ping/: anonymous, "pong": the framework's floor (same server, same middleware).
- /bench/signed-in/: "ok" for whoever is signed in, after the session, auth and OTP middleware
  (measured with an accountant's and a staff member's session): what a signed-in request costs
  before any view does anything.
- /bench/layout/staff/ and /bench/layout/accountant/: the project's base layout with the side's
  navigation (staff_required / accountant_required, the context processors' menu) and no data:
  each key page's framework ratio is its req/s over its own side's layout page.
- /bench/admin/: "the obvious alternative" to the reviewer inbox: reviews.Application in a Django
  admin changelist with the admin's defaults (exact count of the filtered rows and of the whole
  table on every page, OFFSET paging), showing the inbox's columns with the inbox's filters, order
  and page size. The project's own ApplicationAdmin (reviews/admin.py) is tuned (no full count)
  and stays as it is at /admin/.
"""

from functools import cache

from django.contrib import admin
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django_otp.admin import OTPAdminSite

from config.urls import urlpatterns as project_urlpatterns
from core.masking import mask_id_number
from identity.permissions import accountant_required, staff_required
from reviews.constants import INBOX_PAGE_SIZE
from reviews.models import Application


def ping(request):
    return HttpResponse("pong", content_type="text/plain")


def signed_in(request):
    """The cost of being signed in: the middleware has loaded the session, the user (and the OTP device)."""
    return HttpResponse("ok" if request.user.is_authenticated else "anonymous", content_type="text/plain")


@cache
def _layout_template():
    return engines["django"].from_string('{% extends "base.html" %}{% block title %}bench{% endblock %}')


def _layout(request):
    return HttpResponse(_layout_template().render({}, request))


layout_staff = staff_required(_layout)
layout_accountant = accountant_required(_layout)


class QuickApplicationAdmin(admin.ModelAdmin):
    """What a quick build would register: columns, filters, an order. Everything else as Django ships it."""

    list_display = [
        "id",
        "kind",
        "applicant_name",
        "masked_id_number",
        "unit",
        "status",
        "last_submitted_at",
        "due_date",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["unit"]
    ordering = ["last_submitted_at", "id"]
    list_per_page = INBOX_PAGE_SIZE

    @admin.display(description="ID number")
    def masked_id_number(self, obj):
        return mask_id_number(obj.applicant_id_number)


bench_admin = OTPAdminSite(name="bench_admin")
bench_admin.register(Application, QuickApplicationAdmin)

urlpatterns = [
    path("bench/ping/", ping, name="bench_ping"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
    path("bench/layout/staff/", layout_staff, name="bench_layout_staff"),
    path("bench/layout/accountant/", layout_accountant, name="bench_layout_accountant"),
    path("bench/admin/", bench_admin.urls),
    *project_urlpatterns,
]
