from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from .retention import register_sqlite_gate

        connection_created.connect(register_sqlite_gate, dispatch_uid="audit_sqlite_retention_gate")
