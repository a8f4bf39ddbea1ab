from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("dev/outbox/", views.DevOutboxView.as_view(), name="dev_outbox"),
]
