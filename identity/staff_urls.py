# Staff sign-in (username + password + TOTP), the staff workbench, one's own account, the first
# sign-in (new password + authenticator) and staff management (人员管理).
from django.urls import path

from .views import staff, staff_account, staff_manage

urlpatterns = [
    path("staff/login/", staff.staff_login, name="staff_login"),
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/first-sign-in/", staff_account.first_sign_in, name="staff_first_sign_in"),
    path("staff/first-sign-in/password/", staff_account.first_password, name="staff_first_password"),
    path("staff/first-sign-in/authenticator/", staff_account.enrol, name="staff_enrol"),
    path("staff/account/", staff_account.account, name="staff_account"),
    path("staff/account/password/", staff_account.password_change, name="staff_password"),
    path("staff/manage/", staff_manage.manage_list, name="staff_manage"),
    path("staff/manage/new/", staff_manage.manage_new, name="staff_manage_new"),
    path("staff/manage/<int:pk>/", staff_manage.manage_detail, name="staff_manage_detail"),
    path("staff/manage/<int:pk>/assign/", staff_manage.manage_assign, name="staff_manage_assign"),
    path("staff/manage/<int:pk>/active/", staff_manage.manage_active, name="staff_manage_active"),
    path(
        "staff/manage/<int:pk>/reset-password/", staff_manage.manage_reset_password, name="staff_manage_reset_password"
    ),
    path("staff/manage/<int:pk>/reset-authenticator/", staff_manage.manage_reset_totp, name="staff_manage_reset_totp"),
]
