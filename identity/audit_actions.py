"""Labels of identity's staff-management and first-sign-in audit actions.

Registered from IdentityConfig.ready() (audit.actions allows an app to register its own), so that
their Chinese labels live in identity's catalogue next to the code that records them.
"""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "staff.reset_password": _("Reset a staff member's password"),
    "staff.reset_totp": _("Reset a staff member's authenticator"),
    "auth.staff_first_sign_in": _("Staff first sign-in started"),
    "auth.staff_totp_enrolled": _("Staff bound a new authenticator"),
    "auth.staff_totp_enrolment_failed": _("Staff authenticator binding failed"),
    "auth.staff_password_changed": _("Staff changed their password"),
}


def register_all() -> None:
    from audit.actions import register_action

    for code, label in LABELS.items():
        register_action(code, label)
