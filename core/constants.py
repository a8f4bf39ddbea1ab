from django.utils.translation import gettext_lazy as _

SITE_TITLE = _("Hubei Accounting Personnel Management System")
