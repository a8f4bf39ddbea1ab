"""A local fake of Tencent Cloud SMS's SendSms (API 2021-01-11), as the official SDK calls it.

The SDK (tencentcloud-sdk-python-sms 3.x) sends `POST /` with a JSON body (SmsSdkAppId, SignName,
TemplateId, TemplateParamSet, PhoneNumberSet, SessionContext) and headers `X-TC-Action: SendSms`,
`X-TC-Version: 2021-01-11`, `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
SignedHeaders=.., Signature=..`. Request errors answer HTTP 200 with `Response.Error`; a per-number
result (such as a frequency limit) answers in `Response.SendStatusSet[].Code`, as the real service does.

PullSmsSendStatusByPhoneNumber (JSON BeginTime, Offset (must be 0), Limit 1-100, PhoneNumber,
SmsSdkAppId, optional EndTime; BeginTime within the last 7 days) answers from the accepted
messages of that number received in that time, oldest first: `PullSmsSendStatusSet[]` with
SerialNo, SessionContext, PhoneNumber, SubscriberNumber, CountryCode, UserReceiveTime,
ReportStatus ("SUCCESS" unless a test changed the entry's "report_status") and Description.

    python -m notifications.fakes.tencent --port 18102 --record var/sms-tencent.jsonl

See notifications/fakes/__init__.py for the control endpoints and modes.
"""

import json
import re
import time
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from .base import FakeHandler, FakeServer, FakeState, main, running

ACTION = "SendSms"
QUERY_ACTION = "PullSmsSendStatusByPhoneNumber"
VERSION = "2021-01-11"
E164_MAINLAND = re.compile(r"^\+861[3-9]\d{9}$")
TEMPLATE_ID = re.compile(r"^\d+$")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


