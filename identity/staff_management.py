"""Staff management by administrators (人员管理): who may manage whom, and the managing actions.

THE management scope. Every staff-management list, page and action goes through `manageable_staff`
(who an administrator may manage) and `may_assign` (which role at which unit they may hand out):

- a unit administrator manages the reviewers of their unit and of every unit below it, and the
  unit administrators of the units below it (not their peers of the same unit: the level above
  or the system administrator manages those);
- the system administrator manages unit administrators, reviewers, security administrators and
  auditors anywhere (other system administrators: `manage.py create_staff` and the Django admin);
- security administrators, auditors and reviewers manage nobody here;
- nobody manages themselves, and nobody grants a role above their own.

Scope is read from `actor.unit` and `actor.role` on every call, like the reviewer scope
(`reviews.scope`), so a moved or demoted administrator loses the old scope at once.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_stubs_ext import StrOrPromise

from audit.services import record_event
from regions.models import ReviewUnit
from regions.selectors import unit_ids_at_or_below

from .constants import StaffRole, UserKind
from .models import User
from .staff_credentials import generate_one_time_password
from .staff_services import StaffAccountError, create_staff, move_staff, set_staff_active, set_staff_role

# The roles each managing role may hand out and manage. A role never appears above its own.
MANAGED_ROLES: dict[str, tuple[str, ...]] = {
    StaffRole.UNIT_ADMIN: (StaffRole.REVIEWER, StaffRole.UNIT_ADMIN),
    StaffRole.SYSTEM_ADMIN: (StaffRole.REVIEWER, StaffRole.UNIT_ADMIN, StaffRole.SECURITY_ADMIN, StaffRole.AUDITOR),
}

UNIT_OUT_OF_SCOPE = _("This unit is outside the units you manage. Choose your own unit or one below it.")
ROLE_NOT_ALLOWED = _("You cannot give this role.")
UNIT_ADMIN_OF_OWN_UNIT = _(
    "You cannot make someone a unit administrator of your own unit: "
    "the administrator of the unit above or the system administrator does that."
)


def is_staff_manager(user: User | None) -> bool:
    """Whether the user may open the staff management pages at all."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_staff_member", False)
        and user.is_active
        and user.role in MANAGED_ROLES
        and user.unit_id is not None
        and user.is_verified()
    )


def _is_manager_role(actor: User | None) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_staff_member", False)
        and actor.is_active
        and actor.role in MANAGED_ROLES
        and actor.unit_id is not None
    )


def manageable_staff(actor: User) -> QuerySet[User]:
    """The staff accounts `actor` may manage (active or not), never `actor` themselves."""
    if not _is_manager_role(actor):
        return User.objects.none()
    staff = User.objects.filter(kind=UserKind.STAFF).exclude(pk=actor.pk)
    if actor.role == StaffRole.SYSTEM_ADMIN:
        return staff.filter(role__in=MANAGED_ROLES[StaffRole.SYSTEM_ADMIN])
    assert actor.unit is not None  # a manager has a unit (`_is_manager_role`)
    unit_ids = unit_ids_at_or_below(actor.unit)
    below_ids = [pk for pk in unit_ids if pk != actor.unit_id]
    return staff.filter(
        Q(role=StaffRole.REVIEWER, unit_id__in=unit_ids) | Q(role=StaffRole.UNIT_ADMIN, unit_id__in=below_ids)
    )


def get_manageable_staff(actor: User, pk: int) -> User:
    """One staff account `actor` may manage, or 404 (also for accounts that exist elsewhere)."""
    return get_object_or_404(manageable_staff(actor).select_related("unit"), pk=pk)


def assignable_units(actor: User) -> QuerySet[ReviewUnit]:
    """The active review units `actor` may put staff in."""
    if not _is_manager_role(actor):
        return ReviewUnit.objects.none()
    units = ReviewUnit.objects.filter(is_active=True)
    if actor.role != StaffRole.SYSTEM_ADMIN:
        assert actor.unit is not None  # a manager has a unit (`_is_manager_role`)
        units = units.filter(pk__in=unit_ids_at_or_below(actor.unit))
    return units.order_by("path")


def grantable_roles(actor: User) -> list[tuple[str, StrOrPromise]]:
    """(value, label) of the roles `actor` may hand out."""
    allowed = MANAGED_ROLES.get(getattr(actor, "role", ""), ())
    return [(value, label) for value, label in StaffRole.choices if value in allowed]


