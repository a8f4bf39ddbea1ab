"""Create the demo accounts of the README (development only, safe to run again)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.constants import UserKind
from identity.management.demo import (
    DEMO_ACCOUNTANT,
    DEMO_PASSWORD,
    DOCUMENTED_STAFF,
    UNIT_REVIEWERS,
    DemoStaff,
)
from identity.models import User, _random_username
from identity.staff_services import (
    TOTP_DEVICE_NAME,
    create_staff,
    move_staff,
    set_staff_active,
    set_staff_role,
)
from regions.models import ReviewUnit

# A fixed salt makes the demo password's hash one known string: checking that an account still has
# it is a string comparison, so running seed_demo again costs one hash, not one per account. (The
# password is public anyway; 24 characters keep the salt long enough for Django's must_update.)
_DEMO_SALT = "hbkjdemosaltnotasecret26"


def demo_password_hash() -> str:
    """The demo password hashed with the current hasher and the fixed salt (one hash per run)."""
    return make_password(DEMO_PASSWORD, salt=_DEMO_SALT)


def ensure_demo_staff(demo: DemoStaff, unit: ReviewUnit, password_hash: str) -> tuple[User, bool]:
    """The demo staff member exactly as documented; returns (user, created).

    `password_hash`: `demo_password_hash()`, computed once by the caller.
    """
    user = User.objects.filter(username=demo.username).select_related("unit").first()
    if user is None:
        user, _device = create_staff(
            username=demo.username,
            full_name=demo.full_name,
            password=DEMO_PASSWORD,
            role=demo.role,
            unit=unit,
            totp_key=demo.totp_key,
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        return user, True
    if not user.is_staff_member:
        raise CommandError(f"user {demo.username!r} exists and is not a staff account; rename it first")
    with transaction.atomic():
        set_staff_active(user=user, active=True, actor=None)
        move_staff(user=user, unit=unit, actor=None)
        set_staff_role(user=user, role=demo.role, actor=None)
        if user.full_name != demo.full_name or user.password != password_hash:
            user.full_name = demo.full_name
            user.password = password_hash
            user.save(update_fields=["full_name", "password"])
        if user.must_change_password or user.must_enrol_totp:  # reset on the staff management pages
            user.must_change_password = user.must_enrol_totp = False
            user.save(update_fields=["must_change_password", "must_enrol_totp"])
        device = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME).first()
        if device is None:
            TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=demo.totp_key, confirmed=True)
        elif device.key != demo.totp_key or not device.confirmed:
            device.key, device.confirmed, device.drift, device.last_t = demo.totp_key, True, 0, -1
            device.throttle_reset(commit=False)
            device.save()
    return user, False


def ensure_demo_accountant() -> tuple[User, bool]:
    """张三 with the README's ID number and phone; returns (user, created)."""
    demo = DEMO_ACCOUNTANT
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            kind=UserKind.ACCOUNTANT,
            id_type=demo.id_type,
            id_number=demo.id_number,
            defaults={"username": _random_username(), "full_name": demo.full_name, "phone": demo.phone},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif (user.full_name, user.phone, user.is_active) != (demo.full_name, demo.phone, True):
            user.full_name, user.phone, user.is_active = demo.full_name, demo.phone, True
            user.save(update_fields=["full_name", "phone", "is_active"])
    return user, created


class Command(BaseCommand):
    help = "Create the demo staff and the demo accountant of the README. Development only (DEBUG=1); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=1: the demo accounts have a public password and public TOTP secrets."
            )
        codes = sorted({demo.unit_code for demo in DOCUMENTED_STAFF + UNIT_REVIEWERS})
        units = {unit.code: unit for unit in ReviewUnit.objects.filter(code__in=codes, is_active=True)}
        missing = sorted({demo.unit_code for demo in DOCUMENTED_STAFF} - set(units))
        if missing:
            raise CommandError(
                f"review units {', '.join(missing)} are missing: run `manage.py migrate` first (regions data)."
            )

        password_hash = demo_password_hash()
        for demo in DOCUMENTED_STAFF + UNIT_REVIEWERS:
            unit = units.get(demo.unit_code)
            if unit is None:  # a 武汉 unit removed or deactivated by an administrator
                self.stdout.write(f"staff {demo.username:<9} skipped  (no active review unit {demo.unit_code})")
                continue
            user, created = ensure_demo_staff(demo, unit, password_hash)
            state = "created" if created else "checked"
            self.stdout.write(f"staff {demo.username:<9} {state:<8} {user.get_role_display()} · {unit.name}")
        accountant, created = ensure_demo_accountant()
        self.stdout.write(f"accountant {accountant.full_name} {'created' if created else 'checked'}")
        self._explain()

    def _explain(self) -> None:
        demo = DEMO_ACCOUNTANT
        lines = [
            "",
            "How to sign in (development only):",
            f"  Staff: {reverse('identity:staff_login')} with one of "
            + ", ".join(d.username for d in DOCUMENTED_STAFF)
            + f" / {DEMO_PASSWORD} and the current TOTP code",
            f"         shown on {reverse('notifications:dev_outbox')} (or add the secret to an authenticator app):",
        ]
        lines += [f"           {d.username:<9} {d.totp_secret_base32}" for d in DOCUMENTED_STAFF]
        lines += ["         and a reviewer for every other review unit of 武汉市 (same password):"]
        lines += [f"           {d.username:<9} {d.totp_secret_base32}  {d.full_name}" for d in UNIT_REVIEWERS]
        lines += [
            f"  Accountant {demo.full_name}: {reverse('identity:login')} with 居民身份证 {demo.id_number}, phone {demo.phone};",
            f"         the SMS code is printed on the console and listed on {reverse('notifications:dev_outbox')}.",
        ]
        self.stdout.write("\n".join(lines))
