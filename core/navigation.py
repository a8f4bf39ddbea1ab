"""The six entries of the 导航页 (manual §3). An entry links once its page exists."""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    title: Promise
    purpose: Promise
    audience: Promise
    url_name: str

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


ENTRIES = (
    Entry(
        "collect",
        _("Information collection"),
        _("Register and hand in your personal dossier: personal data, education, qualifications, post and proofs."),
        _("Every accountant who has never been collected."),
        "dossier:collect",
    ),
    Entry(
        "record",
        _("Information query"),
        _("View your approved personal record, photo and proofs."),
        _("Accountants whose collection has been approved."),
        "dossier:record",
    ),
    Entry(
        "change",
        _("Information change"),
        _("Report a change of employer, region, education or qualification for review."),
        _("Accountants whose collection has been approved."),
        "dossier:change",
    ),
    Entry(
        "ce",
        _("Continuing education"),
        _("Enter continuing-education credits earned outside face-to-face and online training."),
        _("Accountants whose collection has been approved."),
        "continuing_education:index",
    ),
    Entry(
        "integrity",
        _("Integrity records"),
        _("Apply for honours and awards to be entered in your integrity record."),
        _("Accountants whose collection has been approved."),
        "integrity:index",
    ),
    Entry(
        "phone",
        _("Mobile number change"),
        _("Registered but lost your old phone? Apply here to sign in with a new number."),
        _("Registered accountants who can no longer receive codes on the old phone."),
        "phone_change:apply",
    ),
)


@dataclass(frozen=True)
class StaffLink:
    title: Promise
    url_name: str
    superuser_only: bool = False
    # When set, only staff with one of these roles see the link (identity.constants.StaffRole values).
    roles: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# The finance-bureau staff's menu, the same on every staff page.
STAFF_LINKS = (
    StaffLink(_("Workbench"), "identity:staff_home"),
    StaffLink(_("Review inbox"), "reviews:inbox"),
    StaffLink(_("Statistics"), "reports:dashboard"),
    StaffLink(_("People search"), "reports:people:search"),
    StaffLink(_("Data exports"), "reports:exports:index"),
    StaffLink(_("Integrity record management"), "integrity:staff_search"),
    StaffLink(_("Staff management"), "identity:staff_manage", roles=("unit_admin", "system_admin")),
    StaffLink(_("Training institutions"), "institutions:admin_list", roles=("unit_admin", "system_admin")),
    StaffLink(_("My account"), "identity:staff_account"),
    StaffLink(_("Audit log"), "audit:log", roles=("auditor", "security_admin")),
    StaffLink(_("Failed SMS"), "notifications:failed_list", superuser_only=True),
    StaffLink(_("System administration"), "admin:index", superuser_only=True),
)


# Training-institution staff (role "institution") see none of the finance bureau's pages: their menu.
INSTITUTION_LINKS = (
    StaffLink(_("Course management"), "institutions:home"),
    StaffLink(_("My account"), "identity:staff_account"),
)


def staff_links(user: Any, current_path: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    menu = INSTITUTION_LINKS if getattr(user, "role", "") == "institution" else STAFF_LINKS
    for link in menu:
        url = link.url
        if url is None or (link.superuser_only and not user.is_superuser):
            continue
        if link.roles and getattr(user, "role", "") not in link.roles:
            continue
        matches = current_path == url if url == "/" else current_path.startswith(url)
        links.append({"title": link.title, "url": url, "active": matches})
    # One entry is current: the one whose URL is the longest prefix of the page (人员查询 at
    # /reports/people/ lies under 统计分析's /reports/, but only 人员查询 is where the person is).
    current = max((link for link in links if link["active"]), key=lambda link: len(link["url"]), default=None)
    for entry in links:
        entry["active"] = entry is current
    return links


# Signed-in accountants get the entries of the 导航页 as a menu (not the public 手机号更换申请).
ACCOUNTANT_MENU_KEYS = ("collect", "record", "change", "ce", "integrity")


def accountant_links(current_path: str) -> list[dict]:
    links = []
    for entry in ENTRIES:
        url = entry.url
        if entry.key not in ACCOUNTANT_MENU_KEYS or url is None:
            continue
        links.append({"title": entry.title, "url": url, "active": current_path.startswith(url)})
    return links
