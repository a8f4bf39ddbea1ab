"""Chinese for the admin pages of django-axes and django-otp, which ship no zh_Hans catalogue.

django-axes marks its strings for translation: the msgids it uses (axes/models.py, axes/admin.py)
are listed below with gettext_noop so that makemessages puts them in audit's catalogue; Django
merges the catalogues of every installed app, so they translate the axes pages too.

django-otp uses plain strings (no gettext). `translate_third_party_names()` (AuditConfig.ready)
sets lazy translations of the same English words on the app configs, TOTPDevice's Meta and its
fields' verbose names. That changes no migration: migration state reads a model's
`_meta.original_attrs` and a field's `_verbose_name`, not the values set here.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_MSGIDS = [
    gettext_noop("Locked Out"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]

APP_NAMES = {
    "axes": _("Sign-in lockouts (axes)"),
    "otp_totp": _("Authenticator devices (TOTP)"),
}

TOTP_FIELD_NAMES = {
    "user": _("user"),
    "name": _("device name"),
    "confirmed": _("confirmed"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
    "key": _("secret key"),
    "step": _("time step"),
    "t0": _("start time (t0)"),
    "digits": _("digits"),
    "tolerance": _("tolerance"),
    "drift": _("clock drift"),
    "last_t": _("last time step"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts"),
}


def translate_third_party_names() -> None:
    """Give django-axes and django-otp Chinese names in the admin (see the module docstring)."""
    for label, name in APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    if "otp_totp" not in apps.app_configs:
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    opts = TOTPDevice._meta
    opts.verbose_name = _("TOTP device")
    opts.verbose_name_plural = _("TOTP devices")
    for field in opts.get_fields():
        if field.name in TOTP_FIELD_NAMES and hasattr(field, "verbose_name"):
            field.verbose_name = TOTP_FIELD_NAMES[field.name]
