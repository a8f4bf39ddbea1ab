from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics and exports for the finance bureaus. Reads every other app; nothing reads reports."""

    name = "reports"
    verbose_name = _("Statistics and exports")

    def ready(self):
        from .audit_actions import register_all

        register_all()
