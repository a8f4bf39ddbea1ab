from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Integrity records")

    def ready(self):
        from documents.access import register_access_rule
        from dossier.record_sections import register_record_section
        from reviews.registry import ApplicationKind, register_kind

        from .constants import KIND_HONOUR
        from .models import HonourPayload
        from .selectors import honour_proofs, records_for_person, staff_may_view_honour_proof
        from .services import check_honour_before_submit

        register_kind(
            ApplicationKind(
                name=KIND_HONOUR,
                label=_("Integrity record / honour"),  # 诚信录入 / 表彰奖励
                payload_model=HonourPayload,
                reviewer_template="integrity/review_honour.html",
                proof_documents=honour_proofs,
                before_submit=check_honour_before_submit,
                # 奖惩 records are to be entered within 10 working days (DOMAIN.md "Review").
                sla_working_days=10,
                # A person may have several honours under review at once.
                exclusive=False,
            )
        )
        # Staff may open the proofs of approved honours of the people in their scope.
        register_access_rule(staff_may_view_honour_proof)
        # 信息查询 shows the person's integrity record (approved honours, negative records in force).
        register_record_section(
            "integrity/_person_records.html", lambda person: {"integrity_records": records_for_person(person)}
        )
