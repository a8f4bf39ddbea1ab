from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """数据导出: rosters, applications and 继续教育 records as XLSX files, written in the background."""

    name = "reports.exports"
    label = "report_exports"
    verbose_name = _("Data exports")
    default_auto_field = "django.db.models.BigAutoField"
