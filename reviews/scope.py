"""THE reviewer scope. Every reviewer list, page, proof, history and decision goes through here.

A staff member sees the applications whose review unit is their own unit or any unit below it
(a county: itself; a city: its 市直 unit and its counties; the province: everything), and never a
draft. Decisions belong to the managing unit itself (DOMAIN.md "Review": 区县, or 市直 by the
city, 省直 by the province): a city reviewer oversees its counties' applications but the county
decides them. Scope is read from `user.unit` on every call, so a reviewer moved to another unit
loses the old one at once.
"""

from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from regions.selectors import unit_choices_at_or_below, unit_ids_at_or_below, units_at_or_below

from .constants import DECIDING_ROLES
from .models import Application

if TYPE_CHECKING:
    from identity.models import User
    from regions.models import ReviewUnit

# Whoever asks: a signed-in user (`request.user`, a service's actor), anonymous or nobody.
Viewer: TypeAlias = AbstractBaseUser | AnonymousUser | None


def _is_active_staff(user: Any) -> "TypeGuard[User]":
    # `Any`: duck-typed on purpose, a wrapped user (e.g. the OTP middleware's) passes as the user.
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_staff_member", False)
        and user.is_active
        and user.unit_id is not None
    )


def _staff_unit(user: Viewer) -> "ReviewUnit | None":
    """The unit of an active staff member; None for anybody else."""
    return user.unit if _is_active_staff(user) else None


def units_for_reviewer(user: Viewer) -> "QuerySet[ReviewUnit]":
    """The review units a staff member may see (their unit and every unit below it)."""
    unit = _staff_unit(user)
    if unit is None:
        from regions.models import ReviewUnit

        return ReviewUnit.objects.none()
    return units_at_or_below(unit)


def reviewer_unit_ids(user: Viewer) -> list[int]:
    """Ids of the units a staff member may see (cached by regions; no query on a warm cache)."""
    unit = _staff_unit(user)
    return unit_ids_at_or_below(unit) if unit is not None else []


def reviewer_unit_choices(user: Viewer) -> list[tuple[int, str]]:
    """(id, name) of the units a staff member may see, in path order: the inbox's unit filter.

    Cached per scope and per generation of the units (`regions.selectors.SCOPE_GENERATION_KEY`,
    bumped by every committed change of a unit), like the scope's ids: no query on a warm cache.
    """
    unit = _staff_unit(user)
    return unit_choices_at_or_below(unit, "id") if unit is not None else []


def applications_for_reviewer(user: Viewer) -> QuerySet[Application]:
    """Applications a staff member may see: handed in (never drafts), at or below their unit."""
    unit = _staff_unit(user)
    if unit is None:
        return Application.objects.none()
    return Application.objects.filter(unit_id__in=unit_ids_at_or_below(unit), submitted_at__isnull=False)


def get_application_for_reviewer(user: Viewer, pk: int) -> Application:
    """One application in the staff member's scope, or 404 (also for what exists elsewhere)."""
    return get_object_or_404(applications_for_reviewer(user).select_related("unit"), pk=pk)


def reviewer_can_decide(user: Viewer, application: Application) -> bool:
    """Whether the user's role and unit let them approve or return this application.

    Says nothing about the application's state: the transition services check that under a lock.
    """
    return (
        _is_active_staff(user)
        and user.role in DECIDING_ROLES
        and application.unit_id == user.unit_id
        and application.submitted_at is not None
    )


def staff_may_view_application_document(user: object, document: object) -> bool:
    """Documents access rule: staff may view a proof whose application is in their scope."""
    application_id = getattr(document, "application_id", None)
    if not application_id or not _is_active_staff(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not is_verified():
        return False
    return applications_for_reviewer(user).filter(pk=application_id).exists()
