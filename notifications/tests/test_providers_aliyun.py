"""The Alibaba Cloud adapter, through the official SDK, against the local fake of its API."""

import logging
import time

import pytest

from notifications.backends import SmsPermanentError, SmsRetryableError, get_backend
from notifications.fakes.aliyun import fake
from notifications.messages import SmsMessage

from .provider_helpers import ALIYUN_CODES, ALIYUN_KEY_ID, SIGN_NAME, control, refused_port, request, use_aliyun

PHONE = "13800000000"
CODE = "482915"


def code_message(**overrides) -> SmsMessage:
    values = {"phone": PHONE, "template": "verification_code", "params": {"code": CODE, "minutes": 5}, "out_id": "42"}
    return SmsMessage(**{**values, **overrides})


@pytest.fixture
def server(settings):
    with fake(sign_names=(SIGN_NAME,), templates=tuple(ALIYUN_CODES.values()), credential=ALIYUN_KEY_ID) as server:
        use_aliyun(settings, server.url)
        yield server


def set_mode(server, **mode):
    status, _ = control(server.url, "/_fake/mode", mode)
    assert status == 200


def test_a_message_goes_out_as_the_template_with_its_parameters_and_out_id(server):
    message_id = get_backend().send(code_message())
    [received] = server.state.accepted()
    assert message_id == received["biz_id"] != ""
    assert received["phone"] == PHONE
    assert received["sign_name"] == SIGN_NAME
    assert received["template_code"] == "SMS_100001"
    assert received["params"] == {"code": CODE, "minutes": "5"}
    assert received["out_id"] == "42"
    assert received["access_key_id"] == ALIYUN_KEY_ID  # from the SDK's signed Authorization header


def test_each_template_key_uses_its_own_code_and_a_plus86_number_is_sent_without_it(server):
    get_backend().send(
        SmsMessage(
            phone="+8613900001111",
            template="application_returned",
            params={"label": "信息采集", "reason": "照片不清晰"},
        )
    )
    [received] = server.state.accepted()
    assert received["template_code"] == "SMS_100003"
    assert received["phone"] == "13900001111"
    assert received["params"] == {"label": "信息采集", "reason": "照片不清晰"}
    assert received["out_id"] == ""


def test_the_fake_refuses_a_request_without_a_signature(server):
    status, answer = request(
        server.url,
        "POST",
        f"/?PhoneNumbers={PHONE}&SignName=x&TemplateCode=SMS_100001",
        headers={"x-acs-action": "SendSms", "x-acs-version": "2017-05-25"},
    )
    assert (status, answer["Code"]) == (400, "IncompleteSignature")
    assert server.state.accepted() == []


def test_flow_control_is_retryable(server):
    set_mode(server, mode="throttle")
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert info.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert server.state.accepted() == []


@pytest.mark.parametrize("mode", ["down", "bad_gateway"])
def test_a_server_error_or_a_gateway_page_is_retryable(server, mode):
    set_mode(server, mode=mode)
    with pytest.raises(SmsRetryableError):
        get_backend().send(code_message())


@pytest.mark.parametrize(
    ("code", "status"), [("Throttling.User", 400), ("InternalError", 500), ("isp.SYSTEM_ERROR", 200)]
)
def test_throttling_and_internal_errors_are_retryable(server, code, status):
    set_mode(server, mode="error", code=code, status=status)
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert info.value.code == code


def test_a_refused_connection_is_retryable(settings):
    with refused_port() as port:
        use_aliyun(settings, f"http://127.0.0.1:{port}")
        with pytest.raises(SmsRetryableError) as info:
            get_backend().send(code_message())
    assert (info.value.provider, info.value.code) == ("aliyun", "ConnectionError")


def test_a_provider_slower_than_the_read_timeout_is_retryable_within_that_timeout(server, settings):
    settings.SMS_READ_TIMEOUT = 0.5
    set_mode(server, mode="slow", delay=30)
    started = time.monotonic()
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert time.monotonic() - started < 5  # the read timeout (0.5 s), not the fake's 30 s
    assert info.value.code == "ReadTimeout"


def test_an_invalid_number_is_permanent(server):
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message(phone="12345678901"))
    assert info.value.code == "isv.MOBILE_NUMBER_ILLEGAL"


def test_a_template_the_provider_has_not_approved_is_permanent(server, settings):
    settings.SMS_TEMPLATES = {**ALIYUN_CODES, "verification_code": "SMS_999999"}
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "isv.SMS_TEMPLATE_ILLEGAL"


def test_a_signature_the_provider_does_not_know_is_permanent(server, settings):
    settings.SMS_SIGN_NAME = "别的签名"
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "isv.SMS_SIGNATURE_ILLEGAL"


def test_no_balance_is_permanent(server):
    set_mode(server, mode="permanent")
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "isv.AMOUNT_NOT_ENOUGH"


def test_an_unknown_access_key_is_permanent(server, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-someone-else"
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "InvalidAccessKeyId.NotFound"


def test_an_unrecognised_code_is_permanent_unless_it_came_with_a_5xx(server):
    set_mode(server, mode="error", code="isv.SOMETHING_NEW", status=200)
    with pytest.raises(SmsPermanentError):
        get_backend().send(code_message())
    set_mode(server, mode="error", code="SomethingNew", status=502)
    with pytest.raises(SmsRetryableError):
        get_backend().send(code_message())


def test_missing_settings_refuse_before_any_request(server, settings):
    settings.SMS_TEMPLATES = {}
    with pytest.raises(SmsPermanentError, match="verification_code"):
        get_backend().send(code_message())
    settings.SMS_TEMPLATES = dict(ALIYUN_CODES)
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    with pytest.raises(SmsPermanentError, match="SMS_ALIYUN_ACCESS_KEY_SECRET"):
        get_backend().send(code_message())
    assert server.state.accepted() == []


@pytest.mark.parametrize("mode", ["throttle", "bad_gateway", "error"])
def test_failures_never_show_the_number_or_the_code(server, settings, caplog, mode):
    set_mode(server, mode=mode, code="isv.SOMETHING_NEW")
    # INFO as in production: urllib3's DEBUG lines hold the request URL, and this SDK puts the
    # parameters in the query string.
    caplog.set_level(logging.INFO)
    with pytest.raises(SmsRetryableError if mode != "error" else SmsPermanentError) as info:
        get_backend().send(code_message())
    with refused_port() as port:
        settings.SMS_ENDPOINT = f"http://127.0.0.1:{port}"
        with pytest.raises(SmsRetryableError) as refused:
            get_backend().send(code_message())
    for text in (caplog.text, str(info.value), str(refused.value)):
        assert PHONE not in text
        assert CODE not in text
    assert "138****0000" in caplog.text
