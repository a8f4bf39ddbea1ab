"""Nothing typed is lost (issue #8), in Chromium: type into each 信息采集 step, leave by a step pill
and by the menu, come back and find everything, the accepted photo included; the same for a
信息变更 section."""

import re

import pytest
from playwright.sync_api import expect

from documents.tests import corpus
from dossier.models import CollectionPayload, OptionItem
from dossier.options import invalidate_options, load_option_items
from dossier.tests.factories import approved_person, collection
from e2e.helpers import sign_in_accountant, wait_for_htmx
from identity.tests.factories import AccountantFactory, review_unit

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, PHONE = "420102199001011236", "张三", "13812345678"


@pytest.fixture
def reference_data():
    for code in ("420000", "420100", "420102", "420103", "420200", "420202"):
        review_unit(code)
    load_option_items(OptionItem)
    invalidate_options()


def leave_by_menu(page, live_server):
    page.get_by_role("link", name="首页", exact=True).click()
    page.wait_for_url(live_server.url + "/")


def pill(page, label):
    return page.get_by_test_id("steps").get_by_role("link", name=re.compile(label))


def test_every_collection_step_keeps_what_was_typed_when_left_by_a_pill_or_the_menu(
    live_server, page, reference_data, tmp_path, screenshot_dir
):
    person = AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=PHONE)
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    collect = live_server.url + "/dossier/collect/"
    page.goto(collect)
    page.get_by_test_id("start").click()

    # 个人信息: typed (one value invalid), a photo accepted with 使用此照片, left by the menu.
    expect(page.get_by_role("heading", name="个人信息", exact=True)).to_be_visible()
    page.get_by_label("民族").select_option(label="土家族")
    page.get_by_label("通讯地址").fill("武汉市江岸区沿江大道1号")
    page.get_by_label("电子邮件").fill("zhangsan@example")
    photo = tmp_path / "me.jpg"
    photo.write_bytes(corpus.portrait(size=(1200, 1680)))
    page.set_input_files("#id_photo-file", str(photo))
    page.locator("[data-photo-frame]").wait_for(state="visible")
    page.get_by_role("button", name="使用此照片").click()
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    expect(page.get_by_test_id("autosave-status")).to_contain_text("草稿已保存")
    leave_by_menu(page, live_server)
    page.goto(collect)
    expect(page.get_by_label("通讯地址")).to_have_value("武汉市江岸区沿江大道1号")
    expect(page.get_by_label("电子邮件")).to_have_value("zhangsan@example")
    expect(page.get_by_label("民族")).to_have_value("土家族")
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "autosave_personal_back.png"), full_page=True)
    page.get_by_label("政治面貌").select_option(label="群众")
    page.get_by_label("电子邮件").fill("zhangsan@example.com")
    page.get_by_test_id("next").click()

    # 学历信息: typed, left by the pill 「1. 个人信息」, back by the pill 「2. 学历信息」.
    expect(page.get_by_role("heading", name="学历信息", exact=True)).to_be_visible()
    page.get_by_label("毕业学校").first.fill("武汉大学")
    page.get_by_label("所学专业").first.fill("会计学")
    pill(page, "个人信息").click()
    expect(page.get_by_role("heading", name="个人信息", exact=True)).to_be_visible()
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    pill(page, "学历信息").click()
    expect(page.get_by_label("毕业学校").first).to_have_value("武汉大学")
    expect(page.get_by_label("所学专业").first).to_have_value("会计学")

    # 专业技术资格 and 会计岗位信息: the person got there before; typed, left, back.
    payload = CollectionPayload.objects.get(application__applicant=person)
    payload.furthest_step = "post"
    payload.save(update_fields=["furthest_step"])
    page.goto(live_server.url + "/dossier/collect/step/qualification/")
    page.get_by_label("证书号或批文号").fill("Z20164200001")
    leave_by_menu(page, live_server)
    page.goto(live_server.url + "/dossier/collect/step/qualification/")
    expect(page.get_by_label("证书号或批文号")).to_have_value("Z20164200001")
    pill(page, "会计岗位信息").click()
    page.get_by_label("工作单位", exact=True).fill("武汉某某有限公司")
    wait_for_htmx(page)
    pill(page, "专业技术资格").click()
    expect(page.get_by_label("证书号或批文号")).to_have_value("Z20164200001")
    pill(page, "会计岗位信息").click()
    expect(page.get_by_label("工作单位", exact=True)).to_have_value("武汉某某有限公司")

    # Nothing was applied unchecked: the dossier still has no e-mail typed as a draft only.
    payload.refresh_from_db()
    assert set(payload.unsaved_input) >= {"education", "qualification", "post"}


def test_a_change_section_keeps_what_was_typed_when_left_by_the_menu(live_server, page, reference_data):
    approved_person(AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=PHONE))
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    page.goto(live_server.url + "/dossier/change/")
    page.get_by_test_id("start-post").click()
    expect(page.get_by_role("heading", name="会计岗位信息", exact=True)).to_be_visible()
    page.get_by_label("工作单位", exact=True).fill("黄石某某制造有限公司")
    leave_by_menu(page, live_server)
    page.goto(live_server.url + "/dossier/change/section/post/")
    expect(page.get_by_label("工作单位", exact=True)).to_have_value("黄石某某制造有限公司")
    expect(page.get_by_test_id("kept-input")).to_be_visible()


def test_add_a_row_appends_it_in_place_and_the_new_row_is_kept(live_server, page, reference_data):
    """学历信息 "增加一行" (issue #8): no page reload, no jump to the top; the new row's input is autosaved."""
    collection(AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=PHONE), state="complete")
    sign_in_accountant(page, live_server, id_number=ID_NUMBER, phone=PHONE, name=NAME)
    step = live_server.url + "/dossier/collect/step/education/"
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(step)
    expect(page.get_by_test_id("education-row")).to_have_count(1)
    page.get_by_label("毕业证书编号").first.fill("104861201205000999")
    page.get_by_test_id("add-row").scroll_into_view_if_needed()
    page.evaluate("() => { window.__noReload = 'still here'; }")
    scrolled = page.evaluate("() => window.scrollY")
    assert scrolled > 0  # the button is below the fold: a reload would jump back to the top
    page.get_by_test_id("add-row").click()
    expect(page.get_by_test_id("education-row")).to_have_count(2)
    wait_for_htmx(page)
    assert page.evaluate("() => window.__noReload") == "still here"
    assert abs(page.evaluate("() => window.scrollY") - scrolled) <= 2  # (scroll anchoring may nudge it a pixel)
    expect(page.locator("#id_edu-TOTAL_FORMS")).to_have_value("2")
    expect(page.get_by_test_id("remove-row")).to_have_count(2)  # the first row can now be removed
    expect(page.get_by_label("毕业证书编号").first).to_have_value("104861201205000999")
    # Typing into the new row is autosaved like the rest of the form.
    page.get_by_label("学历").nth(1).select_option(label="硕士研究生")
    page.get_by_label("毕业学校").nth(1).fill("华中科技大学")
    expect(page.get_by_test_id("autosave-status")).to_contain_text("草稿已保存")
    leave_by_menu(page, live_server)
    page.goto(step)
    expect(page.get_by_test_id("education-row")).to_have_count(2)
    expect(page.get_by_label("毕业学校").nth(1)).to_have_value("华中科技大学")
    expect(page.get_by_label("学历").nth(1)).to_have_value("硕士研究生")
    expect(page.get_by_label("毕业证书编号").first).to_have_value("104861201205000999")
