"""Tencent Cloud SMS (腾讯云短信): SendSms of API version 2021-01-11 through the official SDK.

Settings: SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY, SMS_TENCENT_REGION, SMS_TENCENT_SDK_APP_ID,
SMS_SIGN_NAME, SMS_TEMPLATES (message key -> numeric template id), SMS_ENDPOINT (optional),
SMS_CONNECT_TIMEOUT, SMS_READ_TIMEOUT. Tencent numbers template parameters: they are sent in the
order the template in notifications/messages.py declares them. Request-level errors come back as
`Response.Error`; per-number results (frequency limits among them) in `SendStatusSet[].Code`.

`find_sent` asks PullSmsSendStatusByPhoneNumber (BeginTime, Offset fixed at 0, Limit at most 100,
PhoneNumber, SmsSdkAppId, EndTime; at most the last 7 days): its PullSmsSendStatus items carry
SessionContext (our out-id) and SerialNo. Two limits of that API, from Tencent's documentation:
an item exists only once the carrier's delivery receipt came back (usually seconds, sometimes
longer), and SessionContext is echoed there only after Tencent enabled it for the account. Without
a match the answer is None and the outbox sends (as it would without asking).
"""

import time
from datetime import datetime
from typing import Any

from django.conf import settings

from ..backends import SmsBackend, SmsPermanentError, register
from ..messages import SmsMessage, signature
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

API_VERSION = "2021-01-11"
QUERY_LIMIT = 100  # the most PullSmsSendStatusByPhoneNumber returns (its Offset is fixed at 0)
QUERY_MAX_SECONDS = 7 * 24 * 3600 - 600  # it pulls at most the last 7 days
CLOCK_MARGIN_SECONDS = 300  # our clock and Tencent's may differ a little

# What the SDK itself reports when no usable answer came back: its own two codes, and the names of
# the exceptions it wraps (requests' time-outs and connection errors, a garbled body).
TRANSPORT_CODES = frozenset(
    {
        "ClientNetworkError",
        "ServerNetworkError",  # any HTTP status other than 200: a gateway or proxy error page
        "ConnectionError",
        "ConnectTimeout",
        "ReadTimeout",
        "Timeout",
        "ChunkedEncodingError",
        "JSONDecodeError",
    }
)

ERRORS = ErrorTable(
    retryable=frozenset(
        {
            "RequestLimitExceeded",
            "InternalError",
            "InternalError.Timeout",
            "InternalError.OtherError",
            "InternalError.RequestTimeException",
            "FailedOperation.FailResolvePacket",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
            "LimitExceeded.PhoneNumberDailyLimit",
            "LimitExceeded.PhoneNumberSameContentDailyLimit",
            "LimitExceeded.DailyLimit",
            "LimitExceeded.DeliveryFrequencyLimit",
            "LimitExceeded.AppDailyLimit",
            "LimitExceeded.AppGlobalDailyLimit",
        }
    ),
    permanent=frozenset(
        {
            "LimitExceeded.PhoneNumberCountLimit",  # more numbers than one request takes
            "InvalidParameterValue.IncorrectPhoneNumber",
            "InvalidParameterValue.TemplateParameterFormatError",
            "InvalidParameterValue.TemplateParameterLengthLimit",
            "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
            "InvalidParameterValue.SdkAppIdNotExist",
            "InvalidParameterValue.InvalidTemplateFormat",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.InsufficientBalanceInSmsPackage",
            "FailedOperation.PhoneNumberInBlacklist",
            "FailedOperation.ContainSensitiveWord",
            "FailedOperation.MarketingSendTimeConstraint",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "UnauthorizedOperation.RequestPermissionDeny",
            "UnauthorizedOperation.SerivceSuspendDueToArrears",
            "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
            "MissingParameter.EmptyPhoneNumberSet",
            "AuthFailure.SecretIdNotFound",
            "AuthFailure.SignatureFailure",
            "AuthFailure.SignatureExpire",
            "AuthFailure.UnauthorizedOperation",
            "AuthFailure.InvalidSecretId",
        }
    ),
    retryable_prefixes=("LimitExceeded.", "InternalError", "RequestLimitExceeded"),
)