class TencentHandler(FakeHandler):
    provider = "tencent"

    def server_error_payload(self, code: str) -> dict[str, Any]:
        return {"Response": {"Error": {"Code": code, "Message": "service unavailable"}, "RequestId": self.request_id()}}

    def error(self, code: str, message: str, status: int = 200) -> None:
        self.reply(status, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": self.request_id()}})

    def api(self, body: bytes, mode: dict[str, Any]) -> None:
        authorization = self.headers.get("Authorization") or ""
        match = CREDENTIAL.search(authorization)
        if not authorization.startswith("TC3-HMAC-SHA256 ") or "Signature=" not in authorization or not match:
            return self.error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if self.state.credential and match.group(1) != self.state.credential:
            return self.error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        action = self.headers.get("X-TC-Action")
        if action not in (ACTION, QUERY_ACTION):
            return self.error("InvalidAction", "The action is not found.")
        if self.headers.get("X-TC-Version") != VERSION:
            return self.error("NoSuchVersion", "The version is not found.")
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self.error("FailedOperation.FailResolvePacket", "The request body is not JSON.")
        if not isinstance(data, dict):
            return self.error("FailedOperation.FailResolvePacket", "The request body is not an object.")
        if action == QUERY_ACTION:
            return self.pull_status_by_phone(data, mode)
        app_id = str(data.get("SmsSdkAppId") or "")
        sign_name = str(data.get("SignName") or "")
        template_id = str(data.get("TemplateId") or "")
        params = data.get("TemplateParamSet") or []
        phones = data.get("PhoneNumberSet") or []
        if not app_id:
            return self.error("MissingParameter", "SmsSdkAppId is required.")
        if self.state.app_id and app_id != self.state.app_id:
            return self.error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist.")
        if not isinstance(phones, list) or not phones:
            return self.error("MissingParameter.EmptyPhoneNumberSet", "PhoneNumberSet is empty.")
        if not all(isinstance(phone, str) and E164_MAINLAND.match(phone) for phone in phones):
            return self.error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
        if not sign_name or (self.state.sign_names and sign_name not in self.state.sign_names):
            return self.error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误")
        if not TEMPLATE_ID.match(template_id) or (self.state.templates and template_id not in self.state.templates):
            return self.error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
        if not isinstance(params, list) or not all(isinstance(value, str) for value in params):
            return self.error("InvalidParameterValue.TemplateParameterFormatError", "验证码模板参数格式错误")

        if mode["mode"] == "permanent":
            return self.error("FailedOperation.InsufficientBalanceInSmsPackage", "套餐包余量不足")
        if mode["mode"] == "error":
            return self.error(mode["code"], "fake error", status=mode["status"])

        session = str(data.get("SessionContext") or "")
        statuses = []
        for phone in phones:
            if mode["mode"] == "throttle":
                statuses.append(
                    {
                        "SerialNo": "",
                        "PhoneNumber": phone,
                        "Fee": 0,
                        "SessionContext": session,
                        "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
                        "Message": "单个手机号30秒内下发短信条数超过设定的上限",
                        "IsoCode": "CN",
                    }
                )
                continue
            serial = f"2433:{337000000000000000 + self.state.next_id()}"
            self.state.accept(
                {
                    "provider": self.provider,
                    "serial_no": serial,
                    "secret_id": match.group(1),
                    "sdk_app_id": app_id,
                    "phone": phone,
                    "sign_name": sign_name,
                    "template_code": template_id,
                    "params": params,
                    "out_id": session,
                }
            )
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": phone,
                    "Fee": 1,
                    "SessionContext": session,
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        self.reply(200, {"Response": {"SendStatusSet": statuses, "RequestId": self.request_id()}})

    def pull_status_by_phone(self, data: dict[str, Any], mode: dict[str, Any]) -> None:
        app_id = str(data.get("SmsSdkAppId") or "")
        phone = data.get("PhoneNumber")
        # JSON values, checked below to be integers.
        begin: Any = data.get("BeginTime")
        end: Any = data.get("EndTime")
        limit: Any = data.get("Limit")
        offset: Any = data.get("Offset")
        for name, value in (("BeginTime", begin), ("Offset", offset), ("Limit", limit), ("PhoneNumber", phone)):
            if value is None or value == "":
                return self.error("MissingParameter", f"{name} is required.")
        if not app_id:
            return self.error("MissingParameter", "SmsSdkAppId is required.")
        if self.state.app_id and app_id != self.state.app_id:
            return self.error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist.")
        if not isinstance(phone, str) or not E164_MAINLAND.match(phone):
            return self.error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
        integers = (begin, offset, limit) + (() if end is None else (end,))
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in integers):
            return self.error("InvalidParameter", "BeginTime, EndTime, Offset and Limit are integers.")
        now = int(time.time())
        if offset != 0 or not 1 <= limit <= 100 or begin < now - 7 * 24 * 3600 or (end is not None and end < begin):
            return self.error("InvalidParameterValue", "参数超出范围")
        if mode["mode"] == "error":
            return self.error(mode["code"], "fake error", status=mode["status"])
        statuses = []
        for entry in self.state.accepted():
            received = int(datetime.fromisoformat(entry["received_at"]).timestamp())
            if entry["phone"] != phone or received < begin or (end is not None and received > end):
                continue
            report = entry.get("report_status", "SUCCESS")
            statuses.append(
                {
                    "UserReceiveTime": received,
                    "CountryCode": "86",
                    "SubscriberNumber": phone.removeprefix("+86"),
                    "PhoneNumber": phone,
                    "SerialNo": entry.get("serial_no", ""),
                    "ReportStatus": report,
                    "Description": "DELIVRD" if report == "SUCCESS" else "MK:0001",
                    "SessionContext": entry.get("out_id", ""),
                }
            )
        self.reply(200, {"Response": {"PullSmsSendStatusSet": statuses[:limit], "RequestId": self.request_id()}})


def fake(**options: Any) -> AbstractContextManager[FakeServer]:
    """`with fake(sign_names=(...), templates=(...)) as server:` a Tencent fake in a thread (tests)."""
    return running(TencentHandler, FakeState(**options))


if __name__ == "__main__":
    main(TencentHandler, default_port=18102)
