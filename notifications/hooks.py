"""Hooks through which apps above notifications add to its pages, so that notifications imports none
of them (identity sends its codes through notifications: notifications is below identity).

- Developer outbox panels (`register_dev_outbox_panel`): a callable (request) → safe HTML (e.g. render_to_string) shown above the
  messages of the developer outbox (a DEBUG-only page). identity adds the demo staff's TOTP codes.
- The guard of the failed-SMS pages (`register_system_admin_guard`): a view decorator that lets only
  system administrators through. identity registers it; with none registered the pages are 404.

Apps register from their AppConfig.ready(); registering the same callable twice keeps one.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.safestring import SafeString

View = Callable[..., HttpResponseBase]
Panel = Callable[[HttpRequest], SafeString]
Guard = Callable[[View], View]

_dev_outbox_panels: list[Panel] = []
_system_admin_guards: list[Guard] = []


def register_dev_outbox_panel(panel: Panel) -> None:
    """Show `panel(request)` (HTML) on the developer outbox, after the panels registered before it."""
    if panel not in _dev_outbox_panels:
        _dev_outbox_panels.append(panel)


def dev_outbox_panels(request: HttpRequest) -> list[SafeString]:
    """The registered panels rendered for this request, in the order they were registered."""
    return [panel(request) for panel in _dev_outbox_panels]


def register_system_admin_guard(guard: Guard) -> None:
    """The decorator guarding the failed-SMS pages (the last one registered)."""
    _system_admin_guards[:] = [guard]


def system_admin_required(view: View) -> View:
    """Only system administrators, as the registered guard decides; 404 for everyone without a guard."""
    guarded: dict[Guard, View] = {}

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _system_admin_guards:
            raise Http404
        guard = _system_admin_guards[-1]
        if guard not in guarded:
            guarded[guard] = guard(view)
        return guarded[guard](request, *args, **kwargs)

    return wrapper
