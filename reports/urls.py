from django.urls import include, path

app_name = "reports"

urlpatterns: list = []

# 统计分析 (reports.views): the dashboard and the XLSX export of one of its tables.
from . import views as dashboard_views  # noqa: E402

urlpatterns += [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("export/<slug:key>.xlsx", dashboard_views.export_table, name="export_table"),
]

# 人员查询 (reports.people): the one line of this shared file it owns.
urlpatterns.append(path("people/", include("reports.people.urls")))

# 数据导出 (reports.exports): the one line of this shared file it owns.
urlpatterns.append(path("exports/", include("reports.exports.urls")))
