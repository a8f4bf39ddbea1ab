"""手机号更换 end to end in Chromium: a collected accountant who lost the phone applies on the public page,
the 江岸区 reviewer approves (password + TOTP), and the person signs in with the new number."""

import re

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from documents.tests import corpus
from dossier.models import OptionItem
from dossier.options import invalidate_options, load_option_items
from dossier.tests.factories import collection
from e2e.helpers import staff_page, wait_for_htmx
from identity.models import User
from identity.tests.factories import AccountantFactory, StaffFactory, last_sms_code, review_unit
from notifications import backends
from reviews.constants import Status
from reviews.models import Application

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, OLD_PHONE, NEW_PHONE = "420102199001011236", "张三", "13812345678", "13987654321"


@pytest.fixture
def reference_data(settings):
    """What the data migrations load (a transactional test starts from an empty database)."""
    for code in ("420000", "420100", "420102", "420103", "420200", "420202"):
        review_unit(code)
    load_option_items(OptionItem)
    invalidate_options()
    settings.PHONE_CHANGE_ANSWER_SECONDS = 0.2


@pytest.fixture
def person(reference_data):
    """Registered and collected (approved 信息采集, managed by 江岸区); the old phone is lost."""
    person = AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=OLD_PHONE)
    collection(person, state="approved", unit=review_unit("420102"))
    return person


@pytest.fixture
def jiangan(reference_data):
    return StaffFactory(username="jiangan-e2e", full_name="江岸区审核员", unit=review_unit("420102"))


def photo_file(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(corpus.portrait(size=(800, 560), noise=False))
    return str(path)


def test_a_person_who_lost_the_phone_applies_is_approved_and_signs_in_with_the_new_number(
    live_server, page, browser, person, jiangan, tmp_path, screenshot_dir
):
    # From the home page's entry to the public form: nobody is signed in.
    page.goto(live_server.url + "/")
    page.get_by_test_id("entry-phone").get_by_role("link").click()
    expect(page.get_by_role("heading", name="手机号更换申请")).to_be_visible()

    # Photos chosen first: asking for the code (htmx) must not clear them.
    page.get_by_label("身份证人像面").set_input_files(photo_file(tmp_path, "front.jpg"))
    page.get_by_label("身份证国徽面").set_input_files(photo_file(tmp_path, "back.jpg"))
    page.get_by_label("手持身份证照片").set_input_files(photo_file(tmp_path, "in_hand.jpg"))
    page.get_by_label("更换原因").fill("原手机丢失，号码已停用")
    page.get_by_label("市州").select_option(label="黄石市")
    expect(page.get_by_label("区县/管理部门").locator("option", has_text="黄石港区")).to_have_count(1)
    page.get_by_label("区县/管理部门").select_option(label="黄石港区")

    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill(ID_NUMBER)
    page.get_by_label("姓名").fill(NAME)
    page.get_by_label("新手机号").fill(NEW_PHONE)
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_contain_text("验证码已发送至139****4321，5分钟内有效")
    wait_for_htmx(page)
    expect(page.get_by_test_id("send-code")).to_be_disabled()
    assert backends.outbox[-1][0] == NEW_PHONE
    # Only the identity part was swapped: the photos, the reason and the unit are still there.
    assert page.get_by_label("身份证人像面").evaluate("input => input.files.length") == 1
    expect(page.get_by_label("更换原因")).to_have_value("原手机丢失，号码已停用")
    expect(page.get_by_label("证件号码")).to_have_value(ID_NUMBER)

    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(NEW_PHONE))
    page.screenshot(path=str(screenshot_dir / "phone_change_apply.png"), full_page=True)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submitted")).to_have_text("申请已提交，请于5个工作日后凭证件号码和新手机号查询进度")

    application = Application.objects.get(kind="phone_change")
    assert application.status == Status.PENDING
    assert application.unit.code == "420102"  # the unit of the approved record

    # The 江岸区 reviewer signs in with password + TOTP, sees the request and the photos, approves.
    reviewer = staff_page(browser, live_server, jiangan)
    reviewer.goto(live_server.url + "/reviews/?kind=phone_change")
    reviewer.get_by_test_id("inbox-row").filter(has_text=NAME).get_by_role("link", name="查看").click()
    expect(reviewer.get_by_test_id("payload")).to_contain_text("原手机丢失，号码已停用")
    expect(reviewer.get_by_test_id("old-phone")).to_have_text("138****5678")
    expect(reviewer.get_by_test_id("new-phone")).to_contain_text(NEW_PHONE)
    expect(reviewer.get_by_test_id("proofs").locator("img")).to_have_count(3)
    for image in reviewer.get_by_test_id("proofs").locator("img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    reviewer.screenshot(path=str(screenshot_dir / "phone_change_reviewer.png"), full_page=True)
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("approve").click()
    expect(reviewer.get_by_text(f"已审核通过：{NAME}，手机号更换。")).to_be_visible()
    assert User.objects.get(pk=person.pk).phone == NEW_PHONE
    assert (
        OLD_PHONE,
        "【湖北省会计人员管理系统】您的账号绑定手机号已更换为139****4321。如非本人操作，请联系当地财政部门（江岸区）。",
    ) in backends.outbox

    # The person signs in with the new number.
    caches["default"].clear()  # the 60-second cooldown since the application's code to that number
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill(ID_NUMBER)
    page.get_by_label("手机号").fill(NEW_PHONE)
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    wait_for_htmx(page)
    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(NEW_PHONE))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(NAME)


def test_the_progress_lookup_fits_a_phone_and_says_nothing_for_an_unknown_id(live_server, page, reference_data):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/phone-change/status/")
    page.get_by_label("证件号码").fill("360426199101010071")
    page.get_by_label("新手机号").fill(NEW_PHONE)
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    wait_for_htmx(page)
    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(NEW_PHONE))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("not-found")).to_have_text("未查询到申请")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page).to_have_url(re.compile(r"/phone-change/status/result/$"))
