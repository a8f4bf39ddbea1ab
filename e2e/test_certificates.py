"""Certificates in a real Chromium: an accountant with 90 approved credits downloads the year's
继续教育学分证明 from 继续教育; the verification page opened from the PDF's QR code says it is valid."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from certificates.tests.helpers import needs_zbarimg, pdf_text, qr_urls
from continuing_education.items import load_credit_items, load_national_requirement
from continuing_education.models import AnnualRequirement, CreditItem
from continuing_education.tests.factories import collected_accountant, record
from reviews.constants import Status

pytestmark = [pytest.mark.django_db(transaction=True), needs_zbarimg]


@pytest.fixture
def accountant():
    # A transactional test starts from a flushed database: load the items and the requirement again.
    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)
    person = collected_accountant("420102", full_name="王会计", phone="13812340001")
    record(person, 1, status=Status.APPROVED)  # item 1: 90 专业科目 credits
    return person


def sign_in(page, live_server, person):
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


def test_the_accountant_downloads_the_certificate_and_its_qr_code_opens_a_valid_verification(
    page, live_server, accountant, tmp_path, screenshot_dir
):
    year = timezone.localdate().year
    sign_in(page, live_server, accountant)
    page.goto(f"{live_server.url}/ce/?year={year}")
    expect(page.get_by_test_id("summary-verdict")).to_have_text("已达标")
    link = page.get_by_test_id("download-ce-certificate")
    expect(link).to_contain_text(f"{year}年度学分证明")

    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    content = saved.read_bytes()
    assert saved.suffix == ".pdf"
    text = pdf_text(content)
    assert "王会计" in text and f"{year}年度" in text and "90 学分" in text

    urls = qr_urls(content)
    assert len(urls) == 1 and urls[0].startswith(f"{live_server.url}/verify/"), urls

    # Anyone (a new browser context, not signed in) opens the QR code's URL.
    visitor = page.context.browser.new_context(locale="zh-CN")
    try:
        public = visitor.new_page()
        public.goto(urls[0])
        expect(public.get_by_test_id("validity")).to_have_text("该证明真实有效。")
        expect(public.get_by_test_id("masked-name")).to_have_text("王**")
        expect(public.get_by_test_id("certified")).to_contain_text("90")
        public.screenshot(path=str(screenshot_dir / "certificate-verification.png"), full_page=True)
    finally:
        visitor.close()
