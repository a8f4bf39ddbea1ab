from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")  # 证明

    def ready(self):
        from audit.actions import register_action
        from dossier.record_sections import register_record_section

        from .constants import AUDIT_LABELS
        from .selectors import record_section_context

        for code, label in AUDIT_LABELS.items():
            register_action(code, label)
        # 信息查询 shows the 登记表 download (dossier does not know this app).
        register_record_section("certificates/_record_section.html", record_section_context)
