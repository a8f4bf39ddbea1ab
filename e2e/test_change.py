"""信息变更 end to end in Chromium: an approved 江岸区 accountant (set up with factories) changes
employer to a unit in 黄石港区 — another county of another city — with the proof the change requires;
the 黄石港区 reviewer (password + TOTP) sees old and new side by side with every proof, carried-over
ones included, and approves; 信息查询 shows the new unit and both versions; 江岸区 no longer sees it."""

import re
from io import BytesIO

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from dossier.models import OptionItem, PersonRecord
from dossier.options import invalidate_options, load_option_items
from dossier.tests.factories import approved_person
from e2e.helpers import sign_in_accountant, staff_page
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from reviews.constants import Status
from reviews.models import Application

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, PHONE = "420102199001011236", "张三", "13812345678"
NEW_EMPLOYER, NEW_USCC = "黄石某某制造有限公司", "91420200MA4K0001XQ"


@pytest.fixture
def reference_data():
    """What the data migrations load (a transactional test starts from an empty database)."""
    for code in ("420000", "420100", "420102", "420103", "420200", "420202"):
        review_unit(code)
    load_option_items(OptionItem)
    invalidate_options()


@pytest.fixture
def accountant(reference_data):
    person = AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=PHONE)
    return approved_person(person)


@pytest.fixture
def huangshi(reference_data):
    return StaffFactory(username="huangshi-e2e", full_name="黄石港区审核员", unit=review_unit("420202"))


@pytest.fixture
def jiangan(reference_data):
    return StaffFactory(username="jiangan-e2e", full_name="江岸区审核员", unit=review_unit("420102"))


