"""Writing the audit log. Call inside the transaction of the change it records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from core.request_info import client_ip, request_id

from .models import AuditEvent

if TYPE_CHECKING:
    from identity.models import User


def actor_fields(actor: User | AnonymousUser | None) -> dict[str, Any]:
    """The actor's name, role and unit as an audit row keeps them (for `build_event`)."""
    return _actor_snapshot(actor)


def _actor_snapshot(actor: User | AnonymousUser | None) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "", "actor_role": "", "actor_unit": "", "unit_id": None}
    assert not isinstance(actor, AnonymousUser)  # an anonymous user is never authenticated
    unit = getattr(actor, "unit", None)
    return {
        "actor": actor,
        "actor_name": actor.display_name[:100],
        "actor_role": (actor.role or actor.kind)[:30],
        "actor_unit": (unit.name if unit else "")[:60],
        "unit_id": unit.pk if unit else None,
    }


def record_event(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: User | AnonymousUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    result: str = AuditEvent.Result.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row.

    `actor` defaults to the request's user. `detail` must already be masked: pass masked ID
    numbers and phones (core.masking), never codes or whole numbers.
    """
    event = build_event(
        action=action,
        request=request,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        result=result,
        detail=detail,
    )
    event.save(force_insert=True)
    return event


def record_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many rows made by `build_event` with one INSERT (a batch of decisions)."""
    return AuditEvent.objects.bulk_create(events) if events else []


def build_event(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: User | AnonymousUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    result: str = AuditEvent.Result.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_fields: dict[str, Any] | None = None,
) -> AuditEvent:
    """The row `record_event` would append, not yet saved (for `record_events`).

    `actor_fields` (from `actor_fields(actor)`) saves recomputing it for every row of a batch.
    """
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent(
        **(actor_fields if actor_fields is not None else _actor_snapshot(actor)),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        result=result,
        ip=client_ip(request),
        request_id=request_id(request),
        detail=detail or {},
    )
