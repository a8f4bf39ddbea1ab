from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from core import health
from core import views as core_views
from core.constants import SITE_TITLE

# System administrators reach the admin with password + TOTP, like every staff member.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = SITE_TITLE
admin.site.site_title = SITE_TITLE

urlpatterns = [
    # Probes and Prometheus (core.health): no sign-in, plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the SVG mark (core/static).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", include("core.urls")),
    path("accounts/", include("identity.urls")),
    path("captcha/", include("captcha.urls")),
    path("regions/", include("regions.urls")),
    path("documents/", include("documents.urls")),
    path("reviews/", include("reviews.urls")),
    path("dossier/", include("dossier.urls")),
    path("ce/", include("continuing_education.urls")),
    path("institutions/", include("institutions.urls")),
    path("", include("certificates.urls")),  # /certificates/… downloads, /verify/<token>/ (public)
    path("integrity/", include("integrity.urls")),
    path("phone-change/", include("phone_change.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),  # data-exchange API: /api/v1/ (signed requests), /api/v1/docs
    path("", include("notifications.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# A clear 503 while the database is unreachable (core.views.server_error); the plain 500 otherwise.
handler500 = "core.views.server_error"