def assignment_errors(actor: User, *, role: str, unit: ReviewUnit | None) -> dict[str, list[StrOrPromise]]:
    """Why `actor` may not give `role` at `unit` (one message per field); empty when allowed."""
    errors: dict[str, list[StrOrPromise]] = {}
    if role not in MANAGED_ROLES.get(getattr(actor, "role", ""), ()):
        errors["role"] = [ROLE_NOT_ALLOWED]
    if not isinstance(unit, ReviewUnit) or not assignable_units(actor).filter(pk=unit.pk).exists():
        errors["unit"] = [UNIT_OUT_OF_SCOPE]
    elif role == StaffRole.UNIT_ADMIN and actor.role != StaffRole.SYSTEM_ADMIN and unit.pk == actor.unit_id:
        errors["unit"] = [UNIT_ADMIN_OF_OWN_UNIT]
    return errors


def may_assign(actor: User, *, role: str, unit: ReviewUnit | None) -> bool:
    return not assignment_errors(actor, role=role, unit=unit)


def _check_assignment(actor: User, *, role: str, unit: ReviewUnit | None) -> None:
    errors = assignment_errors(actor, role=role, unit=unit)
    if errors:
        raise StaffAccountError(errors)


def _lock_target(actor: User, target: User) -> User:
    """The target row, locked, provided `actor` may manage it; else PermissionDenied."""
    locked = manageable_staff(actor).select_for_update().filter(pk=target.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


# --------------------------------------------------------------------------- actions


def create_staff_member(
    *, actor: User, username: str, full_name: str, role: str, unit: ReviewUnit, email: str = ""
) -> tuple[User, str]:
    """Create a reviewer or administrator in `actor`'s scope; returns (user, one-time password).

    The account has no authenticator yet: at the first sign-in the person replaces the one-time
    password and enrols their own device (identity.staff_credentials). The one-time password is
    returned once for the page to show; it is never stored in clear, logged or audited.
    """
    _check_assignment(actor, role=role, unit=unit)
    password = generate_one_time_password()
    user, _device = create_staff(
        username=username,
        full_name=full_name,
        password=password,
        role=role,
        unit=unit,
        email=email,
        actor=actor,
        enrol_at_first_sign_in=True,
    )
    return user, password


def change_staff_assignment(*, actor: User, target: User, role: str, unit: ReviewUnit) -> User:
    """Change a staff member's role and / or unit, both within `actor`'s scope (one transaction)."""
    _check_assignment(actor, role=role, unit=unit)
    with transaction.atomic():
        locked = _lock_target(actor, target)
        set_staff_role(user=locked, role=role, actor=actor)
        move_staff(user=locked, unit=unit, actor=actor)
    target.role, target.unit = locked.role, locked.unit
    return target


def set_staff_member_active(*, actor: User, target: User, active: bool) -> User:
    """Deactivate (or reactivate) a staff member in scope.

    A deactivated account's sessions end on its very next request: the authentication backend
    refuses to load an inactive user from a session (checked by the tests).
    """
    with transaction.atomic():
        locked = _lock_target(actor, target)
        set_staff_active(user=locked, active=active, actor=actor)
    target.is_active = active
    return target


def reset_staff_password(*, actor: User, target: User) -> str:
    """Give a staff member in scope a one-time password; returns it (shown once, never stored).

    The person must choose a new password at the next sign-in. Changing the password ends every
    open session of the account (Django's session hash covers the password).
    """
    password = generate_one_time_password()
    with transaction.atomic():
        locked = _lock_target(actor, target)
        locked.set_password(password)
        locked.must_change_password = True
        locked.save(update_fields=["password", "must_change_password"])
        record_event(action="staff.reset_password", actor=actor, obj=locked, detail={"username": locked.username})
    _reset_lockout(locked.username)
    return password


def reset_staff_totp(*, actor: User, target: User) -> User:
    """Remove a staff member's authenticator devices; the next sign-in enrols a new one.

    Open sessions lose their verified device at once, so they are sent back to sign-in.
    """
    with transaction.atomic():
        locked = _lock_target(actor, target)
        removed, _ = TOTPDevice.objects.filter(user=locked).delete()
        locked.must_enrol_totp = True
        locked.save(update_fields=["must_enrol_totp"])
        record_event(
            action="staff.reset_totp",
            actor=actor,
            obj=locked,
            detail={"username": locked.username, "devices_removed": removed},
        )
    target.must_enrol_totp = True
    return target


def _reset_lockout(username: str) -> None:
    # A person locked out after forgetting their password gets back in with the new one.
    from axes.utils import reset

    reset(username=username)
