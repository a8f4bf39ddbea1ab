"""Labels of the 统计分析 audit actions, registered from ReportsConfig.ready() (audit.actions lets an
app register its own) so that their Chinese labels live in the reports catalogue."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "reports.dashboard_view": _("Viewed the statistics dashboard"),
    "reports.table_export": _("Exported a statistics table"),
}


def register_all() -> None:
    from audit.actions import register_action

    for code, label in LABELS.items():
        register_action(code, label)
