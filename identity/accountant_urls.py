# Accountant registration and sign-in (manual §4.1, §4.2). Filled by the accountant sign-in work.
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("login/", TemplateView.as_view(template_name="base.html"), name="login"),
]
