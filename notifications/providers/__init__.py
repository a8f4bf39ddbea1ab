"""Adapters for the Chinese SMS providers, each an `SmsBackend` registered under its name.

- "aliyun": Alibaba Cloud SMS (阿里云短信服务, SDK `alibabacloud-dysmsapi20170525`)
- "tencent": Tencent Cloud SMS (腾讯云短信, SDK `tencentcloud-sdk-python-sms`)

Both send one approved template (`SMS_TEMPLATES` maps our message key to the provider's template
code) under the registered signature `SMS_SIGN_NAME`, pass our out-id along, and return the
provider's message id. Errors become `SmsRetryableError` or `SmsPermanentError` through each
provider's table of codes (`classify`):

- transport failures (connection refused, time-outs), HTTP 5xx, throttling and the provider's
  internal errors are retryable;
- invalid numbers, templates or signatures not approved, no balance, bad credentials are permanent;
- a code the provider answered with that is in neither table is treated as permanent and logged as
  unrecognised: the provider understood the request and refused it, and repeating an unexplained
  refusal (possibly billed) only hides it. It is retryable only when it came with an HTTP 5xx.

Nothing here logs a phone number in full or the template parameters (they carry one-time codes).
"""

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.masking import mask_phone

from ..backends import SmsDeliveryError, SmsPermanentError, SmsRetryableError
from ..messages import SmsMessage, all_templates, get_template

logger = logging.getLogger("notifications.providers")


@dataclass(frozen=True)
class Endpoint:
    host: str  # host or host:port
    scheme: str  # "http" or "https"


def endpoint_override() -> Endpoint | None:
    """`SMS_ENDPOINT` as host + scheme ("http://127.0.0.1:18101" for a local fake); None for the public one."""
    value = (settings.SMS_ENDPOINT or "").strip()
    if not value:
        return None
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    return Endpoint(host=parts.netloc, scheme=parts.scheme.lower())


def template_code(message: SmsMessage) -> str:
    code: str = settings.SMS_TEMPLATES.get(message.template, "")
    if not code:
        raise SmsPermanentError(f"no provider template code for {message.template!r} in SMS_TEMPLATE_CODES")
    return code


def ordered_params(message: SmsMessage) -> list[str]:
    """The template's parameters as strings, in the order the template declares them."""
    template = get_template(message.template)
    missing = [name for name in template.params if name not in message.params]
    if missing:
        raise SmsPermanentError(f"SMS template {message.template!r} needs parameters {missing}")
    return [str(message.params[name]) for name in template.params]


def missing_template_codes() -> list[str]:
    return sorted(key for key in all_templates() if not settings.SMS_TEMPLATES.get(key))


def missing_settings(*names: str) -> list[str]:
    return [name for name in names if not str(getattr(settings, name, "") or "").strip()]


_LONG_DIGITS = re.compile(r"\d{7,}")


def scrub(text: object) -> str:
    """A provider's message, short and without anything that looks like a phone number."""
    return _LONG_DIGITS.sub("***", str(text or ""))[:120]


@dataclass(frozen=True)
class ErrorTable:
    retryable: frozenset[str]
    permanent: frozenset[str]
    retryable_prefixes: tuple[str, ...]


def classify(
    provider: str,
    table: ErrorTable,
    code: str,
    *,
    message: SmsMessage,
    http_status: int | None = None,
    detail: str = "",
) -> SmsDeliveryError:
    """The exception for a provider's error `code` (see the module docstring for the rules)."""
    code = code or "Unknown"
    error_class: type[SmsDeliveryError]
    if code in table.retryable:
        error_class, known = SmsRetryableError, True
    elif code in table.permanent:
        error_class, known = SmsPermanentError, True
    elif code.startswith(table.retryable_prefixes):
        error_class, known = SmsRetryableError, True
    elif http_status is not None and http_status >= 500:
        error_class, known = SmsRetryableError, False
    else:
        error_class, known = SmsPermanentError, False
    log = logger.warning if known else logger.error
    log(
        "sms %s to %s (out id %s) refused by %s: %s%s, %s",
        message.template,
        mask_phone(message.phone),
        message.out_id or "-",
        provider,
        code,
        "" if known else " (unrecognised code)",
        "retryable" if error_class is SmsRetryableError else "permanent",
    )
    text = (
        f"{provider} {code}"
        + (f" (HTTP {http_status})" if http_status else "")
        + (f": {scrub(detail)}" if detail else "")
    )
    return error_class(text, provider=provider, code=code)


# What a transport failure's text says when the request certainly never reached the provider.
_NEVER_ARRIVED = (
    "connection refused",
    "failed to establish a new connection",
    "name or service not known",
    "nameresolutionerror",
    "temporary failure in name resolution",
    "nodename nor servname",
)


def may_have_arrived(kind: str, text: str = "") -> bool:
    """Whether a request that failed with transport failure `kind` may have reached the provider.

    Only a connect time-out, a refused connection or a name that did not resolve prove it did not;
    a read time-out, a reset connection or a garbled answer may follow a request the provider took.
    """
    if kind == "ConnectTimeout":
        return False
    lowered = str(text or "").lower()
    return not any(marker in lowered for marker in _NEVER_ARRIVED)


def transport_error(provider: str, kind: str, *, message: SmsMessage, maybe_accepted: bool = True) -> SmsRetryableError:
    """Connection refused, a time-out, a garbled answer: always worth another try later.

    `maybe_accepted`: the request may have reached the provider (see `may_have_arrived`).
    """
    logger.warning(
        "sms %s to %s (out id %s) not delivered to %s: %s%s",
        message.template,
        mask_phone(message.phone),
        message.out_id or "-",
        provider,
        kind,
        " (the provider may have taken it)" if maybe_accepted else "",
    )
    return SmsRetryableError(
        f"{provider} transport error: {kind}", provider=provider, code=kind, maybe_accepted=maybe_accepted
    )


def query_error(provider: str, code: str, *, message: SmsMessage, detail: str = "") -> SmsRetryableError:
    """The provider could not say whether it took a message: the outbox tries again later rather than re-send."""
    code = code or "Unknown"
    logger.warning(
        "sms %s to %s (out id %s): %s could not say whether it took the message: %s",
        message.template,
        mask_phone(message.phone),
        message.out_id or "-",
        provider,
        code,
    )
    text = f"{provider} query {code}" + (f": {scrub(detail)}" if detail else "")
    return SmsRetryableError(text, provider=provider, code=code, maybe_accepted=True)
