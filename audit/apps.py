from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from .action_labels import register_all
        from .retention import register_sqlite_gate
        from .thirdparty import translate_third_party_names

        connection_created.connect(register_sqlite_gate, dispatch_uid="audit_sqlite_retention_gate")
        register_all()
        translate_third_party_names()
