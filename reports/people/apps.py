from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """人员查询 and a person's file for finance-bureau staff (reads identity, dossier, reviews,
    continuing education and integrity; no tables of its own)."""

    name = "reports.people"
    label = "report_people"
    verbose_name = _("People")
