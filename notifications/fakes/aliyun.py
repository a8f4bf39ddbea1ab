"""A local fake of Alibaba Cloud SMS's SendSms (API 2017-05-25), as the official SDK calls it.

The SDK (alibabacloud-dysmsapi20170525 4.x) sends `POST /?PhoneNumbers=..&SignName=..&TemplateCode=..
&TemplateParam=..&OutId=..` with headers `x-acs-action: SendSms`, `x-acs-version: 2017-05-25` and
`Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=..,Signature=..`; the older
RPC style puts Action, Version, AccessKeyId and Signature in the query or form. Both are accepted.
Business errors answer HTTP 200 with a `Code` other than "OK", as the real service does.

QuerySendDetails (`x-acs-action: QuerySendDetails`, query PhoneNumber, SendDate=yyyyMMdd within the
last 30 days, PageSize 1-50, CurrentPage, optional BizId) answers from the accepted messages of
that number and China-time day, oldest first: `SmsSendDetailDTOs.SmsSendDetailDTO[]` with OutId,
PhoneNum, SendStatus (3 delivered unless a test changed the entry's "send_status"), SendDate,
ReceiveDate, TemplateCode, Content, ErrCode, and `TotalCount`.

    python -m notifications.fakes.aliyun --port 18101 --record var/sms-aliyun.jsonl

See notifications/fakes/__init__.py for the control endpoints and modes.
"""

import json
import re
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

from .base import FakeHandler, FakeServer, FakeState, main, running

ACTION = "SendSms"
QUERY_ACTION = "QuerySendDetails"
VERSION = "2017-05-25"
CHINA = timezone(timedelta(hours=8))
MAINLAND_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
TEMPLATE_CODE = re.compile(r"^SMS_\d+$")
CREDENTIAL = re.compile(r"Credential=([^,\s]+)")


class AliyunHandler(FakeHandler):
    provider = "aliyun"

    def server_error_payload(self, code: str) -> dict[str, Any]:
        return {
            "Code": code,
            "Message": "The request has failed due to a temporary failure of the server.",
            "RequestId": self.request_id(),
            "HostId": "dysmsapi.aliyuncs.com",
        }

    def error(self, status: int, code: str, message: str) -> None:
        self.reply(status, {"Code": code, "Message": message, "RequestId": self.request_id()})

    def api(self, body: bytes, mode: dict[str, Any]) -> None:
        params = self.query()
        if body and "form" in (self.headers.get("Content-Type") or ""):
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        action = self.headers.get("x-acs-action") or params.get("Action")
        version = self.headers.get("x-acs-version") or params.get("Version")
        authorization = self.headers.get("Authorization") or ""
        if authorization.startswith("ACS3-HMAC-SHA256 ") and "Signature=" in authorization:
            match = CREDENTIAL.search(authorization)
            access_key = match.group(1) if match else ""
        elif params.get("Signature"):
            access_key = params.get("AccessKeyId", "")
        else:
            return self.error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        if not access_key:
            return self.error(400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
        if self.state.credential and access_key != self.state.credential:
            return self.error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if action not in (ACTION, QUERY_ACTION):
            return self.error(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        if version != VERSION:
            return self.error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        if action == QUERY_ACTION:
            return self.query_send_details(params, mode)

        phones = [phone for phone in params.get("PhoneNumbers", "").split(",") if phone]
        sign_name = params.get("SignName", "")
        template_code = params.get("TemplateCode", "")
        if not phones:
            return self.error(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.")
        if not sign_name:
            return self.error(400, "MissingSignName", "SignName is mandatory for this action.")
        if not template_code:
            return self.error(400, "MissingTemplateCode", "TemplateCode is mandatory for this action.")
        if not all(MAINLAND_MOBILE.match(phone) for phone in phones):
            return self.error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if self.state.sign_names and sign_name not in self.state.sign_names:
            return self.error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if (self.state.templates and template_code not in self.state.templates) or not TEMPLATE_CODE.match(
            template_code
        ):
            return self.error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            template_params = json.loads(params["TemplateParam"]) if params.get("TemplateParam") else {}
            valid = isinstance(template_params, dict) and all(
                isinstance(value, str | int | float) for value in template_params.values()
            )
        except ValueError:
            valid = False
        if not valid:
            return self.error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")

        if mode["mode"] == "throttle":
            return self.error(200, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
        if mode["mode"] == "permanent":
            return self.error(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
        if mode["mode"] == "error":
            return self.error(mode["status"], mode["code"], "fake error")

        biz_id = f"{900000000000000000 + self.state.next_id()}^0"
        for phone in phones:
            self.state.accept(
                {
                    "provider": self.provider,
                    "biz_id": biz_id,
                    "access_key_id": access_key,
                    "phone": phone,
                    "sign_name": sign_name,
                    "template_code": template_code,
                    "params": template_params,
                    "out_id": params.get("OutId", ""),
                }
            )
        self.reply(200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": self.request_id()})

    def query_send_details(self, params: dict[str, Any], mode: dict[str, Any]) -> None:
        phone = params.get("PhoneNumber", "")
        send_date = params.get("SendDate", "")
        if not phone:
            return self.error(400, "MissingPhoneNumber", "PhoneNumber is mandatory for this action.")
        if not send_date:
            return self.error(400, "MissingSendDate", "SendDate is mandatory for this action.")
        for name in ("PageSize", "CurrentPage"):
            if not params.get(name):
                return self.error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if not MAINLAND_MOBILE.match(phone):
            return self.error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        try:
            day = datetime.strptime(send_date, "%Y%m%d").replace(tzinfo=CHINA).date()
            page_size, page = int(params["PageSize"]), int(params["CurrentPage"])
        except ValueError:
            return self.error(200, "isv.INVALID_PARAMETERS", "参数格式不正确")
        today = datetime.now(CHINA).date()
        if not (today - timedelta(days=29) <= day <= today) or not 1 <= page_size <= 50 or page < 1:
            return self.error(200, "isv.INVALID_PARAMETERS", "参数超出范围")
        if mode["mode"] == "error":
            return self.error(mode["status"], mode["code"], "fake error")
        biz_id = params.get("BizId", "")
        matching = []
        for entry in self.state.accepted():
            received = datetime.fromisoformat(entry["received_at"]).astimezone(CHINA)
            if entry["phone"].removeprefix("+").removeprefix("86") != phone.removeprefix("+").removeprefix("86"):
                continue
            if received.date() != day or (biz_id and entry.get("biz_id") != biz_id):
                continue
            matching.append((received, entry))
        start = (page - 1) * page_size
        details = [
            {
                "OutId": entry.get("out_id", ""),
                "PhoneNum": entry["phone"],
                "SendStatus": int(entry.get("send_status", 3)),
                "SendDate": received.strftime("%Y-%m-%d %H:%M:%S"),
                "ReceiveDate": received.strftime("%Y-%m-%d %H:%M:%S"),
                "TemplateCode": entry.get("template_code", ""),
                "Content": "",
                "ErrCode": "DELIVERED" if int(entry.get("send_status", 3)) == 3 else "",
            }
            for received, entry in matching[start : start + page_size]
        ]
        self.reply(
            200,
            {
                "Code": "OK",
                "Message": "OK",
                "RequestId": self.request_id(),
                "TotalCount": len(matching),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
            },
        )


def fake(**options: Any) -> AbstractContextManager[FakeServer]:
    """`with fake(sign_names=(...), templates=(...)) as server:` an Alibaba fake in a thread (tests)."""
    return running(AliyunHandler, FakeState(**options))


if __name__ == "__main__":
    main(AliyunHandler, default_port=18101)
