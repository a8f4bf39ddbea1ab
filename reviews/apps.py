from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # Staff may open a proof whose application is in their scope (documents knows no reviews).
        from documents.access import register_access_rule

        from .scope import staff_may_view_application_document

        register_access_rule(staff_may_view_application_document)
