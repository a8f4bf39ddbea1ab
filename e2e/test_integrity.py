"""诚信录入 end to end in Chromium: an approved accountant applies for an honour with a proof, the
江岸区 reviewer returns it with a reason, the accountant corrects and resubmits, the reviewer
approves, the accountant sees it approved (and cannot delete it); a reviewer of another county gets
404; the staff side finds the person and enters a negative record through the confirmation."""

import re
from io import BytesIO

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from dossier.models import OptionItem
from dossier.options import invalidate_options as invalidate_dossier_options
from dossier.options import load_option_items
from e2e.helpers import sign_in_accountant, staff_page
from identity.tests.factories import StaffFactory, review_unit
from integrity.models import IntegrityOption, NegativeRecord, PenaltyKind
from integrity.options import invalidate_options, load_integrity_data
from integrity.tests.factories import collected_person
from reviews.constants import Status
from reviews.models import Application

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, PHONE = "420102199001011236", "张三", "13812345678"


@pytest.fixture
def reference_data():
    """What the data migrations load (a transactional test starts from an empty database)."""
    for code in ("420000", "420100", "420102", "420103"):
        review_unit(code)
    load_integrity_data(IntegrityOption, PenaltyKind)
    invalidate_options()
    # The 信息采集 lists: the factory's dossier is checked against them on submission.
    load_option_items(OptionItem)
    invalidate_dossier_options()


@pytest.fixture
def accountant(reference_data):
    return collected_person(full_name=NAME, id_number=ID_NUMBER, phone=PHONE)


@pytest.fixture
def jiangan(reference_data):
    return StaffFactory(username="jiangan-e2e", full_name="江岸区审核员", unit=review_unit("420102"))


@pytest.fixture
def jianghan(reference_data):
    return StaffFactory(username="jianghan-e2e", full_name="江汉区审核员", unit=review_unit("420103"))


def certificate(tmp_path) -> str:
    image = Image.new("RGB", (900, 640), (250, 245, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 860, 600), outline=(180, 30, 30), width=12)
    for row in range(5):
        draw.rectangle((120, 200 + row * 60, 780, 220 + row * 60), fill=(90, 60, 60))
    out = BytesIO()
    image.save(out, format="JPEG", quality=90)
    path = tmp_path / "荣誉证书.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def test_an_honour_is_applied_for_returned_corrected_and_approved(
    live_server, page, browser, accountant, jiangan, jianghan, tmp_path, screenshot_dir
):
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    page.goto(live_server.url + "/")
    page.get_by_test_id("entry-integrity").get_by_role("link", name="进入").click()
    expect(page.get_by_role("heading", name="诚信录入", exact=True)).to_be_visible()
    expect(page.get_by_test_id("integrity-empty")).to_be_visible()

    # 录入页 (manual §8.2): "其他表彰奖励" opens the name box; the proof uploads when chosen.
    page.get_by_test_id("new-honour").click()
    expect(page.get_by_role("heading", name="录入表彰奖励")).to_be_visible()
    other_name = page.get_by_label("奖励名称（其他）")
    expect(other_name).to_be_hidden()
    page.locator("#id_name_choice").select_option(label="其他表彰奖励")
    expect(other_name).to_be_visible()
    page.get_by_label("级别").select_option(label="地市级")
    page.get_by_label("时间").fill("2099-05-10")  # a mistake, corrected below
    page.get_by_label("授予单位").fill("武汉市妇女联合会")
    page.get_by_label("文号").fill("武妇〔2023〕12号")
    box = page.get_by_test_id("proof-box").first
    box.locator("input[type=file]").set_input_files(certificate(tmp_path))
    expect(box.get_by_test_id("proof-current")).to_be_visible()
    page.get_by_test_id("save").click()

    # Errors next to their fields; what was typed and uploaded stays.
    expect(page.get_by_test_id("error-other_name")).to_have_text("请填写奖励名称。")
    expect(page.get_by_test_id("error-awarded_on")).to_have_text("日期不能晚于今天。")
    expect(page.get_by_label("授予单位")).to_have_value("武汉市妇女联合会")
    expect(box.get_by_test_id("proof-current")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "integrity_form_errors.png"), full_page=True)
    page.get_by_label("奖励名称（其他）").fill("武汉市三八红旗手")
    page.get_by_label("时间").fill("2023-03-08")
    page.get_by_test_id("save").click()

    expect(page.get_by_text("已保存并提交审核。")).to_be_visible()
    expect(page.get_by_test_id("count-pending")).to_have_text("1")
    expect(page.get_by_test_id("section-pending").get_by_test_id("honour-name")).to_have_text("武汉市三八红旗手")
    application = Application.objects.get(applicant=accountant, kind="honour")
    assert (application.status, application.unit.code) == (Status.PENDING, "420102")

    # A reviewer of another county does not see it.
    other = staff_page(browser, live_server, jianghan)
    response = other.goto(live_server.url + f"/reviews/{application.pk}/")
    assert response.status == 404
    other.context.close()

    # The 江岸区 reviewer sees every field and the proof, and returns it with a reason.
    reviewer = staff_page(browser, live_server, jiangan)
    reviewer.goto(live_server.url + f"/reviews/{application.pk}/")
    expect(reviewer.get_by_role("heading", name="张三 · 诚信录入 / 表彰奖励")).to_be_visible()
    fields = reviewer.get_by_test_id("honour-fields")
    for value in ("武汉市三八红旗手", "地市级", "2023-03-08", "武汉市妇女联合会", "武妇〔2023〕12号"):
        expect(fields).to_contain_text(value)
    expect(reviewer.get_by_test_id("proofs").locator("img")).to_have_count(1)
    reviewer.screenshot(path=str(screenshot_dir / "integrity_review.png"), full_page=True)
    reviewer.get_by_label("退回原因说明").fill("文号与证书不一致，请核对")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("return").click()
    expect(reviewer.get_by_text("已退回：张三，诚信录入 / 表彰奖励。")).to_be_visible()

    # The accountant sees the reason, corrects and resubmits.
    page.reload()
    returned = page.get_by_test_id("section-returned")
    expect(returned.get_by_test_id("return-reason")).to_contain_text("文号与证书不一致，请核对")
    returned.get_by_test_id("edit").click()
    expect(page.get_by_test_id("return-reason")).to_contain_text("文号与证书不一致，请核对")
    expect(page.get_by_label("奖励名称（其他）")).to_have_value("武汉市三八红旗手")
    expect(page.get_by_test_id("proof-box").first.get_by_test_id("proof-current")).to_be_visible()
    page.get_by_label("文号").fill("武妇〔2023〕21号")
    page.get_by_test_id("save").click()
    expect(page.get_by_text("已修改并重新提交审核。")).to_be_visible()
    expect(page.get_by_test_id("count-pending")).to_have_text("1")
    expect(page.get_by_test_id("count-returned")).to_have_text("0")

    # The reviewer approves.
    reviewer.goto(live_server.url + f"/reviews/{application.pk}/")
    expect(reviewer.get_by_test_id("honour-fields")).to_contain_text("武妇〔2023〕21号")
    expect(reviewer.get_by_test_id("review-history")).to_contain_text("重新提交")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("approve").click()
    expect(reviewer.get_by_text("已审核通过：张三，诚信录入 / 表彰奖励。")).to_be_visible()

    # The accountant sees it approved, in their integrity record, and without a delete button.
    page.reload()
    approved = page.get_by_test_id("section-approved")
    expect(approved.get_by_test_id("honour-status")).to_have_text("审核通过")
    expect(approved.get_by_test_id("delete")).to_have_count(0)
    expect(page.get_by_test_id("integrity-honour")).to_contain_text("武汉市三八红旗手")
    page.screenshot(path=str(screenshot_dir / "integrity_approved.png"), full_page=True)
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    # At phone width the management page does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(screenshot_dir / "integrity_phone.png"), full_page=True)
    reviewer.context.close()


