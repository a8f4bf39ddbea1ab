from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuingEducationConfig(AppConfig):
    name = "continuing_education"
    verbose_name = _("Continuing education")  # 继续教育

    def ready(self):
        from reviews.registry import ApplicationKind, register_kind

        from .constants import KIND_CE
        from .models import CreditRecord
        from .selectors import record_proofs
        from .services import apply_record, apply_records, check_record_before_submit

        register_kind(
            ApplicationKind(
                name=KIND_CE,
                label=_("Continuing education"),  # 继续教育
                payload_model=CreditRecord,
                apply=apply_record,
                apply_many=apply_records,
                reviewer_template="continuing_education/review.html",
                proof_documents=record_proofs,
                before_submit=check_record_before_submit,
                sla_working_days=5,
                # A person files many records a year, several of them waiting at once.
                exclusive=False,
                # Reviewers may approve several records at once from the inbox (each its own decision, checks,
                # event, audit row and SMS; apply_records counts the credits of the batch at once).
                bulk_approve=True,
            )
        )
