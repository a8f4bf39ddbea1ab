"""继续教育 in a real Chromium: an approved accountant files two records, deletes the pending one, the
江岸区 reviewer approves the other, and the accountant sees the year's progress."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from continuing_education.items import load_credit_items, load_national_requirement
from continuing_education.models import AnnualRequirement, CreditItem, CreditRecord
from continuing_education.tests.factories import collected_accountant
from documents.tests import corpus
from e2e.helpers import sign_in_staff
from identity.tests.factories import StaffFactory, review_unit
from reviews.constants import Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ce_data():
    # A transactional test starts from a flushed database: load the items and the requirement again.
    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)


@pytest.fixture
def accountant(ce_data):
    return collected_accountant("420102", full_name="王会计", phone="13812340000")


def watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text} {m.location}") if "Content Security Policy" in m.text else None
        ),
    )
    return violations


def sign_in_accountant(page, live_server, person):
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def file_record(page, live_server, tmp_path, *, item_label, title, credits, fill_item_fields=None):
    page.goto(live_server.url + "/ce/")
    page.get_by_test_id("new-record").click()
    expect(page.get_by_role("heading", name="继续教育学分录入")).to_be_visible()
    page.wait_for_load_state("load")  # htmx has processed the page
    page.get_by_label("项目").select_option(label=item_label)
    if fill_item_fields:
        fill_item_fields(page)
    expect(page.get_by_test_id("credits-value")).to_have_text(str(credits))  # htmx refreshed the credits
    page.locator("#id_start_date").fill(timezone.localdate().isoformat())
    page.get_by_label("名称").fill(title)
    page.get_by_label("主办单位、刊物或出版社").fill("湖北省财政厅")
    proof = tmp_path / f"{title}.jpg"
    proof.write_bytes(corpus.jpeg(size=(400, 300)))
    page.set_input_files("#id_proof-ce\\:1-file", str(proof))
    expect(page.locator("#proof-state-ce-1").get_by_test_id("proof-current")).to_contain_text(f"{title}.jpg")
    page.get_by_test_id("save").click()
    expect(page.get_by_role("alert").filter(has_text=f"已保存并提交审核：{title}。")).to_be_visible()


def test_file_two_records_delete_one_and_see_the_approved_one_count(
    live_server, page, browser, accountant, tmp_path, screenshot_dir
):
    violations = watch_csp(page)
    sign_in_accountant(page, live_server, accountant)
    page.goto(live_server.url + "/")
    page.get_by_test_id("entry-ce").get_by_role("link").click()
    expect(page.get_by_role("heading", name="继续教育", exact=True)).to_be_visible()
    expect(page.get_by_test_id("summary-verdict")).to_have_text("未达标")
    expect(page.get_by_test_id("approved-credits")).to_have_text("0 / 90")

    file_record(
        page,
        live_server,
        tmp_path,
        item_label="1. 会计专业技术资格考试（初级、中级、高级）每通过一科",
        title="中级会计实务",
        credits=90,
    )

    def one_day_meeting(page):
        expect(page.get_by_test_id("credits-hint")).to_have_text("请填写天数。")
        expect(page.get_by_test_id("proof-hint")).to_have_text("需上传的证明材料：会议通知及参会记录")
        page.get_by_label("参会天数").fill("1")
        expect(page.get_by_test_id("credits-value")).to_have_text("10")
        page.screenshot(path=str(screenshot_dir / "ce_entry_meeting.png"), full_page=True, caret="initial")

    file_record(
        page,
        live_server,
        tmp_path,
        item_label="6. 参加继续教育管理部门组织的会计类专业会议",
        title="全省会计工作会议",
        credits=10,
        fill_item_fields=one_day_meeting,
    )
    expect(page.get_by_test_id("record")).to_have_count(2)
    expect(page.get_by_test_id("pending-credits")).to_contain_text("待审核：2条记录，共100学分")
    page.screenshot(path=str(screenshot_dir / "ce_management_pending.png"), full_page=True)

    # Delete the meeting: the confirmation is asked first, then the record is withdrawn.
    meeting = page.get_by_test_id("record").filter(has_text="全省会计工作会议")
    page.once("dialog", lambda dialog: dialog.accept())
    meeting.get_by_test_id("delete").click()
    expect(page.get_by_text("已删除：全省会计工作会议。")).to_be_visible()
    expect(page.get_by_test_id("record")).to_have_count(1)
    assert CreditRecord.objects.get(title="全省会计工作会议").application.status == Status.WITHDRAWN

    # The 江岸区 reviewer approves the exam in their own browser.
    reviewer = StaffFactory(username="jiangan-ce", full_name="江岸审核员", unit=review_unit("420102"))
    staff_page = browser.new_context(locale="zh-CN").new_page()
    sign_in_staff(staff_page, live_server, reviewer)
    staff_page.goto(live_server.url + "/reviews/")
    expect(staff_page.get_by_test_id("inbox-row")).to_have_count(1)
    expect(staff_page.get_by_test_id("inbox-row")).to_contain_text("继续教育")
    staff_page.get_by_role("link", name="查看").click()
    expect(staff_page.get_by_test_id("field-item")).to_have_text(
        "1. 会计专业技术资格考试（初级、中级、高级）每通过一科"
    )
    expect(staff_page.get_by_test_id("field-title")).to_have_text("中级会计实务")
    expect(staff_page.get_by_test_id("field-credits")).to_have_text("90")
    expect(staff_page.locator("img.proof-image")).to_have_count(1)
    staff_page.screenshot(path=str(screenshot_dir / "ce_review.png"), full_page=True)
    staff_page.once("dialog", lambda dialog: dialog.accept())
    staff_page.get_by_test_id("approve").click()
    expect(staff_page.get_by_text("已审核通过：王会计，继续教育。")).to_be_visible()
    staff_page.context.close()

    # Back to the accountant: the year's progress.
    page.reload()
    expect(page.get_by_test_id("record-status")).to_have_text("审核通过")
    expect(page.get_by_test_id("delete")).to_have_count(0)
    expect(page.get_by_test_id("approved-credits")).to_have_text("90 / 90")
    expect(page.get_by_test_id("summary-verdict")).to_have_text("已达标")
    expect(page.get_by_test_id("professional-share")).to_contain_text("100%")
    expect(page.get_by_test_id("total-progress").locator(".progress-bar")).to_have_class(re.compile(r"\bce-w-100\b"))
    bar = page.get_by_test_id("total-progress").locator(".progress-bar").bounding_box()
    track = page.get_by_test_id("total-progress").bounding_box()
    assert bar["width"] == pytest.approx(track["width"], abs=2), "the CSS class gives the bar its width"
    page.screenshot(path=str(screenshot_dir / "ce_management_approved.png"), full_page=True)

    # At phone width nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(screenshot_dir / "ce_management_phone.png"), full_page=True)
    assert violations == []


def test_a_person_not_yet_collected_is_sent_to_information_collection(live_server, page, ce_data):
    from identity.tests.factories import AccountantFactory

    sign_in_accountant(page, live_server, AccountantFactory())
    page.goto(live_server.url + "/ce/new/")
    expect(page.get_by_test_id("not-collected")).to_contain_text("只有信息采集审核通过的会计人员才能录入继续教育学分")
    page.get_by_test_id("go-collect").click()
    expect(page).to_have_url(re.compile(r"/dossier/collect/"))


def test_bad_input_is_shown_next_to_the_field_and_the_typed_values_stay(live_server, page, accountant, tmp_path):
    violations = watch_csp(page)
    sign_in_accountant(page, live_server, accountant)
    page.goto(live_server.url + "/ce/new/")
    page.get_by_label("项目").select_option(
        label="11. 与他人合作在有国内统一刊号（CN）的经济、管理类报刊上发表会计类论文"
    )
    page.get_by_label("本人角色").select_option(label="第一作者")
    expect(page.get_by_test_id("credits-value")).to_have_text("30")
    page.get_by_label("名称").fill("论政府会计准则的实施")
    page.get_by_test_id("save").click()  # no date, no proof

    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page.locator("#id_start_date_error")).to_have_text("请填写日期。")
    expect(page.locator("#id_start_date")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#proof-state-ce-1").get_by_test_id("proof-error")).to_have_text("请至少上传一份证明材料。")
    expect(page.get_by_label("名称")).to_have_value("论政府会计准则的实施")
    expect(page.get_by_label("本人角色")).to_have_value("第一作者")
    assert not CreditRecord.objects.exists()
    assert violations == []
