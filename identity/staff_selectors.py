"""Reads about staff accounts."""

import time
from dataclasses import dataclass

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass(frozen=True)
class DemoCode:
    username: str
    full_name: str
    role: str
    unit: str
    code: str
    next_code: str  # also accepted (one step of tolerance): handy right after signing in with `code`
    seconds_left: int


def demo_staff_totp_codes() -> list[DemoCode]:
    """The current TOTP code of each demo staff account, for the developer outbox page.

    DEBUG only (an empty list otherwise), and only for devices that still hold the public demo
    secret: a real account in a developer's database never shows up here.
    """
    if not settings.DEBUG:
        return []
    from identity.management.demo import DEMO_STAFF

    wanted = {demo.username: demo for demo in DEMO_STAFF}
    devices = (
        TOTPDevice.objects.filter(user__username__in=wanted, confirmed=True, user__is_active=True)
        .select_related("user", "user__unit")
        .order_by("user__username", "pk")
    )
    now = time.time()
    codes = []
    for device in devices:
        demo = wanted[device.user.username]
        if device.key.lower() != demo.totp_key:
            continue
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = now
        current = f"{totp.token():0{device.digits}d}"
        totp.time = now + device.step
        upcoming = f"{totp.token():0{device.digits}d}"
        left = device.step - int(now - device.t0) % device.step
        codes.append(
            DemoCode(
                username=device.user.username,
                full_name=device.user.display_name,
                role=device.user.get_role_display(),
                unit=device.user.unit.name if device.user.unit_id else "",
                code=current,
                next_code=upcoming,
                seconds_left=left,
            )
        )
    order = [demo.username for demo in DEMO_STAFF]
    return sorted(codes, key=lambda c: order.index(c.username))
