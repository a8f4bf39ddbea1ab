"""The audit log and the security tables (django-axes, django-otp) in the admin, in Chinese."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit, sign_in_verified_staff

pytestmark = pytest.mark.django_db

AUDIT_LIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def sysadmin():
    return StaffFactory(
        username="sysadmin", full_name="系统管理员甲", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000")
    )


@pytest.fixture
def admin_client(client, sysadmin):
    return sign_in_verified_staff(client, sysadmin)


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_index_names_the_audit_and_security_apps_in_chinese(admin_client):
    text = page(admin_client, reverse("admin:index"))

    assert "审计日志" in text
    assert "登录锁定" in text
    assert "登录尝试" in text
    assert "动态口令设备" in text
    for english in (">Audit<", "Audit events", ">Axes<", "Access attempts", "TOTP devices", "Otp_Totp"):
        assert english not in text


def test_the_audit_list_shows_chinese_headings_action_labels_and_the_actor_by_name(admin_client, sysadmin):
    record_event(action="reviews.view", actor=sysadmin, object_type="reviews.application", object_id="7")

    text = page(admin_client, AUDIT_LIST)

    assert "选择审计日志查看" in text
    for heading in ("时间", "操作人", "操作", "对象", "结果"):
        assert f">{heading}<" in text or f">{heading}</a>" in text
    assert "查看申请" in text
    assert "系统管理员甲" in text
    assert "reviews.application #7" in text
    assert "Audit events" not in text
    assert "audit event" not in text


def test_the_action_filter_offers_the_registered_actions_not_a_distinct_over_the_table(admin_client, sysadmin):
    record_event(action="reviews.view", actor=sysadmin)

    with CaptureQueriesContext(connection) as queries:
        text = page(admin_client, AUDIT_LIST)

    # Registered actions that never happened are offered too: the choices come from the registry.
    assert "?action=integrity.negative_revoke" in text
    assert "撤销不良诚信记录" in text
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]


def test_the_action_filter_filters(admin_client, sysadmin):
    record_event(action="reviews.view", actor=sysadmin, object_type="t", object_id="viewed-one")
    record_event(action="reviews.approve", actor=sysadmin, object_type="t", object_id="approved-one")

    text = page(admin_client, AUDIT_LIST, action="reviews.approve")

    assert "approved-one" in text
    assert "viewed-one" not in text


def test_the_date_filter_is_a_range_on_created_at(admin_client, sysadmin):
    record_event(action="reviews.view", actor=sysadmin, object_type="t", object_id="today-one")

    with CaptureQueriesContext(connection) as queries:
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        bounds = {"created_at__gte": str(today), "created_at__lt": str(today + datetime.timedelta(days=1))}
        text = page(admin_client, AUDIT_LIST, **bounds)

    assert "today-one" in text
    assert "今天" in text  # Django's date filter choices, translated by Django
    sql = " ".join(q["sql"] for q in queries if "audit_auditevent" in q["sql"])
    assert "DISTINCT" not in sql.upper()
    assert "django_datetime_trunc" not in sql and "DATE_TRUNC" not in sql.upper()


def test_the_audit_list_does_not_count_the_whole_table(admin_client, sysadmin):
    record_event(action="reviews.view", actor=sysadmin)

    with CaptureQueriesContext(connection) as queries:
        page(admin_client, AUDIT_LIST, action="reviews.view")

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "audit_auditevent" in q["sql"]]
    # One count, of the filtered list (for the paginator); no second count of the whole table.
    assert len(counts) == 1
    assert "reviews.view" in counts[0] or "%s" in counts[0] or "WHERE" in counts[0].upper()


def test_the_audit_list_runs_a_fixed_number_of_queries(admin_client, sysadmin, django_assert_max_num_queries):
    record_event(action="reviews.view", actor=sysadmin)
    page(admin_client, AUDIT_LIST)
    with CaptureQueriesContext(connection) as few:
        page(admin_client, AUDIT_LIST)
    for n in range(40):
        other = sysadmin if n % 2 else None
        record_event(action="reviews.approve" if n % 3 else "auth.logout", actor=other, object_id=str(n))

    with django_assert_max_num_queries(len(few)):
        page(admin_client, AUDIT_LIST)
    assert len(few) <= 8


def test_audit_events_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, sysadmin):
    event = record_event(action="reviews.view", actor=sysadmin)

    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    text = page(admin_client, reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert "查看申请" in text
    assert 'name="_save"' not in text
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_axes_pages_are_in_chinese(admin_client):
    AccessAttempt.objects.create(
        username="somebody",
        ip_address="10.0.0.1",
        user_agent="ua",
        http_accept="*/*",
        path_info="/staff/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    AccessLog.objects.create(
        username="somebody", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/x"
    )
    AccessFailureLog.objects.create(
        username="somebody", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/x", locked_out=True
    )

    attempts = page(admin_client, reverse("admin:axes_accessattempt_changelist"))
    assert "登录尝试" in attempts
    for heading in ("尝试时间", "IP 地址", "浏览器标识", "用户名", "路径", "失败次数", "已锁定"):
        assert heading in attempts
    for english in ("Attempt Time", "User Agent", "Failed Logins", "access attempt"):
        assert english not in attempts

    logs = page(admin_client, reverse("admin:axes_accesslog_changelist"))
    assert "登录日志" in logs and "退出时间" in logs
    failures = page(admin_client, reverse("admin:axes_accessfailurelog_changelist"))
    assert "登录失败记录" in failures and "是否锁定" in failures


def test_the_totp_device_pages_are_in_chinese(admin_client, sysadmin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=sysadmin)

    listing = page(admin_client, reverse("admin:otp_totp_totpdevice_changelist"))
    assert "动态口令设备" in listing
    for heading in ("用户", "设备名称", "创建时间", "最近使用时间", "已确认"):
        assert heading in listing
    for english in ("TOTP device", "Last used at", "Created at"):
        assert english not in listing

    form = page(admin_client, reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    for heading in ("设备", "配置", "时间步长", "连续失败次数"):
        assert heading in form
    for english in ("Identity", "Throttling", "Configuration"):
        assert f">{english}<" not in form