def test_staff_find_a_person_and_enter_a_negative_record_after_confirming(
    live_server, page, browser, accountant, jiangan, screenshot_dir
):
    staff = staff_page(browser, live_server, jiangan)
    staff.goto(live_server.url + "/integrity/staff/")
    staff.get_by_label("证件号码").fill(ID_NUMBER)
    staff.get_by_test_id("search").click()
    expect(staff.get_by_test_id("result")).to_contain_text("420***********1236")
    expect(staff.get_by_text(ID_NUMBER)).to_have_count(0)
    expect(staff).not_to_have_url(re.compile(ID_NUMBER))
    staff.get_by_test_id("result").click()
    expect(staff.get_by_test_id("person-name")).to_have_text(NAME)

    staff.get_by_test_id("add-negative").click()
    staff.get_by_label("处罚种类").select_option(label="行政处罚（违反《会计法》）")
    staff.get_by_label("决定机关").fill("武汉市江岸区财政局")
    staff.get_by_label("依据").fill("《中华人民共和国会计法》第四十一条")
    staff.get_by_label("决定日期").fill("2024-05-10")
    staff.get_by_label("期限起").fill("2024-05-10")
    staff.get_by_label("永久").check()
    expect(staff.get_by_label("期限止")).to_be_disabled()
    staff.get_by_label("永久").uncheck()
    staff.get_by_label("期限止").fill("2029-05-10")
    staff.get_by_test_id("preview").click()
    expect(staff.get_by_test_id("negative-summary")).to_contain_text("禁止从事会计工作至 2029-05-10")
    assert not NegativeRecord.objects.exists()
    staff.screenshot(path=str(screenshot_dir / "integrity_negative_confirm.png"), full_page=True)
    staff.get_by_test_id("confirm").click()
    expect(staff.get_by_text("失信记录已录入。")).to_be_visible()
    expect(staff.get_by_test_id("negative")).to_have_count(1)
    assert NegativeRecord.objects.get().person == accountant

    # The person sees it in their integrity record.
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    page.goto(live_server.url + "/integrity/")
    expect(page.get_by_test_id("integrity-negative")).to_contain_text("禁止从事会计工作至 2029-05-10")
    staff.context.close()
