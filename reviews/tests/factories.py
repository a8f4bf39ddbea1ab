"""Factories of the review engine's tests: applicants, a test kind, applications in any state.

Applications are brought to a state through the real services, so events, audit rows and the
summary counters are always what production would have written.
"""

import factory
from django.db.models import Sum

from identity.constants import IdType, StaffRole, UserKind
from identity.models import User
from identity.tests.factories import StaffFactory, review_unit
from reviews import services
from reviews.constants import Status
from reviews.models import Application, StatusCount
from reviews.registry import ApplicationKind, register_kind, unregister_kind

__all__ = ["StaffFactory", "review_unit", "ApplicantFactory", "make_application", "counters", "recount"]

# Valid resident ID numbers (checksums right), none of a real person.
_ID_NUMBERS = [
    "420102199001011236",
    "429004198512314563",
    "360426199101010071",
    "120103198806018241",
    "230306196304054513",
]


def _id_number(n: int) -> str:
    """A distinct 18-character number for each applicant (checksum not needed by the engine)."""
    if n < len(_ID_NUMBERS):
        return _ID_NUMBERS[n]
    return f"4201021990{n % 100000000:08d}"


class ApplicantFactory(factory.django.DjangoModelFactory):
    """An accountant (证件号码 + phone, no password)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"acc-reviews-{n}")
    kind = UserKind.ACCOUNTANT
    full_name = factory.Sequence(lambda n: f"申请人{n}")
    id_type = IdType.RESIDENT_ID
    id_number = factory.Sequence(_id_number)
    phone = factory.Sequence(lambda n: f"139{n % 100000000:08d}")


class KindRecorder:
    """The test kind and what its hooks saw."""

    def __init__(self, name="testkind", **options):
        self.applied: list[int] = []
        self.fail_with: Exception | None = None
        self.during_apply = None
        self.proofs: list = []
        self.photo = None
        self.kind = ApplicationKind(
            name=name,
            label=options.pop("label", "测试申请"),
            apply=self._apply,
            proof_documents=lambda application: list(self.proofs),
            photo_document=lambda application: self.photo,
            **options,
        )

    def _apply(self, application):
        self.applied.append(application.pk)
        if self.during_apply is not None:
            self.during_apply(application)
        if self.fail_with is not None:
            raise self.fail_with

    def register(self):
        register_kind(self.kind)
        return self

    def unregister(self):
        unregister_kind(self.kind.name)


def reviewer_for(unit_code: str, **kwargs) -> User:
    return StaffFactory.create(unit=review_unit(unit_code), role=kwargs.pop("role", StaffRole.REVIEWER), **kwargs)


def make_application(*, kind="testkind", applicant=None, unit_code="420102", status=Status.PENDING, reviewer=None):
    """An application brought to `status` through the services."""
    applicant = applicant or ApplicantFactory()
    unit = review_unit(unit_code)
    application = services.start_application(kind=kind, applicant=applicant, unit=unit)
    if status == Status.DRAFT:
        return application
    if status == Status.WITHDRAWN:
        services.submit(application=application, actor=applicant)
        return services.withdraw(application=application, actor=applicant)
    services.submit(application=application, actor=applicant)
    if status == Status.PENDING:
        return application
    reviewer = reviewer or reviewer_for(unit_code)
    if status == Status.APPROVED:
        return services.approve(application=application, actor=reviewer, expected_version=application.version)
    if status == Status.RETURNED:
        return services.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason="照片不清晰"
        )
    raise ValueError(status)


def pending(count=1, *, kind="bulkkind", **kwargs) -> list[Application]:
    """`count` pending applications (by default of the bulk-approvable kind of the `bulk_kind` fixture)."""
    return [make_application(kind=kind, status=Status.PENDING, **kwargs) for _ in range(count)]


def seen(*applications) -> list[tuple[int, int]]:
    """(id, version) of each application, as the reviewer's inbox showed them: a bulk selection."""
    return [(a.pk, a.version) for a in applications]


def counters() -> dict[tuple[int, str, str], int]:
    """The summary rows, without zero rows."""
    rows = StatusCount.objects.values_list("unit_id", "kind", "status").annotate(total=Sum("count"))
    return {(unit, kind, status): total for unit, kind, status, total in rows if total}


def recount() -> dict[tuple[int, str, str], int]:
    """What the summary rows must say: handed-in applications counted from the big table."""
    result: dict[tuple[int, str, str], int] = {}
    for unit, kind, status in Application.objects.filter(submitted_at__isnull=False).values_list(
        "unit_id", "kind", "status"
    ):
        result[(unit, kind, status)] = result.get((unit, kind, status), 0) + 1
    return result