def contract_scan(tmp_path) -> str:
    image = Image.new("RGB", (900, 640), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.rectangle((60, 80 + row * 60, 840, 100 + row * 60), fill=(60 + row * 10, 60, 90))
    out = BytesIO()
    image.save(out, format="JPEG", quality=90)
    path = tmp_path / "劳动合同.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_change_of_employer_to_another_county_is_approved_there(
    live_server, page, browser, accountant, huangshi, jiangan, tmp_path, screenshot_dir
):
    shots = screenshot_dir
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)

    # 变更入口 (§6.1): the approved values by section, the version history, what can be changed.
    page.goto(live_server.url + "/dossier/change/")
    expect(page.get_by_role("heading", name="信息变更", exact=True)).to_be_visible()
    expect(page.get_by_test_id("record")).to_contain_text("武汉某某有限公司")
    expect(page.get_by_test_id("version")).to_have_count(1)
    page.screenshot(path=str(shots / "change_entry.png"), full_page=True)
    page.get_by_test_id("start-post").click()

    # 变更页 (§6.2): the post section, filled with the approved values; a mistake first.
    expect(page.get_by_role("heading", name="会计岗位信息", exact=True)).to_be_visible()
    expect(page.get_by_label("工作单位", exact=True)).to_have_value("武汉某某有限公司")
    page.get_by_label("工作单位", exact=True).fill(NEW_EMPLOYER)
    page.get_by_label("统一社会信用代码").fill(NEW_USCC[:-1] + "A")
    page.get_by_label("单位地址").fill("黄石市黄石港区黄石大道1号")
    page.locator("#id_unit_city").select_option(label="黄石市")
    expect(page.locator("#id_unit option", has_text="黄石港区")).to_have_count(1)
    page.locator("#id_unit").select_option(label="黄石港区")
    page.get_by_test_id("save").click()
    expect(page.locator("[data-field=employer_uscc] .invalid-feedback")).to_contain_text("校验")
    expect(page.get_by_label("工作单位", exact=True)).to_have_value(NEW_EMPLOYER)
    expect(page.locator("#id_unit")).to_have_value("420202")
    page.get_by_label("统一社会信用代码").fill(NEW_USCC)
    page.get_by_test_id("save").click()

    # Back on the change: the changes marked, the new unit named, the proof it needs.
    expect(page.get_by_test_id("change-line")).to_have_count(4)  # employer, code, address, region
    expect(page.get_by_test_id("unit-change")).to_contain_text("黄石港区")
    expect(page.locator("[data-field=employer_name][data-changed=true]")).to_contain_text(NEW_EMPLOYER)
    expect(page.get_by_test_id("proof-missing")).to_have_count(1)
    page.screenshot(path=str(shots / "change_overview.png"), full_page=True)

    # 资料上传页 (§6.3): only the proof of employment, with the statement to download.
    page.get_by_test_id("upload-proofs").click()
    boxes = page.get_by_test_id("proof-box")
    expect(boxes).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("statement-download").click()
    assert download.value.suggested_filename == "从事会计工作说明.docx"
    boxes.first.locator("input[type=file]").set_input_files(contract_scan(tmp_path))
    expect(boxes.first.get_by_test_id("proof-current")).to_be_visible()
    page.screenshot(path=str(shots / "change_proofs.png"), full_page=True)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("proof-link")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("waiting")).to_be_visible()
    expect(page.get_by_test_id("review-status")).to_contain_text("黄石港区")
    page.screenshot(path=str(shots / "change_submitted.png"), full_page=True)
    application = Application.objects.get(applicant=accountant, kind="change")
    assert application.status == Status.PENDING and application.unit.code == "420202"
    # The approved record is untouched while the change is pending.
    page.goto(live_server.url + "/dossier/record/")
    expect(page.get_by_test_id("dossier-unit")).to_have_text("江岸区")

    # The 黄石港区 reviewer: the change in the inbox, old and new side by side, every proof visible.
    reviewer = staff_page(browser, live_server, huangshi)
    reviewer.goto(live_server.url + "/reviews/")
    expect(reviewer.get_by_test_id("inbox-row")).to_have_count(1)
    reviewer.get_by_role("link", name="查看").click()
    expect(reviewer.get_by_role("heading", name=f"{NAME} · 信息变更")).to_be_visible()
    payload = reviewer.get_by_test_id("payload")
    expect(payload.get_by_test_id("unit-change")).to_contain_text("江岸区")
    expect(payload.locator("[data-field=employer_name][data-changed=true]")).to_contain_text("武汉某某有限公司")
    expect(payload.locator("[data-field=unit][data-changed=true]")).to_contain_text("黄石港区")
    expect(reviewer.get_by_test_id("proofs").locator("img")).to_have_count(6)
    # Each proof answers 200 to this reviewer, the ones handed in with the collection in 江岸区 too.
    sources = reviewer.eval_on_selector_all("[data-testid=proofs] img", "els => els.map(e => e.getAttribute('src'))")
    assert [reviewer.request.get(live_server.url + src).status for src in sources] == [200] * 6
    photo = reviewer.get_by_test_id("photo").get_attribute("src")
    assert reviewer.request.get(live_server.url + photo).status == 200
    reviewer.screenshot(path=str(shots / "change_reviewer.png"), full_page=True)
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("approve").click()
    expect(reviewer.get_by_text(f"已审核通过：{NAME}，信息变更。")).to_be_visible()

    # 信息查询: the new unit and employer, both versions with the unit that managed each.
    page.goto(live_server.url + "/dossier/record/")
    expect(page.get_by_test_id("dossier-unit")).to_have_text("黄石港区")
    expect(page.get_by_test_id("record")).to_contain_text(NEW_EMPLOYER)
    expect(page.get_by_test_id("version")).to_have_count(2)
    expect(page.get_by_test_id("version-unit")).to_have_text(["黄石港区", "江岸区"])
    page.screenshot(path=str(shots / "change_record.png"), full_page=True)
    record = PersonRecord.objects.get(person=accountant)
    assert record.version == 2 and record.unit.code == "420202"

    # The old unit cannot open the change; it keeps the collection of its time.
    old = staff_page(browser, live_server, jiangan)
    assert old.goto(live_server.url + f"/reviews/{application.pk}/").status == 404
    collected = Application.objects.get(applicant=accountant, kind="collection")
    old.goto(live_server.url + f"/reviews/{collected.pk}/")
    expect(old.get_by_test_id("version")).to_have_count(1)
    reviewer.context.close()
    old.context.close()


def test_the_change_page_fits_a_phone_screen(live_server, page, accountant, screenshot_dir):
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    page.goto(live_server.url + "/dossier/change/")
    page.get_by_test_id("start-qualification").click()
    page.get_by_label("珠算等级").select_option(label="普通一级")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("change-line")).to_have_count(1)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("comparison")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "change_overview_phone.png"), full_page=True)
    assert re.search(r"/dossier/change/$", page.url)
