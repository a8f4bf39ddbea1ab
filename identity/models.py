"""Users: accountants (ID + phone + SMS code, no password) and finance-bureau staff."""

import uuid
from collections.abc import Callable
from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .constants import IdType, StaffRole, UserKind


def _random_username() -> str:
    return "acc-" + uuid.uuid4().hex


class User(AbstractUser):
    """One table for both kinds of user.

    Accountants are identified by (证件类型, 证件号码) and reach the system through the phone on
    record; their username is random so that no ID number ever lands in a log line or a URL.
    Staff sign in with username + password + TOTP and are bound to one review unit with a role.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=UserKind.choices, default=UserKind.ACCOUNTANT)
    full_name = models.CharField(_("name"), max_length=50, blank=True)  # 姓名
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, db_index=True)

    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices, blank=True)
    unit = models.ForeignKey(
        "regions.ReviewUnit",
        verbose_name=_("review unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    # Staff credentials reset by an administrator (identity.staff_management): the one-time password
    # must be replaced at the next sign-in; the next sign-in enrols a new authenticator (TOTP) device.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    must_enrol_totp = models.BooleanField(_("must enrol an authenticator"), default=False)

    # 100 consecutive failed SMS codes lock an accountant until staff unlock them.
    sms_failed_count = models.PositiveIntegerField(_("consecutive failed codes"), default=0)
    sms_locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    objects: ClassVar[UserManager[Self]] = UserManager()

    # Set on the request's user by django_otp's OTPMiddleware (an annotation only: no field, no attribute here).
    is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=Q(kind=UserKind.ACCOUNTANT),
                name="identity_unique_accountant_id",
            ),
        ]
        indexes = [
            # Staff look a person up by ID number whatever its type (人员查询, 诚信记录管理).
            models.Index(fields=["id_number", "id_type"], name="identity_user_id_number_idx"),
            # Name prefix (`LIKE '张%'`): varchar_pattern_ops serves LIKE under any collation on
            # PostgreSQL; elsewhere it is a plain index. Its full order (name and ID number in
            # character code order, then id) is the order of a name search's results
            # (dossier.people.NAME_ORDER): the first page is read off the index, never every match.
            models.Index(
                fields=["full_name", "id_number", "id"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
                name="identity_user_name_order",
            ),
            # The user admin's order (identity.admin.UserAdmin.ordering), with or without its kind filter.
            models.Index(fields=["kind", "username"], name="identity_user_kind_username"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_accountant(self) -> bool:
        return self.kind == UserKind.ACCOUNTANT

    @property
    def is_staff_member(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_sms_locked(self) -> bool:
        return self.sms_locked_at is not None

    def _get_session_auth_hash(self, secret: str | bytes | None = None) -> str:
        """For accountants the session hash covers the phone too: a changed number (手机号更换)
        ends every session of the person, as a changed password does. Staff keep Django's hash.

        Overrides the helper behind both get_session_auth_hash() and the SECRET_KEY_FALLBACKS check.
        """
        if self.kind != UserKind.ACCOUNTANT:
            # django-stubs omit this private helper of AbstractBaseUser.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc, no-any-return]
        return salted_hmac(
            "identity.User.get_session_auth_hash.accountant",
            f"{self.password}\x1f{self.phone}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SmsCodePurpose(models.TextChoices):
    """What a one-time SMS code may be used for. A code for one purpose never opens another."""

    REGISTER = "register", _("Registration")
    LOGIN = "login", _("Sign-in")
    # 手机号更换: the code goes to the NEW phone, so the applicant proves they hold it.
    PHONE_CHANGE = "phone_change", _("Mobile number change")


class SmsCode(models.Model):
    """A live one-time SMS code (SECURITY.md, "Sign-in by SMS code").

    Rules, enforced by `identity.codes`:
    - the code itself is never stored: `code_hash` is an HMAC over the binding, a random
      challenge kept in the requester's session and the code;
    - `binding` is an HMAC of (purpose, ID type, ID number, phone): it finds the live code
      without the table holding a whole ID number or phone. One live code per binding: a
      resend replaces the old one;
    - a code dies when used, when `expires_at` passes, or after SMS_CODE_MAX_ATTEMPTS wrong tries.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=SmsCodePurpose.choices)
    binding = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"
