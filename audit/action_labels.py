"""Labels of the audit actions recorded by the project's apps (see audit.actions).

Imported by AuditConfig.ready(). Add a line here with every new `record_event(action=...)` code;
audit.tests.test_actions fails for a code without one.
"""

from django.utils.translation import gettext_lazy as _

from .actions import register_action

LABELS = {
    # Accountants' sign-in and registration (identity)
    "accountant.registered": _("Accountant registered"),
    "auth.login": _("Accountant signed in"),
    "auth.login_failed": _("Accountant sign-in failed"),
    "auth.logout": _("Signed out"),
    "auth.register_failed": _("Registration failed"),
    "auth.code_check_failed": _("SMS code check failed"),
    "auth.sms_code_sent": _("SMS code sent"),
    "auth.sms_code_not_sent": _("SMS code not sent"),
    "auth.sms_code_refused": _("SMS code request refused (rate limit)"),
    "auth.sms_delivery_failed": _("SMS delivery failed"),
    "auth.accountant_locked": _("Accountant locked after failed SMS codes"),
    "auth.accountant_unlocked": _("Accountant unlocked"),
    # Staff sign-in and accounts (identity)
    "auth.staff_login": _("Staff sign-in"),
    "auth.staff_lockout": _("Staff account locked out"),
    "staff.create": _("Created a staff account"),
    "staff.role": _("Changed a staff member's role"),
    "staff.move": _("Moved a staff member to another unit"),
    "staff.activate": _("Activated a staff account"),
    "staff.deactivate": _("Deactivated a staff account"),
    # Applications and their review (reviews)
    "reviews.start": _("Started an application"),
    "reviews.submit": _("Submitted an application"),
    "reviews.withdraw": _("Withdrew an application"),
    "reviews.view": _("Viewed an application"),
    "reviews.set_unit": _("Changed the review unit of an application"),
    "reviews.approve": _("Approved an application"),
    "reviews.return": _("Returned an application"),
    # Information collection and change (dossier) and their documents
    "dossier.save_step": _("Saved a collection step"),
    "dossier.store_proof": _("Stored a proof document"),
    "dossier.change.start": _("Started an information change"),
    "document.view": _("Viewed a document"),
    # Mobile number change (phone_change)
    "phone_change.submitted": _("Submitted a mobile number change"),
    "phone_change.already_pending": _("Mobile number change refused: one is already pending"),
    "phone_change.not_routed": _("Mobile number change not matched to an accountant"),
    "phone_change.status_checked": _("Checked the status of a mobile number change"),
    "phone_change.applied": _("Mobile number change applied"),
    # Continuing education
    "continuing_education.file": _("Filed a continuing education record"),
    "continuing_education.correct": _("Corrected a continuing education record"),
    "continuing_education.delete": _("Deleted a continuing education record"),
    "continuing_education.settle": _("Settled the credits of a continuing education record"),
    # Integrity records
    "integrity.search": _("Searched integrity records"),
    "integrity.view_person": _("Viewed a person's integrity records"),
    "integrity.honour_save": _("Saved an honour record"),
    "integrity.honour_delete": _("Deleted an honour record"),
    "integrity.negative_create": _("Recorded a negative integrity record"),
    "integrity.negative_revoke": _("Revoked a negative integrity record"),
    # People search (reports.people)
    "people.search": _("Searched for people"),
    "people.view_person": _("Viewed a person's file"),
    # Data exports (reports.exports)
    "reports.export_requested": _("Requested a data export"),
    "reports.export_completed": _("Data export written"),
    "reports.export_failed": _("Data export failed"),
    "reports.export_downloaded": _("Downloaded a data export"),
    # Notifications
    "notifications.resend": _("Resent a notification"),
    # The audit viewer (audit.views): reading the audit log is audited too
    "audit.view": _("Viewed the audit log"),
    "audit.export": _("Exported the audit log"),
}


def register_all() -> None:
    for code, label in LABELS.items():
        register_action(code, label)
