from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:pk>/", views.job_page, name="job"),
    path("<uuid:pk>/progress/", views.progress, name="progress"),
    path("<uuid:pk>/download/", views.download, name="download"),
]
