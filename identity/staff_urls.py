# Staff sign-in (username + password + TOTP). Filled by the staff sign-in work.
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("staff/login/", TemplateView.as_view(template_name="base.html"), name="staff_login"),
]
