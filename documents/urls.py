from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<uuid:pk>/", views.document_view, name="view"),
    path("photo/", views.photo_upload, name="photo_upload"),
    path("proof/", views.proof_upload, name="proof_upload"),
    path("employment-statement/", views.employment_statement, name="employment_statement"),
]
