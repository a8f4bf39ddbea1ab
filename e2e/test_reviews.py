"""The reviewers' workspace in a real Chromium: sign in, filter the inbox, return, approve."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff
from identity.tests.factories import StaffFactory
from notifications import backends
from reviews import services
from reviews.constants import Status
from reviews.models import Application, StandardReturnReason
from reviews.tests.factories import ApplicantFactory, KindRecorder, make_application, review_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kind():
    recorder = KindRecorder(name="e2ekind", label="浏览器测试申请").register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def reviewer():
    return StaffFactory(username="jiangan-e2e", full_name="江岸审核员", unit=review_unit("420102"))


def test_a_reviewer_finds_returns_and_then_approves_an_application(live_server, page, kind, reviewer, screenshot_dir):
    StandardReturnReason.objects.create(text="照片不符合要求", sort_order=1)
    wanted = make_application(
        kind="e2ekind", applicant=ApplicantFactory(full_name="张三", id_number="42010219900101123X")
    )
    make_application(kind="e2ekind", applicant=ApplicantFactory(full_name="李四"))
    make_application(kind="e2ekind", unit_code="420103", applicant=ApplicantFactory(full_name="王五"))

    sign_in_staff(page, live_server, reviewer)
    page.goto(live_server.url + "/reviews/")
    expect(page.get_by_role("heading", name="待审核事项")).to_be_visible()
    expect(page.get_by_test_id("count-pending")).to_have_text("2")
    expect(page.get_by_test_id("inbox-row")).to_have_count(2)
    expect(page.get_by_text("王五")).to_have_count(0)  # another county
    expect(page.get_by_text("420***********123X")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reviews_inbox.png"), full_page=True)

    # The filter runs through htmx: the URL follows, the page is not reloaded.
    page.get_by_label("证件号码（精确）").fill("42010219900101123x")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("inbox-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"id_number=42010219900101123x"))
    expect(page.get_by_test_id("inbox-row")).to_contain_text("张三")

    page.get_by_role("link", name="查看").click()
    expect(page.get_by_role("heading", name="张三 · 浏览器测试申请")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reviews_detail.png"), full_page=True)

    # Returning without a reason: the error is next to the field (no confirm dialog), nothing changes.
    page.get_by_test_id("return").click()
    expect(page.get_by_text("请填写退回原因")).to_be_visible()
    assert Application.objects.get(pk=wanted.pk).status == Status.PENDING

    page.get_by_label("常用退回原因").select_option(label="照片不符合要求")
    page.get_by_label("退回原因说明").fill("请上传蓝底照片")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("return").click()
    expect(page.get_by_text("已退回：张三，浏览器测试申请。")).to_be_visible()
    wanted.refresh_from_db()
    assert wanted.status == Status.RETURNED
    assert wanted.return_reason == "照片不符合要求；请上传蓝底照片"
    assert backends.outbox[-1] == (
        wanted.applicant.phone,
        "【湖北省会计人员管理系统】您的浏览器测试申请已退回，原因：照片不符合要求；请上传蓝底照片。请登录系统修改后重新提交。",
    )

    services.submit(application=wanted, actor=wanted.applicant)
    page.goto(live_server.url + f"/reviews/{wanted.pk}/")
    expect(page.get_by_test_id("review-history")).to_contain_text("重新提交")

    # Cancelling the confirmation sends nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_have_text("待审核")
    assert Application.objects.get(pk=wanted.pk).status == Status.PENDING

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("approve").click()
    expect(page.get_by_text("已审核通过：张三，浏览器测试申请。")).to_be_visible()
    assert Application.objects.get(pk=wanted.pk).status == Status.APPROVED
    assert kind.applied == [wanted.pk]


def test_the_inbox_works_at_phone_width(live_server, page, kind, reviewer, screenshot_dir):
    for _ in range(3):
        make_application(kind="e2ekind")
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in_staff(page, live_server, reviewer)
    page.goto(live_server.url + "/reviews/")

    expect(page.get_by_test_id("inbox-row")).to_have_count(3)
    page.get_by_test_id("tab-approved").click()
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=approved"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page must not scroll sideways; the table scrolls inside its own box"
    page.screenshot(path=str(screenshot_dir / "reviews_inbox_phone.png"), full_page=True)
