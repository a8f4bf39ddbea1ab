from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from . import notification_hooks
        from .audit_actions import register_all

        register_all()
        notification_hooks.register()  # what identity shows on the notifications pages
