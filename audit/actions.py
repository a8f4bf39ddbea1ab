"""The registry of audit action codes and their human-readable (Chinese) labels.

Every `record_event(action=...)` code has a label here, so the admin shows 查看申请 instead of
`reviews.view` and its action filter offers the registered codes (never a DISTINCT over the
audit table, which is large). `audit.tests.test_actions` scans the source for action codes and
fails for one without a label.

The labels of the actions in use live in `audit.action_labels` (one catalogue, audit's); an app
may register more of its own with `register_action` from its AppConfig.ready().
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

_LABELS: dict[str, object] = {}


def register_action(code: str, label) -> None:
    """Register `code` (e.g. "reviews.view") with its label (a gettext_lazy string).

    Registering the same code twice with another label is a programming error.
    """
    existing = _LABELS.get(code)
    with translation.override(None):  # compare the English msgids, not today's translations
        differs = existing is not None and str(existing) != str(label)
    if differs:
        raise ImproperlyConfigured(f"audit action {code!r} is registered twice with different labels")
    _LABELS[code] = label


def is_registered(code: str) -> bool:
    return code in _LABELS


def registered_actions() -> list[str]:
    return sorted(_LABELS)


def label_for(code: str) -> str:
    """The label of an action code in the active language; the code itself when unregistered."""
    label = _LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for filters and forms, ordered by code so related actions stay together."""
    return [(code, str(_LABELS[code])) for code in sorted(_LABELS)]
