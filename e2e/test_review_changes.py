"""The reviewer's application page in a real Chromium: an empty return reason is refused next to the
field without a confirm dialog; after a return and a resubmission the page shows what changed."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff
from identity.tests.factories import StaffFactory
from reviews import services
from reviews.constants import Status
from reviews.models import Application
from reviews.tests.factories import ApplicantFactory, KindRecorder, make_application, review_unit

pytestmark = pytest.mark.django_db(transaction=True)

# The test kind's data: a flat snapshot {label: value} the engine compares key by key.
DATA: dict[str, str] = {}


@pytest.fixture
def kind():
    DATA.clear()
    DATA.update({"工作单位": "甲公司", "联系地址": "武汉市江岸区一路1号"})
    recorder = KindRecorder(name="e2echanges", label="变更测试申请", snapshot=lambda application: dict(DATA))
    recorder.register()
    yield recorder
    recorder.unregister()


def test_empty_reason_is_refused_in_the_page_and_the_changes_show_after_resubmission(
    live_server, page, kind, screenshot_dir
):
    reviewer = StaffFactory(username="jiangan-changes", unit=review_unit("420102"))
    application = make_application(kind="e2echanges", applicant=ApplicantFactory(full_name="赵六"))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    sign_in_staff(page, live_server, reviewer)
    page.goto(live_server.url + f"/reviews/{application.pk}/")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("reason-error")).to_have_text("请填写退回原因")
    assert dialogs == []  # refused before the confirm dialog
    assert Application.objects.get(pk=application.pk).status == Status.PENDING

    page.get_by_label("退回原因说明").fill("工作单位填写有误")
    expect(page.get_by_test_id("reason-error")).to_be_hidden()
    page.get_by_test_id("return").click()
    expect(page.get_by_text("已退回：赵六，变更测试申请。")).to_be_visible()
    assert len(dialogs) == 1

    DATA["工作单位"] = "乙公司"
    application.refresh_from_db()
    services.submit(application=application, actor=application.applicant)
    page.goto(live_server.url + f"/reviews/{application.pk}/")
    changes = page.get_by_test_id("changes-since-return")
    expect(changes).to_contain_text("退回后修改了什么")
    expect(changes).to_contain_text("工作单位填写有误")
    row = changes.get_by_role("row", name="工作单位")
    expect(row).to_contain_text("甲公司")
    expect(row).to_contain_text("乙公司")
    expect(changes).not_to_contain_text("联系地址")
    page.screenshot(path=str(screenshot_dir / "reviews_changes_since_return.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 800})
    page.screenshot(path=str(screenshot_dir / "reviews_changes_narrow.png"), full_page=True)
