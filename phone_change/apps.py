from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneChangeConfig(AppConfig):
    name = "phone_change"
    verbose_name = _("Mobile number changes")

    def ready(self):
        from notifications.messages import PHONE_CHANGE_APPROVED
        from reviews.registry import ApplicationKind, NotifyTexts, register_kind

        from .constants import KIND_LABEL, KIND_PHONE_CHANGE, SLA_WORKING_DAYS
        from .models import PhoneChangePayload
        from .selectors import phone_change_proofs
        from .services import apply_phone_change

        register_kind(
            ApplicationKind(
                name=KIND_PHONE_CHANGE,
                label=KIND_LABEL,  # 手机号更换
                payload_model=PhoneChangePayload,
                apply=apply_phone_change,
                reviewer_template="phone_change/review.html",
                proof_documents=phone_change_proofs,
                sla_working_days=SLA_WORKING_DAYS,
                exclusive=True,
                notify_texts=NotifyTexts(
                    # apply() has put the new number on the account: this goes to the NEW phone.
                    approved=PHONE_CHANGE_APPROVED.key,
                    # The old phone is lost and the new one is not the account's yet: the person
                    # reads the reason on the status page instead.
                    returned=None,
                ),
            )
        )