def tencent_phone(phone: str) -> str:
    """E.164: mainland numbers get +86."""
    phone = phone.strip().replace(" ", "")
    return phone if phone.startswith("+") else f"+86{phone}"


@register("tencent")
class TencentBackend(SmsBackend):
    for_production = True

    @classmethod
    def configuration_problems(cls) -> list[str]:
        names = ("SMS_TENCENT_SECRET_ID", "SMS_TENCENT_SECRET_KEY", "SMS_TENCENT_SDK_APP_ID", "SMS_SIGN_NAME")
        return [f"{name} is not set" for name in missing_settings(*names)]

    @classmethod
    def preload(cls) -> None:
        import importlib

        for module in (
            "tencentcloud.sms.v20210111.sms_client",
            "tencentcloud.sms.v20210111.models",
            "tencentcloud.common.exception.tencent_cloud_sdk_exception",
        ):
            importlib.import_module(module)

    def _client(self) -> Any:  # the SDK ships no types
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        # The SDK hands reqTimeout to requests, which takes (connect, read) seconds.
        endpoint = endpoint_override()
        http_profile = HttpProfile(
            protocol=endpoint.scheme if endpoint else "https",
            endpoint=endpoint.host if endpoint else None,
            reqTimeout=(settings.SMS_CONNECT_TIMEOUT, settings.SMS_READ_TIMEOUT),
        )
        return sms_client.SmsClient(
            credential.Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY),
            settings.SMS_TENCENT_REGION,
            ClientProfile(httpProfile=http_profile),
        )

    def send(self, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        if self.configuration_problems():
            raise SmsPermanentError("tencent: " + "; ".join(self.configuration_problems()), provider="tencent")
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = signature()
        request.TemplateId = template_code(message)
        request.TemplateParamSet = ordered_params(message)
        request.PhoneNumberSet = [tencent_phone(message.phone)]
        if message.out_id:
            request.SessionContext = message.out_id
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            if code in TRANSPORT_CODES:
                # The SDK's text for these holds the answer's body or the URL: not kept.
                arrived = may_have_arrived(code, exc.get_message() or "")
                raise transport_error("tencent", code, message=message, maybe_accepted=arrived) from None
            raise classify("tencent", ERRORS, code, message=message, detail=exc.get_message()) from None
        statuses = response.SendStatusSet or []
        if not statuses:
            raise transport_error("tencent", "EmptySendStatusSet", message=message)
        status = statuses[0]
        if status.Code != "Ok":
            raise classify("tencent", ERRORS, status.Code, message=message, detail=status.Message)
        return status.SerialNo or ""

    def find_sent(self, message: SmsMessage, *, since: datetime) -> str | None:
        """PullSmsSendStatusByPhoneNumber from `since` (a few minutes earlier) to now: the SerialNo of a
        receipt carrying our out-id that is not FAIL, or None."""
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        if not message.out_id:
            return None
        if self.configuration_problems():
            raise query_error("tencent", "NotConfigured", message=message)
        now = int(time.time())
        begin = max(int(since.timestamp()) - CLOCK_MARGIN_SECONDS, now - QUERY_MAX_SECONDS)
        request = models.PullSmsSendStatusByPhoneNumberRequest()
        request.BeginTime = min(begin, now)
        request.EndTime = now + CLOCK_MARGIN_SECONDS
        request.Offset = 0
        request.Limit = QUERY_LIMIT
        request.PhoneNumber = tencent_phone(message.phone)
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        try:
            response = self._client().PullSmsSendStatusByPhoneNumber(request)
        except TencentCloudSDKException as exc:
            raise query_error("tencent", exc.get_code() or "", message=message) from None
        for status in response.PullSmsSendStatusSet or []:
            if status.SessionContext == message.out_id and (status.ReportStatus or "").upper() != "FAIL":
                return status.SerialNo or f"PullSmsSendStatus {message.out_id}"
        return None
