import datetime
import io
import zoneinfo

import pytest
import time_machine
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from identity.constants import StaffRole
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, resident_id, review_unit
from institutions import services
from institutions.models import CourseCreditRule, InstitutionMembership

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
USCC_A = "91420100MA4K0XXX2N"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def hubei_rule(request):
    """The data migration's rule (1 学时 = 3 credits), again if a transactional test flushed it."""
    if not request.node.get_closest_marker("django_db") and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    CourseCreditRule.objects.get_or_create(
        from_year=2018, mode="", defaults={"rule": "per_hour", "params": {"credits_per_hour": 3}}
    )


def valid_uscc(seed: int) -> str:
    from stdnum.cn import uscc

    body = f"91420100MA4K{seed:05d}"[:17]
    return body + uscc.calc_check_digit(body)


def city_admin(code="420100"):
    return StaffFactory(role=StaffRole.UNIT_ADMIN, unit=review_unit(code))


def make_institution(n=1, region_code="420100"):
    return services.create_institution(
        actor=StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000")),
        name=f"武汉培训中心{n}",
        uscc=valid_uscc(n),
        region=review_unit(region_code),
        contact_name="李四",
        contact_phone="13900000001",
    )


def institution_user(institution):
    user = StaffFactory(role=StaffRole.INSTITUTION, unit=None)
    InstitutionMembership.objects.create(user=user, institution=institution)
    return user


def sign_in(client, user):
    from django.urls import reverse

    response = client.post(
        reverse("identity:staff_login"),
        {"username": user.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(user)},
    )
    assert response.status_code == 302, response.content[:500]
    return response


def make_course(institution, actor=None, **overrides):
    values = {
        "name": "2026年政府会计准则培训",
        "subject": "professional",
        "mode": "face_to_face",
        "start_date": datetime.date(2026, 5, 1),
        "end_date": datetime.date(2026, 5, 3),
        "hours": 8,
    }
    values.update(overrides)
    return services.create_course(
        institution=institution, actor=actor or institution_user(institution), data=services.CourseInput(**values)
    )


def nth_id(n: int) -> str:
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12000)
    return resident_id(f"420103{born:%Y%m%d}{n % 1000:03d}")


def row(n, **overrides):
    values = {"id_type": "居民身份证", "id_number": nth_id(n), "name": f"学员{n}", "date": "2026-05-02"}
    values.update(overrides)
    return values


def xlsx(rows, header=("证件类型", "证件号码", "姓名", "参训日期")) -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(list(header))
    for r in rows:
        sheet.append([r.get("id_type"), r.get("id_number"), r.get("name"), r.get("date")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
