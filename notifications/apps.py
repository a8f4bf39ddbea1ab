from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.conf import settings

        from . import checks  # noqa: F401 - registers the SMS deploy check
        from .backends import registered_backends

        backend = registered_backends().get(settings.SMS_BACKEND)
        if backend is not None:
            backend.preload()  # a provider's SDK takes a second to import: at start-up, not on a code request
