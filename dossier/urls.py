from django.urls import path

from . import views

app_name = "dossier"

urlpatterns = [
    path("collect/", views.collect, name="collect"),
    path("collect/step/<slug:step>/", views.step_view, name="step"),
    path("collect/employment-statement/", views.employment_statement, name="employment_statement"),
    path("collect/submit/", views.submit, name="submit"),
    path("collect/status/", views.status, name="status"),
    path("record/", views.record, name="record"),
]
