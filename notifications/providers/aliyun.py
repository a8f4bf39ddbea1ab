"""Alibaba Cloud SMS (阿里云短信服务): SendSms of API version 2017-05-25 through the official SDK.

Settings: SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_ALIYUN_REGION, SMS_SIGN_NAME,
SMS_TEMPLATES (message key -> "SMS_xxxxxxxx"), SMS_ENDPOINT (optional), SMS_CONNECT_TIMEOUT,
SMS_READ_TIMEOUT. Business errors come back as HTTP 200 with `Code` other than "OK"; credential and
signature errors as HTTP 4xx; both go through the table below.

`find_sent` asks QuerySendDetails (PhoneNumber, SendDate yyyyMMdd in China time, PageSize,
CurrentPage): each SmsSendDetailDTO carries our OutId and a SendStatus (1 waiting for the
carrier's receipt, 2 failed, 3 delivered); 1 or 3 with our out-id means "already taken". The RAM
user needs QuerySendDetails as well as SendSms (both in AliyunDysmsFullAccess).
"""

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from ..backends import SmsBackend, SmsPermanentError, register
from ..messages import SmsMessage, get_template, signature
from . import (
    ErrorTable,
    classify,
    endpoint_override,
    may_have_arrived,
    missing_settings,
    ordered_params,
    query_error,
    template_code,
    transport_error,
)

API_VERSION = "2017-05-25"
CHINA = ZoneInfo("Asia/Shanghai")
# QuerySendDetails: SendStatus values meaning the provider took the message (1 waiting for the receipt, 3 delivered).
TAKEN_STATUSES = frozenset({1, 3})
QUERY_PAGE_SIZE = 50  # the most the API allows
QUERY_MAX_PAGES = 5  # per day and number; the default flow control allows 10 messages a day per number
QUERY_MAX_DAYS = 3  # today and the two days before: a lease or a retry's backoff spans far less

ERRORS = ErrorTable(
    retryable=frozenset(
        {
            "isv.BUSINESS_LIMIT_CONTROL",  # per-number flow control (1/min, 5/h, 10/day by default)
            "isv.DAY_LIMIT_CONTROL",  # the account's daily cap
            "isv.MONTH_LIMIT_CONTROL",
            "isp.SYSTEM_ERROR",
            "isp.GATEWAY_ERROR",
            "isv.SYSTEM_ERROR",
            "SignatureNonceUsed",  # a replayed nonce: a new request gets a new one
            "ServiceUnavailable",
            "InternalError",
        }
    ),
    permanent=frozenset(
        {
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.MOBILE_COUNT_OVER_LIMIT",
            "isv.SMS_TEMPLATE_ILLEGAL",  # template missing or not approved
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "isv.TEMPLATE_PARAMS_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.SMS_SIGN_ILLEGAL",
            "isv.SIGN_NAME_ILLEGAL",
            "isv.AMOUNT_NOT_ENOUGH",  # no balance
            "isv.OUT_OF_SERVICE",
            "isv.ACCOUNT_NOT_EXISTS",
            "isv.ACCOUNT_ABNORMAL",
            "isv.PRODUCT_UN_SUBSCRIPT",
            "isv.PRODUCT_UNSUBSCRIBE",
            "isv.INVALID_PARAMETERS",
            "isv.INVALID_JSON_PARAM",
            "isv.PARAM_LENGTH_LIMIT",
            "isv.PARAM_NOT_SUPPORT_URL",
            "isv.BLACK_KEY_CONTROL_LIMIT",
            "isv.DENY_IP_RANGE",
            "isp.RAM_PERMISSION_DENY",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "MissingAccessKeyId",
            "Forbidden.RAM",
            "Forbidden.AccessKeyDisabled",
        }
    ),
    retryable_prefixes=("Throttling", "ServiceUnavailable", "InternalError", "isp."),
)


def aliyun_phone(phone: str) -> str:
    """Mainland numbers go without a country code."""
    phone = phone.strip().replace(" ", "")
    if phone.startswith("+86"):
        return phone[3:]
    return phone.lstrip("+")


def transport_kind(exc: BaseException) -> str:
    """A name for what went wrong on the way; the SDK wraps requests' errors in a RetryError of their text."""
    text = str(getattr(exc, "message", "") or exc).lower()
    if "read timed out" in text:
        return "ReadTimeout"
    if "timed out" in text or "timeout" in text:
        return "ConnectTimeout"
    if "connection" in text:
        return "ConnectionError"
    if "json" in text:
        return "InvalidResponse"
    return type(exc).__name__


