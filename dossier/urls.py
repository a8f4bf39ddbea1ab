from django.urls import path

from . import change_views, views

app_name = "dossier"

urlpatterns = [
    path("collect/", views.collect, name="collect"),
    path("collect/step/<slug:step>/", views.step_view, name="step"),
    path("collect/step/<slug:step>/draft/", views.step_draft, name="step_draft"),
    path("collect/education/row/", views.step_education_row, name="step_education_row"),
    path("collect/employment-statement/", views.employment_statement, name="employment_statement"),
    path("collect/submit/", views.submit, name="submit"),
    path("collect/status/", views.status, name="status"),
    path("record/", views.record, name="record"),
    # 信息变更 (manual §6)
    path("change/", change_views.change, name="change"),
    path("change/section/<slug:step>/", change_views.change_section, name="change_section"),
    path("change/section/<slug:step>/draft/", change_views.change_section_draft, name="change_section_draft"),
    path("change/education/row/", change_views.change_education_row, name="change_education_row"),
    path("change/proofs/", change_views.change_proofs, name="change_proofs"),
    path(
        "change/employment-statement/",
        change_views.change_employment_statement,
        name="change_employment_statement",
    ),
    path("change/submit/", change_views.change_submit, name="change_submit"),
    path("change/withdraw/", change_views.change_withdraw, name="change_withdraw"),
]
