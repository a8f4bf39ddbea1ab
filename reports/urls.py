from django.urls import include, path

app_name = "reports"

urlpatterns: list = []

# 人员查询 (reports.people): the one line of this shared file it owns.
urlpatterns.append(path("people/", include("reports.people.urls")))

# 数据导出 (reports.exports): the one line of this shared file it owns.
urlpatterns.append(path("exports/", include("reports.exports.urls")))
