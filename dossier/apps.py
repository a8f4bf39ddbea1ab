from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = _("Dossier")

    def ready(self):
        from reviews.registry import ApplicationKind, NotifyTexts, register_kind

        from .constants import KIND_COLLECTION
        from .models import CollectionPayload
        from .selectors import collection_photo, collection_proofs
        from .services import apply_collection, check_collection_before_submit

        register_kind(
            ApplicationKind(
                name=KIND_COLLECTION,
                label=_("Information collection"),  # 信息采集
                payload_model=CollectionPayload,
                apply=apply_collection,
                reviewer_template="dossier/review.html",
                proof_documents=collection_proofs,
                photo_document=collection_photo,
                before_submit=check_collection_before_submit,
                sla_working_days=5,
                notify_texts=NotifyTexts(
                    approved=_("Your information collection has been approved."),
                    returned=_("Your information collection has been returned. Reason: %(reason)s"),
                ),
            )
        )
