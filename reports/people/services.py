"""The audit rows of 人员查询: every search and every opening of a person's file (staff views of
personal data). Detail is masked: never a whole ID number or phone."""

from django.db import transaction
from django.http import HttpRequest

from audit.services import record_event
from core.masking import mask_id_number, mask_phone
from dossier import people
from identity.models import User

ACTION_SEARCH = "people.search"
ACTION_VIEW = "people.view_person"


def _masked_query(kind: str, value: str) -> str:
    if kind == people.ID_NUMBER:
        return mask_id_number(value)
    if kind == people.PHONE:
        return mask_phone(value)
    return value  # a name's beginning, an employer's code: not personal identifiers


def record_search(*, request: HttpRequest, kind: str, value: str, found: int) -> None:
    """Audit a staff search (kind, masked value, number of people found)."""
    with transaction.atomic():
        record_event(
            action=ACTION_SEARCH,
            request=request,
            detail={"by": kind, "query": _masked_query(kind, value), "found": found},
        )


def record_view(*, request: HttpRequest, person: User) -> None:
    """Audit a staff member opening a person's file."""
    with transaction.atomic():
        record_event(
            action=ACTION_VIEW,
            request=request,
            obj=person,
            detail={"name": person.full_name, "id_number": mask_id_number(person.id_number)},
        )
