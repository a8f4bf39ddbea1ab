"""The reviewer ticks several pending records in the inbox and approves them at once (issue #4)."""

import pytest
from playwright.sync_api import expect

from identity.tests.factories import STAFF_PASSWORD, StaffFactory
from notifications import backends
from reviews.constants import Status
from reviews.models import Application
from reviews.tests.factories import ApplicantFactory, KindRecorder, make_application, review_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kinds():
    bulk = KindRecorder(name="e2ebulk", label="批量测试记录", bulk_approve=True).register()
    single = KindRecorder(name="e2esingle", label="逐件审核申请").register()
    yield bulk, single
    bulk.unregister()
    single.unregister()


@pytest.fixture
def reviewer():
    return StaffFactory(username="jiangan-bulk", full_name="江岸审核员", unit=review_unit("420102"))


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/staff/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态验证码").fill(StaffFactory.code_for(user))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_the_jiangan_reviewer_approves_two_records_at_once(live_server, page, kinds, reviewer, screenshot_dir):
    bulk, _single = kinds
    zhang, li, wang = (
        make_application(kind="e2ebulk", applicant=ApplicantFactory(full_name=name))
        for name in ("张三", "李四", "王五")
    )
    make_application(kind="e2esingle", applicant=ApplicantFactory(full_name="赵六"))

    sign_in(page, live_server, reviewer)
    page.goto(live_server.url + "/reviews/")
    expect(page.get_by_test_id("inbox-row")).to_have_count(4)
    expect(page.get_by_test_id("select-row")).to_have_count(3)  # not the kind reviewed one by one
    expect(page.get_by_label("选择 赵六")).to_have_count(0)

    # "Select all" ticks every row of the page; unticking it clears them again.
    page.get_by_label("全选本页").check()
    expect(page.get_by_text("已选 3 项")).to_be_visible()
    page.get_by_label("全选本页").uncheck()
    expect(page.get_by_text("已选 3 项")).to_have_count(0)

    page.get_by_label("选择 张三").check()
    page.get_by_label("选择 李四").check()
    expect(page.get_by_text("已选 2 项")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reviews_bulk_selected.png"), full_page=True)

    # Cancelling the confirmation sends nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="批量通过").click()
    expect(page.get_by_test_id("select-row")).to_have_count(3)
    assert Application.objects.filter(status=Status.APPROVED).count() == 0

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="批量通过").click()

    expect(page.get_by_role("heading", name="批量通过")).to_be_visible()
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("已通过 2 项。")
    expect(page.get_by_test_id("bulk-outcome")).to_have_count(2)
    expect(page.get_by_test_id("bulk-outcome").first).to_contain_text("张三")
    expect(page.get_by_test_id("bulk-outcome").first).to_contain_text("审核通过")
    page.screenshot(path=str(screenshot_dir / "reviews_bulk_result.png"), full_page=True)
    assert questions == ["确定批量通过所选的全部申请吗？审核通过后信息立即生效。"]
    assert {a.pk: Application.objects.get(pk=a.pk).status for a in (zhang, li, wang)} == {
        zhang.pk: Status.APPROVED,
        li.pk: Status.APPROVED,
        wang.pk: Status.PENDING,
    }
    assert sorted(bulk.applied) == sorted([zhang.pk, li.pk])
    assert sorted(phone for phone, _ in backends.outbox) == sorted([zhang.applicant.phone, li.applicant.phone])

    page.get_by_test_id("back-to-inbox").click()
    expect(page.get_by_test_id("inbox-row")).to_have_count(2)
    expect(page.get_by_test_id("count-approved")).to_have_text("2")
    expect(page.get_by_label("选择 王五")).to_be_visible()


def test_bulk_approval_works_at_phone_width(live_server, page, kinds, reviewer, screenshot_dir):
    for name in ("张三", "李四"):
        make_application(kind="e2ebulk", applicant=ApplicantFactory(full_name=name))
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in(page, live_server, reviewer)
    page.goto(live_server.url + "/reviews/")
    page.get_by_label("全选本页").check()
    page.screenshot(path=str(screenshot_dir / "reviews_bulk_phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="批量通过").click()
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("已通过 2 项。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Application.objects.filter(status=Status.APPROVED).count() == 2
