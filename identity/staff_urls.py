# Staff sign-in (username + password + TOTP) and the staff workbench.
from django.urls import path

from .views import staff

urlpatterns = [
    path("staff/login/", staff.staff_login, name="staff_login"),
    path("staff/", staff.staff_home, name="staff_home"),
]
