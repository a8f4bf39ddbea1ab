from django.urls import path  # noqa: F401 - the dashboard and export views add their patterns here

app_name = "reports"

urlpatterns: list = []
