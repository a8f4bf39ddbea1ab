# Accountant registration and sign-in (manual §4.1, §4.2).
from django.urls import path

from .views.accountant import login_view, register_view, send_code_view

urlpatterns = [
    path("login/", login_view, name="login"),
    path("register/", register_view, name="register"),
    path("send-code/", send_code_view, name="send_code"),
]
