"""Create a staff account from the command line and print its TOTP secret once."""

import base64
import getpass
import io
import secrets
import sys
from typing import Any

import qrcode
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.constants import StaffRole
from identity.staff_services import StaffAccountError, create_staff
from regions.models import ReviewUnit


def _generated_password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


class Command(BaseCommand):
    help = (
        "Create a staff account (reviewer, unit administrator or system administrator) bound to a review unit, "
        "with its TOTP device. Prints the TOTP secret and otpauth URI once: give them to the person only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="full name (姓名)")
        parser.add_argument("--role", required=True, choices=StaffRole.values)
        parser.add_argument("--unit", required=True, help="review unit code, e.g. 420102")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="initial password; asked for twice when omitted on a terminal, otherwise generated and printed once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = ReviewUnit.objects.filter(code=options["unit"], is_active=True).first()
        if unit is None:
            raise CommandError(f"no active review unit with code {options['unit']!r}")
        password, generated = self._password(options)
        try:
            user, device = create_staff(
                username=options["username"],
                full_name=options["name"],
                password=password,
                role=options["role"],
                unit=unit,
                email=options["email"],
            )
        except StaffAccountError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in exc.message_dict.items()
            )
            raise CommandError(problems) from None
        assert device is not None  # made with the account (no enrolment at the first sign-in)

        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}, {unit.name}).")
        if generated:
            self.stdout.write(f"Initial password (shown once): {password}")
        self.stdout.write(f"TOTP secret (shown once): {secret}")
        self.stdout.write(f"otpauth URI: {device.config_url}")
        qr = qrcode.QRCode(border=1)
        qr.add_data(device.config_url)
        text = io.StringIO()
        qr.print_ascii(out=text, invert=True)
        self.stdout.write(text.getvalue())

    def _password(self, options: dict[str, Any]) -> tuple[str, bool]:
        if options["password"]:
            return options["password"], False
        if sys.stdin.isatty():
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
            return first, False
        return _generated_password(), True
