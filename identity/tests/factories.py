"""Factories of identity users. Shared file: the accountant (H2) and staff (H3) parts each append."""

import time

import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.constants import StaffRole, UserKind
from identity.models import User
from regions.models import Division, ReviewUnit

# --------------------------------------------------------------------------- staff (H3)
# Staff users with a confirmed TOTP device; `StaffFactory.code_for(user)` gives the current code.

STAFF_PASSWORD = "Staff-Password-2026"

# code: (division name, unit name, level, parent code). Enough of the tree for tests that run after
# a flush (transactional and browser tests), where the regions data migration's rows are gone.
_TEST_UNITS = {
    "420000": ("湖北省", "湖北省省直", "province", None),
    "420100": ("武汉市", "武汉市市直", "city", "420000"),
    "420102": ("江岸区", "江岸区", "county", "420100"),
    "420103": ("江汉区", "江汉区", "county", "420100"),
    "420200": ("黄石市", "黄石市市直", "city", "420000"),
    "420202": ("黄石港区", "黄石港区", "county", "420200"),
}


def review_unit(code: str) -> ReviewUnit:
    """The review unit with this code, created (with its parents) if the regions data is not loaded."""
    unit = ReviewUnit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    division_name, unit_name, level, parent_code = _TEST_UNITS[code]
    parent = review_unit(parent_code) if parent_code else None
    division, _ = Division.objects.get_or_create(
        code=code, defaults={"name": division_name, "level": level, "parent_id": parent.division_id if parent else None}
    )
    return ReviewUnit.objects.create(
        code=code,
        name=unit_name,
        level=level,
        division=division,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
    )


class StaffFactory(factory.django.DjangoModelFactory):
    """A finance-bureau staff member (default: reviewer of 江岸区) with a confirmed TOTP device.

    `StaffFactory(totp_device=False)` makes one without a device.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"审核员{n}")
    kind = UserKind.STAFF
    role = StaffRole.REVIEWER
    unit = factory.LazyFunction(lambda: review_unit("420102"))
    password = factory.django.Password(STAFF_PASSWORD)
    is_staff = factory.LazyAttribute(lambda o: o.role == StaffRole.SYSTEM_ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == StaffRole.SYSTEM_ADMIN)

    @factory.post_generation
    def totp_device(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTPDevice.objects.create(user=obj, name="default", confirmed=True)

    @staticmethod
    def code_for(user, *, offset_steps: int = 0) -> str:
        """The code the user's authenticator app shows now (or `offset_steps` steps away)."""
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time() + offset_steps * device.step
        return f"{totp.token():0{device.digits}d}"


# --------------------------------------------------------------------------- accountants (H2)


def resident_id(first17: str) -> str:
    """A resident ID number with its correct MOD 11-2 check digit."""
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")


def _now():
    from django.utils import timezone

    return timezone.now()


def _nth_resident_id(n: int) -> str:
    import datetime

    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12000)
    return resident_id(f"420102{born:%Y%m%d}{n % 1000:03d}")


class AccountantFactory(factory.django.DjangoModelFactory):
    """A registered accountant (居民身份证, 武汉市江岸区 area code), no usable password.

    `AccountantFactory(locked=True)` is locked by SMS failures.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        locked = factory.Trait(sms_failed_count=100, sms_locked_at=factory.LazyFunction(_now))

    username = factory.Sequence(lambda n: f"acc-test-{n}")
    kind = UserKind.ACCOUNTANT
    full_name = factory.Sequence(lambda n: f"会计{n}")
    id_type = "resident_id"
    id_number = factory.Sequence(_nth_resident_id)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password(None)


def last_sms_code(phone: str | None = None) -> str:
    """The code in the newest SMS of the locmem outbox (to `phone`, when given)."""
    import re

    from notifications.backends import outbox

    texts = [text for to, text in outbox if phone is None or to == phone]
    assert texts, "no SMS was sent"
    found = re.search(r"\d{6}", texts[-1])
    assert found is not None, "no code in the SMS"
    return found.group(0)


def login_data(user=None, **overrides) -> dict:
    """POST data of the accountant sign-in form; the captcha answer works in CAPTCHA_TEST_MODE."""
    data = {
        "purpose": "login",
        "id_type": user.id_type if user else "resident_id",
        "id_number": user.id_number if user else "420102199001011236",
        "phone": user.phone if user else "13800000000",
        "captcha_0": "test",
        "captcha_1": "PASSED",
        "sms_code": "",
    }
    return {**data, **overrides}


def register_data(**overrides) -> dict:
    """POST data of the registration form for 张三 (420102199001011236, 13800000000)."""
    data = {
        "purpose": "register",
        "id_type": "resident_id",
        "id_number": "420102199001011236",
        "full_name": "张三",
        "phone": "13800000000",
        "captcha_0": "test",
        "captcha_1": "PASSED",
        "sms_code": "",
    }
    return {**data, **overrides}


def sign_in_verified_staff(client, user):
    """Sign a staff member in with the TOTP step done, as the staff sign-in view leaves the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client