@register("aliyun")
class AliyunBackend(SmsBackend):
    for_production = True

    @classmethod
    def configuration_problems(cls) -> list[str]:
        return [
            f"{name} is not set"
            for name in missing_settings("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
        ]

    @classmethod
    def preload(cls) -> None:
        import importlib

        for module in (
            "alibabacloud_dysmsapi20170525.client",
            "alibabacloud_dysmsapi20170525.models",
            "alibabacloud_tea_openapi.models",
            "alibabacloud_tea_openapi.exceptions",
            "darabonba.exceptions",
            "darabonba.runtime",
        ):
            importlib.import_module(module)

    def _client(self) -> Any:  # the SDK ships no types
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi_models

        endpoint = endpoint_override()
        config = openapi_models.Config(
            access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
            region_id=settings.SMS_ALIYUN_REGION,
            # milliseconds
            connect_timeout=int(settings.SMS_CONNECT_TIMEOUT * 1000),
            read_timeout=int(settings.SMS_READ_TIMEOUT * 1000),
        )
        if endpoint:
            config.endpoint = endpoint.host
            config.protocol = endpoint.scheme
        return Client(config)

    def send(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
        from darabonba.exceptions import UnretryableException
        from darabonba.runtime import RuntimeOptions

        if self.configuration_problems():
            # Without keys the SDK would look for credentials elsewhere (environment, instance metadata).
            raise SmsPermanentError("aliyun: " + "; ".join(self.configuration_problems()), provider="aliyun")
        names = get_template(message.template).params
        params = dict(zip(names, ordered_params(message), strict=True))
        request = models.SendSmsRequest(
            phone_numbers=aliyun_phone(message.phone),
            sign_name=signature(),
            template_code=template_code(message),
            template_param=json.dumps(params, ensure_ascii=False, separators=(",", ":")) if params else None,
            out_id=message.out_id or None,
        )
        try:
            response = self._client().send_sms_with_options(request, RuntimeOptions())
        except ThrottlingException as exc:
            raise classify(
                "aliyun", ERRORS, "Throttling", message=message, http_status=exc.status_code, detail=exc.code
            ) from None
        except AlibabaCloudException as exc:
            raise classify("aliyun", ERRORS, exc.code, message=message, http_status=exc.status_code) from None
        except UnretryableException as exc:
            # Connection refused, time-outs, an answer that is not JSON (a proxy's 502 page). The
            # inner exception's text holds the request URL with the number and parameters: not kept.
            inner = exc.inner_exception
            kind = transport_kind(inner)
            arrived = may_have_arrived(kind, str(getattr(inner, "message", "") or inner))
            raise transport_error("aliyun", kind, message=message, maybe_accepted=arrived) from None
        body = response.body
        if body is None or body.code != "OK":
            code = body.code if body is not None else ""
            detail = body.message if body is not None else ""
            raise classify("aliyun", ERRORS, code, message=message, http_status=response.status_code, detail=detail)
        return body.biz_id or ""

    def find_sent(self, message: SmsMessage, *, since: datetime) -> str | None:
        """QuerySendDetails for the number, day by day from `since` (China time) back from today.

        At most the last QUERY_MAX_DAYS days. Returns "QuerySendDetails <SendDate>" (the DTO carries
        no BizId) or None; any failure to answer is an SmsRetryableError.
        """
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from darabonba.exceptions import UnretryableException
        from darabonba.runtime import RuntimeOptions

        if not message.out_id:
            return None
        if self.configuration_problems():
            raise query_error("aliyun", "NotConfigured", message=message)
        today = datetime.now(CHINA).date()
        first = min(max(since.astimezone(CHINA).date(), today - timedelta(days=QUERY_MAX_DAYS - 1)), today)
        client = self._client()
        day = today
        while day >= first:
            for page in range(1, QUERY_MAX_PAGES + 1):
                request = models.QuerySendDetailsRequest(
                    phone_number=aliyun_phone(message.phone),
                    send_date=day.strftime("%Y%m%d"),
                    page_size=QUERY_PAGE_SIZE,
                    current_page=page,
                )
                try:
                    response = client.query_send_details_with_options(request, RuntimeOptions())
                except AlibabaCloudException as exc:
                    raise query_error("aliyun", exc.code, message=message) from None
                except UnretryableException as exc:
                    raise query_error("aliyun", transport_kind(exc.inner_exception), message=message) from None
                body = response.body
                if body is None or body.code != "OK":
                    code = body.code if body is not None else ""
                    raise query_error("aliyun", code, message=message, detail=body.message if body else "")
                details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
                details = details or []
                for detail in details:
                    if detail.out_id == message.out_id and _status(detail.send_status) in TAKEN_STATUSES:
                        return f"QuerySendDetails {detail.send_date or day.isoformat()}"[:100]
                total = _number(body.total_count)
                if len(details) < QUERY_PAGE_SIZE or page * QUERY_PAGE_SIZE >= total:
                    break
            day -= timedelta(days=1)
        return None


def _number(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _status(value: Any) -> int:
    return _number(value)
