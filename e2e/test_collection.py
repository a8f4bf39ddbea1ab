"""信息采集 end to end in Chromium: register, fill every step with uploads, preview, submit; the 江岸区
reviewer returns it; the accountant fixes a step and resubmits; the reviewer approves; the accountant
is told they are collected and sees the record in 信息查询; a reviewer of another county gets 404."""

import re
from io import BytesIO

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from documents.tests import corpus
from dossier.models import OptionItem, PersonRecord
from dossier.options import invalidate_options, load_option_items
from e2e.helpers import staff_page, wait_for_htmx
from identity.models import User
from identity.tests.factories import StaffFactory, last_sms_code, review_unit
from reviews.constants import Status
from reviews.models import Application, StandardReturnReason

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, PHONE = "420102199001011236", "张三", "13812345678"
USCC = "91110000100006485K"


@pytest.fixture
def reference_data():
    """What the data migrations load (a transactional test starts from an empty database)."""
    for code in ("420000", "420100", "420102", "420103", "420200", "420202"):
        review_unit(code)
    load_option_items(OptionItem)
    invalidate_options()
    StandardReturnReason.objects.create(text="证明材料不清晰", sort_order=1)


@pytest.fixture
def jiangan():
    return StaffFactory(username="jiangan-e2e", full_name="江岸区审核员", unit=review_unit("420102"))


@pytest.fixture
def huangshi():
    return StaffFactory(username="huangshi-e2e", full_name="黄石港区审核员", unit=review_unit("420202"))


def image_file(tmp_path, name: str, text: str) -> str:
    """A scan-like proof: a white sheet with a few lines on it."""
    image = Image.new("RGB", (900, 640), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.rectangle((60, 80 + row * 60, 840, 100 + row * 60), fill=(60 + row * 10, 60, 90))
    draw.text((60, 30), text, fill=(0, 0, 0))
    out = BytesIO()
    image.save(out, format="JPEG", quality=90)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def register(page, live_server):
    page.goto(live_server.url + "/accounts/register/")
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill(ID_NUMBER)
    page.get_by_label("姓名").fill(NAME)
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    wait_for_htmx(page)
    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(PHONE))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(NAME)


