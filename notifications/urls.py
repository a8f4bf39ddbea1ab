from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("dev/outbox/", views.DevOutboxView.as_view(), name="dev_outbox"),
    path("notifications/failed/", views.failed_list, name="failed_list"),
    path("notifications/failed/<int:pk>/resend/", views.resend, name="resend"),
]
