"""SMS backends behind one interface, chosen by settings.SMS_BACKEND.

Adding a provider is one class:

    @register("aliyun")
    class AliyunBackend(SmsBackend):
        def send(self, phone, text): ...
"""

from abc import ABC, abstractmethod

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_registry: dict[str, type["SmsBackend"]] = {}


class SmsDeliveryError(Exception):
    """The provider did not take the message (down, slow, refused)."""


def register(name: str):
    def decorator(cls):
        if name in _registry:
            raise ImproperlyConfigured(f"SMS backend {name!r} registered twice")
        _registry[name] = cls
        cls.name = name
        return cls

    return decorator


class SmsBackend(ABC):
    name = ""

    @abstractmethod
    def send(self, phone: str, text: str) -> None:
        """Hand one message to the provider; raise SmsDeliveryError if it does not take it."""


@register("console")
class ConsoleBackend(SmsBackend):
    """Prints the message and keeps it for the developer outbox page. Development only."""

    def send(self, phone: str, text: str) -> None:
        from .models import DevSmsMessage

        if not settings.DEBUG:
            raise ImproperlyConfigured("the console SMS backend only runs with DEBUG on")
        print(f"[SMS to {phone}] {text}", flush=True)  # noqa: T201 - the console backend's job
        DevSmsMessage.objects.create(phone=phone, text=text)


# Messages the locmem backend "sent", newest last. Tests read and clear it.
outbox: list[tuple[str, str]] = []


@register("locmem")
class LocmemBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def get_backend() -> SmsBackend:
    try:
        return _registry[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown SMS_BACKEND {settings.SMS_BACKEND!r}") from None
