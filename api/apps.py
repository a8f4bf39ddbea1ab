from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Data-exchange API")

    def ready(self):
        from audit.actions import register_action

        from .constants import AUDIT_LABELS

        for code, label in AUDIT_LABELS.items():
            register_action(code, label)
