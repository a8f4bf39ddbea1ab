from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = _("Dossier")

    def ready(self):
        from documents.access import register_access_rule
        from reviews.registry import ApplicationKind, register_kind

        from .change_selectors import change_photo, change_proofs, reviewer_versions, staff_may_view_change_document
        from .change_services import apply_change, check_change_before_submit
        from .constants import KIND_CHANGE, KIND_COLLECTION
        from .models import ChangePayload, CollectionPayload
        from .review_changes import application_snapshot, describe_changes
        from .selectors import collection_photo, collection_proofs, load_collection_payload
        from .services import apply_collection, check_collection_before_submit

        register_kind(
            ApplicationKind(
                name=KIND_COLLECTION,
                label=_("Information collection"),  # 信息采集
                payload_model=CollectionPayload,
                load_payload=load_collection_payload,
                apply=apply_collection,
                reviewer_template="dossier/review.html",
                reviewer_context=reviewer_versions,
                proof_documents=collection_proofs,
                photo_document=collection_photo,
                before_submit=check_collection_before_submit,
                snapshot=application_snapshot,
                describe_changes=describe_changes,
                sla_working_days=5,
            )
        )
        register_kind(
            ApplicationKind(
                name=KIND_CHANGE,
                label=_("Information change"),  # 信息变更
                payload_model=ChangePayload,
                apply=apply_change,
                reviewer_template="dossier/change/review.html",
                reviewer_context=reviewer_versions,
                proof_documents=change_proofs,
                photo_document=change_photo,
                before_submit=check_change_before_submit,
                snapshot=application_snapshot,
                describe_changes=describe_changes,
                sla_working_days=5,
            )
        )
        # The unit deciding a change sees the files it carries over from earlier versions.
        register_access_rule(staff_may_view_change_document)
