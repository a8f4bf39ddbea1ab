from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Training institutions")  # 施教机构

    def ready(self):
        from audit.actions import register_action
        from continuing_education.external import register_credit_source

        from .constants import AUDIT_LABELS, SOURCE_CODE
        from .selectors import credits_for_person

        register_credit_source(SOURCE_CODE, credits_for_person)
        for code, label in AUDIT_LABELS.items():
            register_action(code, label)
