# The public 手机号更换 pages (manual §9).
from django.urls import path

from . import views

app_name = "phone_change"

urlpatterns = [
    path("", views.apply, name="apply"),
    path("send-code/", views.apply_send_code, name="apply_send_code"),
    path("submitted/", views.submitted, name="submitted"),
    path("status/", views.status, name="status"),
    path("status/send-code/", views.status_send_code, name="status_send_code"),
    path("status/result/", views.status_result, name="status_result"),
]
