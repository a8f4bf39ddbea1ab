"""Every SMS the system sends, as a provider template key plus parameters.

Chinese SMS providers (Alibaba Cloud, Tencent Cloud) deliver only templates approved in advance
under a registered signature. So a message is never free text: it is `SmsMessage(template, params)`.
Each provider maps a key to its own template code in settings (`SMS_TEMPLATES`); the console and
in-memory backends render the same templates here, so every message reads the same everywhere and
carries the signature 【湖北省会计人员管理系统】.

Adding a message: one `register_template(...)` below, the same wording approved with each provider,
its code in `SMS_TEMPLATES`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SmsTemplate:
    key: str
    # The body without the signature, with %(name)s placeholders for `params` (in this order for
    # providers that number their parameters, like Tencent Cloud).
    body: Promise | str
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmsMessage:
    """One message to one phone: what the provider is asked to send."""

    phone: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    # The outbox row's id (or another id of ours), passed to the provider as its out-id/session
    # context so that a delivery report or a support ticket can be matched to our row.
    out_id: str = ""

    @property
    def text(self) -> str:
        return render(self.template, self.params)


_templates: dict[str, SmsTemplate] = {}


def register_template(key: str, body: Promise | str, params: tuple[str, ...] = ()) -> SmsTemplate:
    if key in _templates:
        raise ValueError(f"SMS template {key!r} registered twice")
    template = SmsTemplate(key=key, body=body, params=params)
    _templates[key] = template
    return template


def get_template(key: str) -> SmsTemplate:
    try:
        return _templates[key]
    except KeyError:
        raise ValueError(f"unknown SMS template {key!r}") from None


def all_templates() -> dict[str, SmsTemplate]:
    return dict(_templates)


def signature() -> str:
    sign_name: str = settings.SMS_SIGN_NAME
    return sign_name


def render(key: str, params: dict[str, Any]) -> str:
    """The message as the person reads it: 【signature】 + body, always in Chinese."""
    template = get_template(key)
    missing = [name for name in template.params if name not in params]
    if missing:
        raise ValueError(f"SMS template {key!r} needs parameters {missing}")
    with translation.override("zh-hans"):
        body = str(template.body) % {name: params[name] for name in template.params}
    return f"【{signature()}】{body}"


VERIFICATION_CODE = register_template(
    "verification_code",
    _(
        "Your verification code is %(code)s, valid for %(minutes)s minutes. If you did not ask for it, ignore this message."
    ),
    ("code", "minutes"),
)
APPLICATION_APPROVED = register_template(
    "application_approved",
    _("Your %(label)s has been approved."),
    ("label",),
)
APPLICATION_RETURNED = register_template(
    "application_returned",
    _("Your %(label)s has been returned. Reason: %(reason)s. Please sign in, correct it and submit again."),
    ("label", "reason"),
)
PHONE_CHANGE_APPROVED = register_template(
    "phone_change_approved",
    _("Your mobile number change has been approved. From now on, sign in with this mobile number."),
)
PHONE_CHANGED_NOTICE = register_template(
    "phone_changed_notice",
    _(
        "The mobile number bound to your account has been changed to %(phone)s. "
        "If you did not ask for this, please contact your local finance bureau (%(unit)s)."
    ),
    ("phone", "unit"),
)
