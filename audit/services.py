"""Writing the audit log. Call inside the transaction of the change it records."""

from django.db import models

from core.request_info import client_ip, request_id

from .models import AuditEvent


def _actor_snapshot(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "", "actor_role": "", "actor_unit": "", "unit_id": None}
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
    request=None,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    result: str = AuditEvent.Result.SUCCESS,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row.

    `actor` defaults to the request's user. `detail` must already be masked: pass masked ID
    numbers and phones (core.masking), never codes or whole numbers.
    """
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        **_actor_snapshot(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        result=result,
        ip=client_ip(request),
        request_id=request_id(request),
        detail=detail or {},
    )
