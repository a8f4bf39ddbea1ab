"""The `create_staff` and `seed_demo` management commands."""

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.constants import IdType, StaffRole, UserKind
from identity.management.demo import DEMO_ACCOUNTANT, DEMO_PASSWORD, DEMO_STAFF, DOCUMENTED_STAFF, UNIT_REVIEWERS
from identity.models import User
from identity.tests.factories import STAFF_PASSWORD, review_unit

pytestmark = pytest.mark.django_db


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seed_demo creates 16 accounts


@pytest.fixture
def demo_units(settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    for code in ("420000", "420100", "420102"):
        review_unit(code)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def create_lisi(*, unit="420102", password=STAFF_PASSWORD) -> str:
    return run("create_staff", "lisi", "--name", "李四", "--role", "reviewer", "--unit", unit, "--password", password)


# --------------------------------------------------------------------------- create_staff


def test_create_staff_prints_the_totp_secret_and_uri_once():
    review_unit("420102")

    output = create_lisi()

    user = User.objects.get(username="lisi")
    device = TOTPDevice.objects.get(user=user)
    secret = base64.b32encode(device.bin_key).decode()
    assert (user.kind, user.role, user.unit.code) == (UserKind.STAFF, StaffRole.REVIEWER, "420102")
    assert user.check_password(STAFF_PASSWORD)
    assert f"TOTP secret (shown once): {secret}" in output
    assert "otpauth://totp/" in output
    assert STAFF_PASSWORD not in output


def test_create_staff_without_a_password_generates_one_that_works(monkeypatch):
    review_unit("420000")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    output = run("create_staff", "root", "--name", "系统管理员", "--role", "system_admin", "--unit", "420000")

    line = next(line for line in output.splitlines() if line.startswith("Initial password"))
    password = line.split(": ", 1)[1]
    user = User.objects.get(username="root")
    assert user.check_password(password)
    assert user.is_superuser and user.is_staff


def test_create_staff_refuses_an_unknown_unit():
    with pytest.raises(CommandError, match="no active review unit"):
        create_lisi(unit="999999")
    assert not User.objects.filter(username="lisi").exists()


def test_create_staff_reports_a_weak_password_and_creates_nothing():
    review_unit("420102")

    with pytest.raises(CommandError, match="password"):
        create_lisi(password="123")
    assert not User.objects.filter(username="lisi").exists()


# --------------------------------------------------------------------------- seed_demo


def test_seed_demo_creates_the_documented_accounts(settings, demo_units):
    settings.DEBUG = True

    output = run("seed_demo")

    for demo in DEMO_STAFF:
        user = User.objects.get(username=demo.username)
        assert (user.kind, user.role, user.unit.code) == (UserKind.STAFF, demo.role, demo.unit_code)
        assert user.check_password(DEMO_PASSWORD)
        assert TOTPDevice.objects.get(user=user, confirmed=True).key == demo.totp_key
        assert demo.totp_secret_base32 in output
    assert User.objects.get(username="admin").is_superuser
    accountant = User.objects.get(kind=UserKind.ACCOUNTANT, id_number=DEMO_ACCOUNTANT.id_number)
    assert (accountant.full_name, accountant.phone, accountant.id_type) == ("张三", "13800000000", IdType.RESIDENT_ID)
    assert not accountant.has_usable_password()
    assert "/accounts/staff/login/" in output
    assert "/dev/outbox/" in output


def test_seed_demo_is_idempotent(settings, demo_units):
    settings.DEBUG = True
    run("seed_demo")
    snapshot = sorted(User.objects.values_list("username", "kind", "role", "unit__code", "is_active"))
    devices = sorted(TOTPDevice.objects.values_list("user__username", "key"))

    run("seed_demo")

    assert sorted(User.objects.values_list("username", "kind", "role", "unit__code", "is_active")) == snapshot
    assert sorted(TOTPDevice.objects.values_list("user__username", "key")) == devices
    assert User.objects.count() == len(DEMO_STAFF) + 1


def test_every_review_unit_of_wuhan_has_a_demo_reviewer(settings, demo_units):
    """A demo accountant who moves anywhere in 武汉 (信息变更) finds a reviewer to decide it."""
    from regions.models import ReviewUnit

    settings.DEBUG = True
    output = run("seed_demo")

    wuhan = ReviewUnit.objects.filter(path__startswith=review_unit("420100").path, is_active=True)
    assert wuhan.count() >= 14  # 市直 and its 13 districts (regions data migration)
    demo_usernames = {demo.username for demo in DEMO_STAFF}
    for unit in wuhan:
        reviewers = User.objects.filter(kind=UserKind.STAFF, role=StaffRole.REVIEWER, unit=unit, is_active=True)
        assert reviewers.filter(username__in=demo_usernames).exists(), unit.name
    for demo in UNIT_REVIEWERS:
        user = User.objects.get(username=demo.username)
        assert demo.username == f"wh-{user.unit.code}" and user.check_password(DEMO_PASSWORD)
        assert TOTPDevice.objects.get(user=user, confirmed=True).key == demo.totp_key
        assert demo.totp_secret_base32 in output
    # The documented accounts are unchanged; every secret differs.
    assert [d.username for d in DOCUMENTED_STAFF] == ["province", "wuhan", "jiangan", "admin", "wuhan-admin"]
    assert DOCUMENTED_STAFF[1].totp_secret_base32 == "NBRGW2RNMRSW23ZNO52WQYLOFUWS2LJN"
    assert len({d.totp_key for d in DEMO_STAFF}) == len(DEMO_STAFF)


def test_a_wuhan_unit_taken_out_of_use_is_skipped_not_fatal(settings, demo_units):
    from regions.models import ReviewUnit

    settings.DEBUG = True
    review_unit("420100")
    ReviewUnit.objects.filter(code="420117").update(is_active=False)

    output = run("seed_demo")

    assert "wh-420117 skipped" in output
    assert not User.objects.filter(username="wh-420117").exists()
    assert User.objects.filter(username="jiangan").exists()


def test_seed_demo_puts_a_changed_demo_account_back(settings, demo_units):
    settings.DEBUG = True
    run("seed_demo")
    user = User.objects.get(username="jiangan")
    user.is_active = False
    user.unit = review_unit("420000")
    user.set_password("Something-Else-2026")
    user.save()
    TOTPDevice.objects.filter(user=user).update(key="00" * 20)

    run("seed_demo")

    user.refresh_from_db()
    assert user.is_active and user.unit.code == "420102" and user.check_password(DEMO_PASSWORD)
    assert TOTPDevice.objects.get(user=user).key == DEMO_STAFF[2].totp_key


def test_the_demo_totp_secret_gives_the_code_an_authenticator_app_would_show(settings, demo_units):
    settings.DEBUG = True
    run("seed_demo")
    demo = DEMO_STAFF[2]
    device = TOTPDevice.objects.get(user__username=demo.username)
    app_key = base64.b32decode(demo.totp_secret_base32)
    app = TOTP(app_key)
    app.time = 1_800_000_000
    server = TOTP(device.bin_key)
    server.time = 1_800_000_000

    assert app.token() == server.token()


def test_seed_demo_refuses_to_run_without_debug(settings, demo_units):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        run("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_says_which_units_are_missing(settings):
    from regions.models import ReviewUnit

    settings.DEBUG = True
    review_unit("420102")
    ReviewUnit.objects.filter(code="420102").update(code="420102x")

    with pytest.raises(CommandError, match="420102"):
        run("seed_demo")
