"""Alibaba Cloud SMS (阿里云短信服务): SendSms of API version 2017-05-25 through the official SDK.

Settings: SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_ALIYUN_REGION, SMS_SIGN_NAME,
SMS_TEMPLATES (message key -> "SMS_xxxxxxxx"), SMS_ENDPOINT (optional), SMS_CONNECT_TIMEOUT,
SMS_READ_TIMEOUT. Business errors come back as HTTP 200 with `Code` other than "OK"; credential and
signature errors as HTTP 4xx; both go through the table below.
"""

import json

from django.conf import settings

from ..backends import SmsBackend, SmsPermanentError, register
from ..messages import SmsMessage, get_template, signature
from . import ErrorTable, classify, endpoint_override, missing_settings, ordered_params, template_code, transport_error

API_VERSION = "2017-05-25"

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

    def _client(self):
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
            raise transport_error("aliyun", transport_kind(exc.inner_exception), message=message) from None
        body = response.body
        if body is None or body.code != "OK":
            code = body.code if body is not None else ""
            detail = body.message if body is not None else ""
            raise classify("aliyun", ERRORS, code, message=message, http_status=response.status_code, detail=detail)
        return body.biz_id or ""
