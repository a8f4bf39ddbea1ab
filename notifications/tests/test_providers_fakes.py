"""The fakes as the drills use them: a standalone process that records what it accepted and can be
switched to fail; and the checks every fake makes on a request."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from notifications.backends import SmsRetryableError, get_backend
from notifications.fakes import aliyun, tencent
from notifications.messages import SmsMessage

from .provider_helpers import ALIYUN_CODES, control, request, use_aliyun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standalone_aliyun(tmp_path):
    """`python -m notifications.fakes.aliyun --port 0 --record FILE`, as the drills start it."""
    record = tmp_path / "aliyun.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "notifications.fakes.aliyun", "--port", "0", "--record", str(record)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FAKE_SMS_QUIET": "1"},
    )
    try:
        # The first line is written once the socket listens: "fake aliyun SMS API on http://127.0.0.1:PORT ..."
        line = process.stderr.readline()
        url = line.split(" on ")[1].split()[0]
        yield url, record
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def test_the_standalone_fake_records_each_accepted_message_and_switches_modes(standalone_aliyun, settings):
    url, record = standalone_aliyun
    use_aliyun(settings, url)
    message = SmsMessage(phone="13800000000", template="verification_code", params={"code": "123456", "minutes": 5})
    biz_id = get_backend().send(SmsMessage(**{**message.__dict__, "out_id": "17"}))

    [line] = record.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["biz_id"] == biz_id
    assert (entry["phone"], entry["template_code"], entry["sign_name"]) == (
        "13800000000",
        ALIYUN_CODES["verification_code"],
        "湖北省会计人员管理系统",
    )
    assert (entry["params"], entry["out_id"]) == ({"code": "123456", "minutes": "5"}, "17")
    assert control(url, "/_fake/messages") == (200, [entry])

    for mode in ("down", "throttle"):
        assert control(url, "/_fake/mode", {"mode": mode})[1]["mode"] == mode
        with pytest.raises(SmsRetryableError):
            get_backend().send(message)
    assert control(url, "/_fake/mode", {"mode": "ok"}) == (
        200,
        {"mode": "ok", "code": "", "status": 200, "delay": 10.0},
    )
    get_backend().send(message)
    assert len(record.read_text(encoding="utf-8").splitlines()) == 2

    assert control(url, "/_fake/messages", method="DELETE") == (200, {"cleared": True})
    assert control(url, "/_fake/messages") == (200, [])


@pytest.mark.parametrize("module", [aliyun, tencent])
def test_the_controls_refuse_unknown_modes(module):
    with module.fake() as server:
        assert control(server.url, "/_fake/mode", {"mode": "sideways"})[0] == 400
        assert control(server.url, "/_fake/mode", {"mode": "error"})[0] == 400  # needs a code
        assert control(server.url, "/_fake/mode") == (200, {"mode": "ok", "code": "", "status": 200, "delay": 10.0})
        assert control(server.url, "/_fake/nothing")[0] == 404


def test_the_mode_can_be_set_at_start(settings):
    with aliyun.fake(mode="throttle") as server:
        use_aliyun(settings, server.url)
        with pytest.raises(SmsRetryableError) as info:
            get_backend().send(SmsMessage(phone="13800000000", template="phone_change_approved"))
    assert info.value.code == "isv.BUSINESS_LIMIT_CONTROL"


def test_the_aliyun_fake_checks_action_and_version():
    with aliyun.fake() as server:
        signed = {"Authorization": "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=abc"}
        query = "/?PhoneNumbers=13800000000&SignName=s&TemplateCode=SMS_1"
        status, answer = request(server.url, "POST", query, headers={**signed, "x-acs-action": "SendBatchSms"})
        assert (status, answer["Code"]) == (404, "InvalidAction.NotFound")
        headers = {**signed, "x-acs-action": "SendSms", "x-acs-version": "2016-09-27"}
        status, answer = request(server.url, "POST", query, headers=headers)
        assert (status, answer["Code"]) == (400, "InvalidVersion")
        headers["x-acs-version"] = "2017-05-25"
        status, answer = request(server.url, "POST", query + "&TemplateParam=not-json", headers=headers)
        assert (status, answer["Code"]) == (200, "isv.INVALID_JSON_PARAM")
        assert server.state.accepted() == []


def test_the_tencent_fake_checks_action_version_and_parameters():
    with tencent.fake() as server:
        headers = {
            "Authorization": "TC3-HMAC-SHA256 Credential=AKID/2026-01-01/sms/tc3_request, SignedHeaders=host, Signature=abc",
            "Content-Type": "application/json",
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2019-07-11",
        }
        body = {"SmsSdkAppId": "1400", "SignName": "s", "TemplateId": "1", "PhoneNumberSet": ["+8613800000000"]}
        status, answer = request(server.url, "POST", "/", json.dumps(body).encode(), headers)
        assert answer["Response"]["Error"]["Code"] == "NoSuchVersion"
        headers["X-TC-Version"] = "2021-01-11"
        body["TemplateParamSet"] = [123456]
        status, answer = request(server.url, "POST", "/", json.dumps(body).encode(), headers)
        assert answer["Response"]["Error"]["Code"] == "InvalidParameterValue.TemplateParameterFormatError"
        body["TemplateParamSet"] = ["123456"]
        status, answer = request(server.url, "POST", "/", json.dumps(body).encode(), headers)
        assert answer["Response"]["SendStatusSet"][0]["Code"] == "Ok"
        assert [entry["params"] for entry in server.state.accepted()] == [["123456"]]
