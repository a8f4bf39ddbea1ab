"""`find_sent` of each provider adapter (through the official SDK) against its local fake: asking the
provider whether it already took a message with our out-id, and the fakes' query actions."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from notifications import backends
from notifications.backends import SmsRetryableError, get_backend
from notifications.fakes import aliyun, tencent
from notifications.messages import SmsMessage

from .provider_helpers import (
    ALIYUN_CODES,
    ALIYUN_KEY_ID,
    SIGN_NAME,
    TENCENT_APP_ID,
    TENCENT_CODES,
    TENCENT_SECRET_ID,
    control,
    refused_port,
    request,
    use_aliyun,
    use_tencent,
)

PHONE = "13800000000"
OTHER_PHONE = "13900000000"


def notice(out_id="42", phone=PHONE) -> SmsMessage:
    return SmsMessage(phone=phone, template="application_approved", params={"label": "信息采集"}, out_id=out_id)


def an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


PROVIDERS = {
    "aliyun": (aliyun, use_aliyun, {"templates": tuple(ALIYUN_CODES.values()), "credential": ALIYUN_KEY_ID}),
    "tencent": (
        tencent,
        use_tencent,
        {"templates": tuple(TENCENT_CODES.values()), "credential": TENCENT_SECRET_ID, "app_id": TENCENT_APP_ID},
    ),
}


@pytest.fixture(params=sorted(PROVIDERS))
def server(request, settings):
    module, use, options = PROVIDERS[request.param]
    with module.fake(sign_names=(SIGN_NAME,), **options) as server:
        use(settings, server.url)
        server.provider = request.param
        yield server


def set_mode(server, **mode):
    status, _ = control(server.url, "/_fake/mode", mode)
    assert status == 200


def test_a_message_the_provider_took_is_found_by_its_out_id(server):
    provider_id = get_backend().send(notice("42"))

    found = get_backend().find_sent(notice("42"), since=an_hour_ago())

    assert found
    if server.provider == "tencent":
        assert found == provider_id  # the SerialNo of the send
    else:
        assert found.startswith("QuerySendDetails ")  # Alibaba's details carry no BizId
    assert len(server.state.accepted()) == 1  # asking sent nothing


def test_other_out_ids_and_other_numbers_are_not_taken_for_it(server):
    get_backend().send(notice("41"))
    get_backend().send(notice("42", phone=OTHER_PHONE))
    get_backend().send(SmsMessage(phone=PHONE, template="application_approved", params={"label": "信息采集"}))

    assert get_backend().find_sent(notice("42"), since=an_hour_ago()) is None
    assert get_backend().find_sent(notice("41"), since=an_hour_ago())
    assert get_backend().find_sent(notice("42", phone=OTHER_PHONE), since=an_hour_ago())


def test_nothing_sent_is_none(server):
    assert get_backend().find_sent(notice("42"), since=an_hour_ago()) is None


def test_a_message_whose_delivery_failed_is_not_counted_as_taken(server):
    get_backend().send(notice("42"))
    [entry] = server.state.messages
    entry["send_status" if server.provider == "aliyun" else "report_status"] = (
        2 if server.provider == "aliyun" else "FAIL"
    )

    assert get_backend().find_sent(notice("42"), since=an_hour_ago()) is None


def test_a_message_waiting_for_its_receipt_counts_as_taken_at_alibaba(settings):
    with aliyun.fake() as server:
        use_aliyun(settings, server.url)
        get_backend().send(notice("42"))
        server.state.messages[0]["send_status"] = 1  # 等待回执
        assert get_backend().find_sent(notice("42"), since=an_hour_ago())


def test_tencent_is_asked_from_since_less_a_few_minutes(settings):
    with tencent.fake() as server:
        use_tencent(settings, server.url)
        get_backend().send(notice("42"))
        server.state.messages[0]["received_at"] = an_hour_ago().isoformat()
        assert get_backend().find_sent(notice("42"), since=datetime.now(UTC) - timedelta(minutes=10)) is None
        assert get_backend().find_sent(notice("42"), since=an_hour_ago() + timedelta(minutes=2))


def test_alibaba_is_asked_day_by_day_from_since(settings):
    with aliyun.fake() as server:
        use_aliyun(settings, server.url)
        get_backend().send(notice("42"))
        # Recorded yesterday (China time): found only when `since` reaches back to yesterday.
        yesterday = datetime.now(UTC) - timedelta(days=1)
        server.state.messages[0]["received_at"] = yesterday.isoformat()
        assert get_backend().find_sent(notice("42"), since=datetime.now(UTC)) is None
        assert get_backend().find_sent(notice("42"), since=yesterday - timedelta(minutes=1))


def test_alibaba_pages_through_a_busy_day(settings):
    with aliyun.fake() as server:
        use_aliyun(settings, server.url)
        for number in range(1, 56):  # more than one page of 50
            get_backend().send(notice(str(number)))
        assert get_backend().find_sent(notice("55"), since=an_hour_ago())
        assert get_backend().find_sent(notice("56"), since=an_hour_ago()) is None


@pytest.mark.parametrize("mode", [{"mode": "down"}, {"mode": "error", "code": "Throttling.User", "status": 400}])
def test_a_query_the_provider_cannot_answer_is_retryable(server, mode):
    get_backend().send(notice("42"))
    set_mode(server, **mode)

    with pytest.raises(SmsRetryableError) as info:
        get_backend().find_sent(notice("42"), since=an_hour_ago())
    assert info.value.provider == server.provider


def test_a_query_refused_for_permissions_is_retryable_too(server):
    code = "isp.RAM_PERMISSION_DENY" if server.provider == "aliyun" else "UnauthorizedOperation.RequestPermissionDeny"
    set_mode(server, mode="error", code=code, status=200)
    with pytest.raises(SmsRetryableError) as info:
        get_backend().find_sent(notice("42"), since=an_hour_ago())
    assert info.value.code == code


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_provider_that_cannot_be_reached_is_retryable(settings, provider):
    _, use, _ = PROVIDERS[provider]
    with refused_port() as port:
        use(settings, f"http://127.0.0.1:{port}")
        with pytest.raises(SmsRetryableError):
            get_backend().find_sent(notice("42"), since=an_hour_ago())


def test_a_message_without_out_id_cannot_be_looked_for(server):
    get_backend().send(SmsMessage(phone=PHONE, template="application_approved", params={"label": "信息采集"}))
    assert get_backend().find_sent(notice(""), since=an_hour_ago()) is None


# --------------------------------------------------------------------------- what a failed send tells


def test_a_read_timeout_may_have_been_taken_a_refused_connection_was_not(server, settings):
    settings.SMS_READ_TIMEOUT = 0.5
    set_mode(server, mode="slow", delay=30)
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(notice("42"))
    assert info.value.maybe_accepted is True
    # Like a real provider, the slow fake took the request although its answer never arrived.
    assert [entry["out_id"] for entry in server.state.accepted()] == ["42"]

    _, use, _ = PROVIDERS[server.provider]
    with refused_port() as port:
        use(settings, f"http://127.0.0.1:{port}")
        with pytest.raises(SmsRetryableError) as info:
            get_backend().send(notice("43"))
    assert info.value.maybe_accepted is False


def test_an_error_the_provider_answered_with_was_not_taken(server):
    set_mode(server, mode="throttle")
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(notice("42"))
    assert info.value.maybe_accepted is False


def test_an_http_error_status_is_a_refusal_at_alibaba_and_a_doubt_at_tencent(server):
    # Alibaba's SDK reads the error code in the 503's body; Tencent's reports any status but 200 as
    # ServerNetworkError, which could as well be a proxy's answer after it forwarded the request.
    set_mode(server, mode="down")
    with pytest.raises(SmsRetryableError) as info:
        get_backend().send(notice("42"))
    assert info.value.maybe_accepted is (server.provider == "tencent")


# --------------------------------------------------------------------------- the fakes' query actions


def test_the_aliyun_fake_checks_the_query_like_the_provider():
    with aliyun.fake() as server:
        signed = {
            "Authorization": "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=abc",
            "x-acs-action": "QuerySendDetails",
            "x-acs-version": "2017-05-25",
        }
        today = datetime.now(UTC).astimezone(aliyun.CHINA).strftime("%Y%m%d")
        query = f"/?PhoneNumber={PHONE}&SendDate={today}&PageSize=10&CurrentPage=1"
        unsigned = {key: value for key, value in signed.items() if key != "Authorization"}
        assert request(server.url, "POST", query, headers=unsigned)[1]["Code"] == "IncompleteSignature"
        status, answer = request(server.url, "POST", f"/?PhoneNumber={PHONE}&PageSize=10&CurrentPage=1", headers=signed)
        assert (status, answer["Code"]) == (400, "MissingSendDate")
        old = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y%m%d")
        assert request(server.url, "POST", query.replace(today, old), headers=signed)[1]["Code"] == (
            "isv.INVALID_PARAMETERS"
        )
        assert request(server.url, "POST", query.replace("PageSize=10", "PageSize=51"), headers=signed)[1]["Code"] == (
            "isv.INVALID_PARAMETERS"
        )
        status, answer = request(server.url, "POST", query, headers=signed)
        assert (status, answer["Code"], answer["TotalCount"]) == (200, "OK", 0)
        assert answer["SmsSendDetailDTOs"] == {"SmsSendDetailDTO": []}


def test_the_tencent_fake_checks_the_query_like_the_provider():
    with tencent.fake(app_id=TENCENT_APP_ID) as server:
        headers = {
            "Authorization": "TC3-HMAC-SHA256 Credential=AKID/2026-01-01/sms/tc3_request, SignedHeaders=host, Signature=abc",
            "Content-Type": "application/json",
            "X-TC-Action": "PullSmsSendStatusByPhoneNumber",
            "X-TC-Version": "2021-01-11",
        }
        now = int(time.time())
        body = {"BeginTime": now - 60, "Offset": 0, "Limit": 100, "PhoneNumber": f"+86{PHONE}"}

        def error(payload, **extra):
            answer = request(server.url, "POST", "/", json.dumps(payload).encode(), {**headers, **extra})[1]
            return answer["Response"].get("Error", {}).get("Code")

        assert error(body) == "MissingParameter"  # no SmsSdkAppId
        body["SmsSdkAppId"] = TENCENT_APP_ID
        assert error(body, Authorization="") == "AuthFailure.SignatureFailure"
        assert error({**body, "Offset": 5}) == "InvalidParameterValue"  # "目前固定设置为0"
        assert error({**body, "Limit": 101}) == "InvalidParameterValue"
        assert error({**body, "BeginTime": now - 8 * 24 * 3600}) == "InvalidParameterValue"  # 7 days at most
        assert error({**body, "PhoneNumber": PHONE}) == "InvalidParameterValue.IncorrectPhoneNumber"
        assert error({**body, "SmsSdkAppId": "1400000000"}) == "InvalidParameterValue.SdkAppIdNotExist"
        answer = request(server.url, "POST", "/", json.dumps(body).encode(), headers)[1]
        assert answer["Response"]["PullSmsSendStatusSet"] == []


def test_the_locmem_backend_finds_what_it_sent(settings):
    settings.SMS_BACKEND = "locmem"
    backend = get_backend()
    backend.send(notice("7"))
    assert backend.find_sent(notice("7"), since=an_hour_ago()) == f"locmem-{len(backends.sent_messages)}"
    assert backend.find_sent(notice("8"), since=an_hour_ago()) is None
    assert backend.find_sent(notice("7", phone=OTHER_PHONE), since=an_hour_ago()) is None


def test_the_console_backend_cannot_tell(settings):
    settings.SMS_BACKEND = "console"
    assert get_backend().find_sent(notice("7"), since=an_hour_ago()) is None
