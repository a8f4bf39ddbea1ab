"""The Tencent Cloud adapter, through the official SDK, against the local fake of its API."""

import logging
import time

import pytest

from notifications.backends import SmsPermanentError, SmsRetryableError, get_backend
from notifications.fakes.tencent import fake
from notifications.messages import SmsMessage

from .provider_helpers import (
    SIGN_NAME,
    TENCENT_APP_ID,
    TENCENT_CODES,
    TENCENT_SECRET_ID,
    control,
    refused_port,
    request,
    use_tencent,
)

PHONE = "13800000000"
CODE = "482915"


def code_message(**overrides) -> SmsMessage:
    values = {"phone": PHONE, "template": "verification_code", "params": {"code": CODE, "minutes": 5}, "out_id": "42"}
    return SmsMessage(**{**values, **overrides})


@pytest.fixture
def server(settings):
    with fake(
        sign_names=(SIGN_NAME,),
        templates=tuple(TENCENT_CODES.values()),
        credential=TENCENT_SECRET_ID,
        app_id=TENCENT_APP_ID,
    ) as server:
        use_tencent(settings, server.url)
        yield server


def set_mode(server, **mode):
    status, _ = control(server.url, "/_fake/mode", mode)
    assert status == 200


def test_a_message_goes_out_as_the_template_with_numbered_parameters_and_session_context(server):
    message_id = get_backend().send(code_message())
    [received] = server.state.accepted()
    assert message_id == received["serial_no"] != ""
    assert received["phone"] == "+8613800000000"
    assert received["sign_name"] == SIGN_NAME
    assert received["sdk_app_id"] == TENCENT_APP_ID
    assert received["template_code"] == "2000001"
    assert received["params"] == [CODE, "5"]
    assert received["out_id"] == "42"
    assert received["secret_id"] == TENCENT_SECRET_ID  # from the SDK's TC3-HMAC-SHA256 Authorization header


def test_parameters_follow_the_templates_order_not_the_dicts(server):
    params = {"reason": "照片不清晰", "label": "信息采集"}  # the template declares (label, reason)
    get_backend().send(SmsMessage(phone=PHONE, template="application_returned", params=params))
    get_backend().send(
        SmsMessage(
            phone=PHONE, template="phone_changed_notice", params={"unit": "江岸区财政局", "phone": "139****1111"}
        )
    )
    returned, notice = server.state.accepted()
    assert (returned["template_code"], returned["params"]) == ("2000003", ["信息采集", "照片不清晰"])
    assert (notice["template_code"], notice["params"]) == ("2000005", ["139****1111", "江岸区财政局"])


def test_a_template_without_parameters_sends_an_empty_set(server):
    get_backend().send(SmsMessage(phone=PHONE, template="phone_change_approved"))
    [received] = server.state.accepted()
    assert received["params"] == []


def test_the_fake_refuses_a_request_without_a_signature(server):
    body = b'{"SmsSdkAppId": "1400123456", "TemplateId": "2000001", "PhoneNumberSet": ["+8613800000000"]}'
    status, answer = request(
        server.url,
        "POST",
        "/",
        body,
        headers={"Content-Type": "application/json", "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11"},
    )
    assert (status, answer["Response"]["Error"]["Code"]) == (200, "AuthFailure.SignatureFailure")
    assert server.state.accepted() == []


def test_a_frequency_limit_on_the_number_is_retryable(server):
    set_mode(server, mode="throttle")
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert info.value.code == "LimitExceeded.PhoneNumberThirtySecondLimit"
    assert server.state.accepted() == []


@pytest.mark.parametrize("mode", ["down", "bad_gateway"])
def test_a_server_error_or_a_gateway_page_is_retryable(server, mode):
    set_mode(server, mode=mode)
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert info.value.code == "ServerNetworkError"


@pytest.mark.parametrize("code", ["InternalError.Timeout", "RequestLimitExceeded", "LimitExceeded.AppDailyLimit"])
def test_internal_errors_and_rate_limits_are_retryable(server, code):
    set_mode(server, mode="error", code=code)
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(code_message())
    assert info.value.code == code


def test_a_refused_connection_is_retryable(settings):
    with refused_port() as port:
        use_tencent(settings, f"http://127.0.0.1:{port}")
        with pytest.raises(SmsRetryableError) as info:
            get_backend().send(code_message())
    assert (info.value.provider, info.value.code) == ("tencent", "ClientNetworkError")


def test_a_provider_slower_than_the_read_timeout_is_retryable_within_that_timeout(server, settings):
    settings.SMS_READ_TIMEOUT = 0.5
    set_mode(server, mode="slow", delay=30)
    started = time.monotonic()
    with pytest.raises(SmsRetryableError):
        get_backend().send(code_message())
    assert time.monotonic() - started < 5  # the read timeout (0.5 s), not the fake's 30 s


def test_an_invalid_number_is_permanent(server):
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message(phone="12345678901"))
    assert info.value.code == "InvalidParameterValue.IncorrectPhoneNumber"


def test_a_template_the_provider_has_not_approved_is_permanent(server, settings):
    settings.SMS_TEMPLATES = {**TENCENT_CODES, "verification_code": "999999"}
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "FailedOperation.TemplateIncorrectOrUnapproved"


def test_a_signature_the_provider_does_not_know_is_permanent(server, settings):
    settings.SMS_SIGN_NAME = "别的签名"
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "FailedOperation.SignatureIncorrectOrUnapproved"


def test_no_balance_is_permanent(server):
    set_mode(server, mode="permanent")
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "FailedOperation.InsufficientBalanceInSmsPackage"


def test_an_unknown_secret_id_is_permanent(server, settings):
    settings.SMS_TENCENT_SECRET_ID = "AKIDsomeoneElse"
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "AuthFailure.SecretIdNotFound"


def test_a_wrong_sdk_app_id_is_permanent(server, settings):
    settings.SMS_TENCENT_SDK_APP_ID = "1400999999"
    with pytest.raises(SmsPermanentError) as info:
        get_backend().send(code_message())
    assert info.value.code == "InvalidParameterValue.SdkAppIdNotExist"


def test_an_unrecognised_code_is_permanent(server):
    set_mode(server, mode="error", code="FailedOperation.SomethingNew")
    with pytest.raises(SmsPermanentError):
        get_backend().send(code_message())


def test_missing_settings_refuse_before_any_request(server, settings):
    settings.SMS_TEMPLATES = {k: v for k, v in TENCENT_CODES.items() if k != "verification_code"}
    with pytest.raises(SmsPermanentError, match="verification_code"):
        get_backend().send(code_message())
    settings.SMS_TEMPLATES = dict(TENCENT_CODES)
    settings.SMS_TENCENT_SDK_APP_ID = ""
    with pytest.raises(SmsPermanentError, match="SMS_TENCENT_SDK_APP_ID"):
        get_backend().send(code_message())
    assert server.state.accepted() == []


@pytest.mark.parametrize("mode", ["throttle", "bad_gateway", "permanent"])
def test_failures_never_show_the_number_or_the_code(server, settings, caplog, mode):
    set_mode(server, mode=mode)
    caplog.set_level(logging.INFO)
    with pytest.raises(SmsRetryableError if mode != "permanent" else SmsPermanentError) as info:
        get_backend().send(code_message())
    with refused_port() as port:
        settings.SMS_ENDPOINT = f"http://127.0.0.1:{port}"
        with pytest.raises(SmsRetryableError) as refused:
            get_backend().send(code_message())
    for text in (caplog.text, str(info.value), str(refused.value)):
        assert PHONE not in text
        assert CODE not in text
    assert "138****0000" in caplog.text