def next_step(page, heading):
    page.get_by_test_id("next").click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def test_the_whole_collection_cycle(
    live_server, page, browser, reference_data, jiangan, huangshi, tmp_path, screenshot_dir
):
    shots = screenshot_dir
    register(page, live_server)
    # Registration leads to 信息采集.
    expect(page).to_have_url(re.compile(r"/dossier/collect/$"))
    page.get_by_test_id("start").click()

    # 个人信息 (manual §4.3): ID fixed, birth date and sex from the ID, photo through the picker.
    expect(page.get_by_role("heading", name="个人信息", exact=True)).to_be_visible()
    expect(page.get_by_test_id("identity")).to_contain_text(ID_NUMBER)
    expect(page.get_by_label("出生日期")).to_have_value("1990-01-01")
    expect(page.get_by_label("出生日期")).to_be_disabled()
    page.get_by_label("民族").select_option(label="土家族")
    page.get_by_label("政治面貌").select_option(label="群众")
    page.get_by_label("通讯地址").fill("武汉市江岸区沿江大道1号")
    page.get_by_label("电子邮件").fill("zhangsan@example")  # a mistake, corrected below
    page.set_input_files("#id_photo-file", str(write(tmp_path, "me.jpg", corpus.portrait(size=(1200, 1680)))))
    page.locator("[data-photo-frame]").wait_for(state="visible")
    page.get_by_role("button", name="使用此照片").click()
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    page.get_by_test_id("next").click()
    # Errors next to the field; nothing typed is lost, the photo neither.
    expect(page.locator("[data-field=email] .invalid-feedback")).to_be_visible()
    expect(page.get_by_label("通讯地址")).to_have_value("武汉市江岸区沿江大道1号")
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    page.screenshot(path=str(shots / "collection_personal_error.png"), full_page=True)
    page.get_by_label("电子邮件").fill("zhangsan@example.com")
    next_step(page, "学历信息")

    # 学历信息 (§4.4): two rows, the second added without script.
    page.get_by_label("学历").first.select_option(label="大学本科")
    page.get_by_label("培养方式").first.select_option(label="全日制")
    page.get_by_label("学位").first.select_option(label="学士")
    page.get_by_label("毕业学校").first.fill("武汉大学")
    page.get_by_label("所学专业").first.fill("会计学")
    page.get_by_label("入学时间").first.fill("2008-09-01")
    page.get_by_label("毕业时间").first.fill("2012-06-30")
    page.get_by_label("毕业证书编号").first.fill("104861201205000123")
    page.get_by_test_id("add-row").click()
    expect(page.get_by_test_id("education-row")).to_have_count(2)
    expect(page.get_by_label("毕业学校").first).to_have_value("武汉大学")
    page.get_by_test_id("remove-row").nth(1).click()
    expect(page.get_by_test_id("education-row")).to_have_count(1)
    page.screenshot(path=str(shots / "collection_education.png"), full_page=True)
    next_step(page, "专业技术资格")

    # 专业技术资格 (§4.5).
    page.get_by_label("专业技术资格类型").select_option(label="会计类")
    page.get_by_label("专业技术资格级别").select_option(label="中级")
    page.get_by_label("取得方式").select_option(label="考试")
    page.get_by_label("取得时间").fill("2016-10-15")
    page.get_by_label("证书号或批文号").fill("Z20164200001")
    page.get_by_label("会计专业技术职务").select_option(label="会计师")
    page.get_by_label("会计行政职务").select_option(label="一般会计人员")
    for question in ("是否注册会计师", "是否注册评估师", "是否注册税务师"):
        page.get_by_role("group", name=question).get_by_label("否").check()
    page.get_by_label("高端人才").select_option(label="无")
    page.get_by_label("珠算等级").select_option(label="无")
    next_step(page, "会计岗位信息")

    # 会计岗位信息 (§4.6): in post; the unit picker with the 属地化 warning.
    page.get_by_role("group", name="是否在岗").get_by_label("是").check()
    page.get_by_label("工作单位", exact=True).fill("武汉某某有限公司")
    page.get_by_label("统一社会信用代码").fill(USCC[:-1] + "A")  # a wrong check character first
    page.get_by_label("单位性质").select_option(label="事业单位")
    page.get_by_label("会计岗位").select_option(label="出纳")
    page.get_by_label("从事会计工作起始时间").fill("2012-07-01")
    expect(page.get_by_test_id("unit-picker")).to_contain_text("属地化")
    page.locator("#id_unit_city").select_option(label="武汉市")
    expect(page.locator("#id_unit option", has_text="江岸区")).to_have_count(1)
    page.locator("#id_unit").select_option(label="江岸区")
    page.get_by_test_id("next").click()
    expect(page.locator("[data-field=employer_uscc] .invalid-feedback")).to_contain_text("校验")
    expect(page.get_by_label("工作单位", exact=True)).to_have_value("武汉某某有限公司")
    expect(page.locator("#id_unit")).to_have_value("420102")
    page.get_by_label("统一社会信用代码").fill(USCC)
    next_step(page, "上传证明材料")

    # 上传证明材料 (§4.7): boxes computed from what was filled; each uploads when chosen.
    boxes = page.get_by_test_id("proof-box")
    expect(boxes).to_have_count(6)  # ID front/back, diploma, degree, qualification, employment
    expect(page.get_by_test_id("statement-download")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("statement-download").click()
    assert download.value.suggested_filename == "从事会计工作说明.docx"
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.locator("input[type=file]").set_input_files(image_file(tmp_path, f"proof{index}.jpg", f"proof {index}"))
        expect(box.get_by_test_id("proof-current")).to_be_visible()
    page.screenshot(path=str(shots / "collection_proofs.png"), full_page=True)
    next_step(page, "提交前预览")

    # 提交前预览 (§4.8) and 提交 (§4.9).
    expect(page.get_by_test_id("dossier-photo")).to_be_visible()
    expect(page.get_by_test_id("proof-link")).to_have_count(6)
    expect(page.get_by_test_id("section-post")).to_contain_text("江岸区")
    page.screenshot(path=str(shots / "collection_preview.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("waiting")).to_contain_text("等待审核")
    expect(page.get_by_test_id("due-date")).to_be_visible()
    expect(page.get_by_test_id("review-status")).to_contain_text("江岸区")
    page.screenshot(path=str(shots / "collection_submitted.png"), full_page=True)
    application = Application.objects.get(applicant__id_number=ID_NUMBER, kind="collection")
    assert application.status == Status.PENDING

    # The 江岸区 reviewer sees every field, the photo and the proofs, and returns it with a reason.
    reviewer = staff_page(browser, live_server, jiangan)
    reviewer.goto(live_server.url + f"/reviews/{application.pk}/")
    expect(reviewer.get_by_test_id("payload")).to_contain_text("武汉大学")
    expect(reviewer.get_by_test_id("payload")).to_contain_text(USCC)
    expect(reviewer.get_by_test_id("photo")).to_be_visible()
    expect(reviewer.get_by_test_id("proofs").locator("img")).to_have_count(6)
    reviewer.screenshot(path=str(shots / "collection_reviewer.png"), full_page=True)
    reviewer.get_by_label("常用退回原因").select_option(label="证明材料不清晰")
    reviewer.get_by_label("退回原因说明").fill("请补充单位地址")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("return").click()
    expect(reviewer.get_by_text(f"已退回：{NAME}，信息采集。")).to_be_visible()

    # The accountant signs in again (here: reloads) and sees the reason; fixes a step; resubmits.
    page.goto(live_server.url + "/dossier/collect/")
    expect(page.get_by_test_id("return-reason")).to_contain_text("请补充单位地址")
    page.get_by_test_id("edit-again").click()
    expect(page.get_by_test_id("return-reason")).to_contain_text("请补充单位地址")
    page.get_by_role("link", name=re.compile("会计岗位信息")).click()
    page.get_by_label("单位地址").fill("武汉市江岸区解放大道100号")
    next_step(page, "上传证明材料")
    next_step(page, "提交前预览")
    expect(page.get_by_test_id("section-post")).to_contain_text("解放大道100号")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("waiting")).to_be_visible()

    # The reviewer approves.
    reviewer.goto(live_server.url + f"/reviews/{application.pk}/")
    expect(reviewer.get_by_test_id("status")).to_have_text("待审核")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("approve").click()
    expect(reviewer.get_by_text(f"已审核通过：{NAME}，信息采集。")).to_be_visible()

    # Collected: the entry says so; 信息查询 shows the record with photo and proofs.
    page.goto(live_server.url + "/dossier/collect/")
    expect(page.get_by_test_id("already-collected")).to_have_text("您已采集过信息，无需重复采集")
    page.get_by_role("link", name="查看我的信息").click()
    expect(page.get_by_test_id("record")).to_contain_text("解放大道100号")
    expect(page.get_by_test_id("dossier-photo")).to_be_visible()
    expect(page.get_by_test_id("proof-link")).to_have_count(6)
    page.screenshot(path=str(shots / "collection_record.png"), full_page=True)
    record = PersonRecord.objects.get(person=User.objects.get(id_number=ID_NUMBER))
    assert record.version == 1 and record.versions.count() == 1

    # A reviewer of another county cannot open it.
    other = staff_page(browser, live_server, huangshi)
    response = other.goto(live_server.url + f"/reviews/{application.pk}/")
    assert response.status == 404
    reviewer.context.close()
    other.context.close()


def test_the_steps_fit_a_phone_screen(live_server, page, reference_data, screenshot_dir):
    register(page, live_server)
    page.get_by_test_id("start").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("steps")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "collection_personal_phone.png"), full_page=True)


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path
