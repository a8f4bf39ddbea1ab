"""The project's URLs plus what only the bench needs: a trivial view and a plain admin changelist.

- /bench/ping/: the trivial view every page's req/s is divided by (same server, same middleware).
- /bench/admin/: "the obvious alternative" to the reviewer inbox: reviews.Application in a Django
  admin changelist with the admin's defaults (exact count of the filtered rows and of the whole
  table on every page, OFFSET paging), showing the inbox's columns with the inbox's filters, order
  and page size. The project's own ApplicationAdmin (reviews/admin.py) is tuned (no full count)
  and stays as it is at /admin/.
"""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path
from django_otp.admin import OTPAdminSite

from config.urls import urlpatterns as project_urlpatterns
from core.masking import mask_id_number
from reviews.constants import INBOX_PAGE_SIZE
from reviews.models import Application


def ping(request):
    return HttpResponse("pong", content_type="text/plain")


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
    path("bench/admin/", bench_admin.urls),
    *project_urlpatterns,
]
