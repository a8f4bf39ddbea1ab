"""`manage.py check --deploy`: refuse an SMS set-up that cannot reach real phones.

Registered for deploy checks only, so that tests (DEBUG off, the in-memory backend) and development
(the console backend) run as before; the deployment runbook runs `check --deploy --fail-level WARNING`.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .backends import registered_backends
from .providers import missing_template_codes


@register("sms", deploy=True)
def check_sms_backend(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> Sequence[CheckMessage]:
    name = settings.SMS_BACKEND
    backend = registered_backends().get(name)
    if backend is None:
        return [
            Error(
                f"SMS_BACKEND {name!r} is not a registered SMS backend.",
                hint=f"Use one of: {', '.join(sorted(registered_backends()))}.",
                id="notifications.E001",
            )
        ]
    if not backend.for_production:
        if settings.DEBUG:
            return []
        return [
            Error(
                f"SMS_BACKEND {name!r} sends no real SMS, but DEBUG is off.",
                hint="Set SMS_BACKEND to a provider (aliyun or tencent) with its credentials and SMS_TEMPLATE_CODES.",
                id="notifications.E002",
            )
        ]
    errors: list[CheckMessage] = [
        Error(f"SMS backend {name!r}: {problem}.", hint="Set it in the environment.", id="notifications.E003")
        for problem in backend.configuration_problems()
    ]
    missing = missing_template_codes()
    if missing:
        errors.append(
            Error(
                f"SMS backend {name!r} has no provider template code for: {', '.join(missing)}.",
                hint='Add them to SMS_TEMPLATE_CODES ("verification_code=SMS_123,application_approved=SMS_456,...").',
                id="notifications.E004",
            )
        )
    return errors
