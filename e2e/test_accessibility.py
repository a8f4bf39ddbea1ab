"""Accessibility: axe-core on the main pages of both sides, at desktop and phone width.

Every page is checked with axe's default rules (WCAG 2.x A/AA and best practices); any violation
fails the test with the rule, its impact and the offending elements. No rule is disabled.

At 390×844 the pages with tables (提交前预览, the application page, the inbox) must not scroll
sideways: their tables are stacked label/value lists below 576 px (core/static/core/app.css,
`table-stack`), and the inbox's 查看 action stays on screen.
"""

from io import BytesIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from dossier.models import OptionItem
from dossier.options import invalidate_options, load_option_items
from dossier.tests.factories import approved_person, collection
from e2e.helpers import sign_in_accountant, sign_in_staff, wait_for_htmx
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]

axe = Axe()


def violations(page) -> list[str]:
    """axe's violations on the page as it is now, one readable line per rule."""
    results = axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return lines


class Checker:
    """Runs axe on each visited page and keeps every violation, so one run reports them all."""

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.found: dict[str, list[str]] = {}

    def check(self, name: str) -> None:
        wait_for_htmx(self.page)
        problems = violations(self.page)
        if problems:
            self.found[name] = problems

    def visit(self, name: str, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(name)

    def assert_clean(self) -> None:
        report = "".join(f"\n== {name}\n  " + "\n  ".join(problems) for name, problems in self.found.items())
        assert not self.found, report


@pytest.fixture
def reference_data():
    """What the data migrations load (a transactional test starts from an empty database)."""
    for code in ("420000", "420100", "420102", "420103", "420200", "420202"):
        review_unit(code)
    load_option_items(OptionItem)
    invalidate_options()


def portrait(tmp_path) -> str:
    """A portrait-shaped photo on a blue background, enough to open the cropper."""
    image = Image.new("RGB", (600, 840), (40, 90, 200))
    ImageDraw.Draw(image).ellipse((180, 200, 420, 520), fill=(230, 190, 160))
    out = BytesIO()
    image.save(out, format="JPEG", quality=90)
    path = tmp_path / "portrait.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_have_no_axe_violations(live_server, page, reference_data, viewport):
    page.set_viewport_size(viewport)
    checker = Checker(page, live_server)
    checker.visit("导航页", "/")
    checker.visit("采集须知", "/notice/")
    checker.visit("注册", "/accounts/register/")
    checker.visit("登录", "/accounts/login/")
    checker.visit("手机号更换申请", "/phone-change/")
    checker.visit("工作人员登录", "/accounts/staff/login/")

    # An error state: the registration form refused, errors next to the fields.
    page.goto(live_server.url + "/accounts/register/")
    page.get_by_label("证件号码").fill("420102199001011230")
    page.get_by_test_id("submit").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    checker.check("注册（被拒绝的表单）")
    checker.assert_clean()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_accountant_pages_have_no_axe_violations(live_server, page, reference_data, tmp_path, viewport):
    page.set_viewport_size(viewport)
    person = AccountantFactory(full_name="张三", id_number="420102199001011236", phone="13812345678")
    collection(person, state="complete")
    sign_in_accountant(page, live_server, id_number=person.id_number, phone=person.phone, name="张三")
    checker = Checker(page, live_server)
    for step in ("personal", "education", "qualification", "post", "proofs"):
        checker.visit(f"信息采集 {step}", f"/dossier/collect/step/{step}/")

    # The photo cropper, open on a chosen photo.
    page.goto(live_server.url + "/dossier/collect/step/personal/")
    page.set_input_files("#id_photo-file", portrait(tmp_path))
    page.locator("[data-photo-frame]").wait_for(state="visible")
    checker.check("信息采集 personal（裁剪照片）")

    checker.visit("提交前预览", "/dossier/collect/step/preview/")
    if viewport == PHONE:
        assert no_horizontal_overflow(page), "提交前预览 scrolls sideways"
    checker.visit("继续教育", "/ce/")
    checker.visit("继续教育 新增", "/ce/new/")
    checker.visit("诚信录入", "/integrity/")
    checker.visit("诚信录入 新增", "/integrity/new/")
    checker.assert_clean()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_approved_accountant_pages_have_no_axe_violations(live_server, page, reference_data, viewport):
    page.set_viewport_size(viewport)
    person = approved_person(AccountantFactory(full_name="李四", phone="13812345679"))
    sign_in_accountant(page, live_server, id_number=person.id_number, phone=person.phone, name="李四")
    checker = Checker(page, live_server)
    checker.visit("审核状态", "/dossier/collect/status/")
    checker.visit("信息查询", "/dossier/record/")
    checker.visit("信息变更", "/dossier/change/")
    checker.assert_clean()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_pages_have_no_axe_violations(live_server, page, reference_data, viewport):
    page.set_viewport_size(viewport)
    reviewer = StaffFactory(username="jiangan-axe", full_name="江岸审核员", unit=review_unit("420102"))
    application = collection(AccountantFactory(full_name="王五"), state="pending").application
    sign_in_staff(page, live_server, reviewer)
    checker = Checker(page, live_server)
    checker.visit("待审核事项", "/reviews/")
    if viewport == PHONE:
        assert no_horizontal_overflow(page), "the inbox scrolls sideways"
        action = page.get_by_role("link", name="查看")
        action.scroll_into_view_if_needed()
        expect(action).to_be_in_viewport()
        box = action.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    checker.visit("审核页", f"/reviews/{application.pk}/")
    if viewport == PHONE:
        assert no_horizontal_overflow(page), "the application page scrolls sideways"
    checker.visit("诚信记录管理", "/integrity/staff/")
    checker.assert_clean()
