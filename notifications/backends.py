"""SMS backends behind one interface, chosen by settings.SMS_BACKEND.

Adding a provider is one class (see notifications/providers/ for Alibaba Cloud and Tencent Cloud):

    @register("aliyun")
    class AliyunBackend(SmsBackend):
        def send(self, message: SmsMessage) -> str: ...

A backend raises `SmsRetryableError` when trying again later may work (throttled, timed out, the
provider's 5xx) and `SmsPermanentError` when it cannot (invalid number, template not approved, no
balance); both are `SmsDeliveryError`. An error whose request may have reached the provider all the
same (a read time-out, a reset connection, a garbled answer) says so with `maybe_accepted=True`.

A backend that can ask its provider whether a message was already accepted implements
`find_sent(message, since=...)` (Alibaba's QuerySendDetails, Tencent's PullSmsSendStatusByPhoneNumber);
the outbox asks before re-sending a row whose previous attempt's outcome it never learned.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .messages import SmsMessage

_registry: dict[str, type["SmsBackend"]] = {}


class SmsDeliveryError(Exception):
    """The provider did not take the message (down, slow, refused)."""

    def __init__(self, *args: object, provider: str = "", code: str = "", maybe_accepted: bool = False) -> None:
        super().__init__(*args)
        # Which provider refused, and its error code (or the transport failure's name), for tests and logs.
        self.provider = provider
        self.code = code
        # True when the request may have reached the provider and been accepted although no answer
        # said so (read time-out, connection reset, garbled answer): the outbox asks before re-sending.
        self.maybe_accepted = maybe_accepted


class SmsRetryableError(SmsDeliveryError):
    """Trying again later may work: throttling, a time-out, the provider's server error."""


class SmsPermanentError(SmsDeliveryError):
    """Trying again will not help: invalid number, template not approved, no balance, bad credentials."""


_Backend = TypeVar("_Backend", bound="type[SmsBackend]")


def register(name: str) -> Callable[[_Backend], _Backend]:
    def decorator(cls: _Backend) -> _Backend:
        if name in _registry:
            raise ImproperlyConfigured(f"SMS backend {name!r} registered twice")
        _registry[name] = cls
        cls.name = name
        return cls

    return decorator


class SmsBackend(ABC):
    name = ""
    # Whether the backend reaches real phones; `check --deploy` refuses the others with DEBUG off.
    for_production = False

    @classmethod
    def configuration_problems(cls) -> list[str]:
        """What in settings keeps this backend from sending (missing credentials, template codes)."""
        return []

    @classmethod
    def preload(cls) -> None:
        """Import what sending needs at start-up rather than on the first message (a provider's SDK)."""
        return None

    @abstractmethod
    def send(self, message: SmsMessage) -> str:
        """Hand one message to the provider and return its message id (or "").

        Raise SmsRetryableError / SmsPermanentError if it does not take it.
        """

    def find_sent(self, message: SmsMessage, *, since: datetime) -> str | None:
        """Ask the provider whether it already accepted `message` (same phone and out-id) since `since`.

        Returns the provider's message id (or a non-empty marker when the query does not tell it),
        None if the provider has no such message, or if this backend cannot ask (then the outbox
        sends as it would without asking). Raises SmsRetryableError if the provider cannot answer now.
        """
        return None


@register("console")
class ConsoleBackend(SmsBackend):
    """Prints the message and keeps it for the developer outbox page. Development only."""

    def send(self, message: SmsMessage) -> str:
        from .models import DevSmsMessage

        if not settings.DEBUG:
            raise ImproperlyConfigured("the console SMS backend only runs with DEBUG on")
        text = message.text
        print(f"[SMS to {message.phone}] {text}", flush=True)  # noqa: T201 - the console backend's job
        DevSmsMessage.objects.create(phone=message.phone, text=text)
        return ""

    # find_sent: the developer outbox keeps no out-id, so the console backend cannot tell (None).


# Messages the locmem backend "sent" as (phone, rendered text), newest last; `sent_messages` keeps
# the SmsMessage itself (template key and parameters). Tests read and clear both.
outbox: list[tuple[str, str]] = []
sent_messages: list[SmsMessage] = []


@register("locmem")
class LocmemBackend(SmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append((message.phone, message.text))
        sent_messages.append(message)
        return f"locmem-{len(sent_messages)}"

    def find_sent(self, message: SmsMessage, *, since: datetime) -> str | None:
        if not message.out_id:
            return None
        for number, sent in enumerate(sent_messages, start=1):
            if sent.out_id == message.out_id and sent.phone == message.phone:
                return f"locmem-{number}"
        return None


def get_backend() -> SmsBackend:
    try:
        return _registry[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown SMS_BACKEND {settings.SMS_BACKEND!r}") from None


def registered_backends() -> dict[str, type[SmsBackend]]:
    return dict(_registry)


# The provider adapters register themselves; their SDKs are imported only when they send.
from .providers import aliyun, tencent  # noqa: E402, F401
