"""Helpers shared by the browser tests."""

HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_for_htmx(page, timeout: float = 5000) -> None:
    """Wait until htmx has finished swapping and settling.

    A person types long after htmx settles (20 ms); a test does not. Filling an input in the
    middle of the settle step can be lost, so tests wait for it before typing into new content.
    """
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})", timeout=timeout)


def sign_in_staff(page, live_server, user) -> None:
    """Staff sign-in through the real page: username, password and the current TOTP code."""
    from identity.tests.factories import STAFF_PASSWORD, StaffFactory

    page.goto(live_server.url + "/accounts/staff/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态验证码").fill(StaffFactory.code_for(user))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)


def staff_page(browser, live_server, user):
    """A second browser window in which `user` (staff) is signed in."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_staff(page, live_server, user)
    return page


def sign_in_accountant(page, live_server, *, id_number: str, phone: str, name: str) -> None:
    """Accountant sign-in through the real page: ID, phone, captcha, the SMS code from the outbox."""
    from playwright.sync_api import expect

    from identity.tests.factories import last_sms_code

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    wait_for_htmx(page)
    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(phone))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(name)
