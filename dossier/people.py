"""Finding accountants in a staff member's scope (人员查询, 诚信记录管理).

Who is in scope (the same rule everywhere a staff member looks a person up):
- a person whose approved record (`PersonRecord`) is managed by the staff member's unit or a unit
  below it;
- with `with_applicants=True`, also a person with an application handed in and still open (pending
  or returned) at such a unit: a first 信息采集 waiting for its decision, or a 信息变更 that moves the
  person to the unit. That unit sees them in its inbox, so it sees them here too. A draft is never
  handed in: people with only a draft are nobody's.

How it stays cheap at any size: every lookup starts from an index on the searched column
(`identity_user_id_number_idx`, `identity_user_name_order`, the phone index,
`dossier_employer_uscc_idx`), which yields a handful of people; the scope is then checked per person
through the one-to-one record (`person_id` unique) or the applicant's applications
(`reviews_applicant_kind_idx`) against a literal list of unit ids (`reviews.scope.reviewer_unit_ids`,
cached) — never a subquery over the scope's people. A name prefix may match thousands of people at
provincial scale: that search asks for the first `NAME_RESULTS_LIMIT` + 1 in the order of
`identity_user_name_order` itself (`NAME_ORDER`), so PostgreSQL walks the index and stops there
instead of reading every match (or every person of a common full name).
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet

from identity.constants import UserKind
from identity.models import User
from reviews.constants import Status
from reviews.models import Application
from reviews.scope import reviewer_unit_ids

from .models import PersonRecord

# The most people one name search shows; more means "type more of the name".
NAME_RESULTS_LIMIT = 50

ID_NUMBER = "id_number"
NAME = "name"
PHONE = "phone"
USCC = "uscc"
SEARCH_KINDS = (ID_NUMBER, NAME, PHONE, USCC)

_OPEN_HANDED_IN = (Status.PENDING, Status.RETURNED)


def _scope_filter(unit_ids: list[int], *, with_applicants: bool) -> Q:
    managed = Exists(PersonRecord.objects.filter(person_id=OuterRef("pk"), unit_id__in=unit_ids))
    if not with_applicants:
        return Q(managed)
    applying = Exists(
        Application.objects.filter(
            applicant_id=OuterRef("pk"),
            unit_id__in=unit_ids,
            status__in=_OPEN_HANDED_IN,
            submitted_at__isnull=False,
        )
    )
    return Q(managed) | Q(applying)


def people_in_scope(user, *, with_applicants: bool = False) -> QuerySet[User]:
    """Accountants in the staff member's scope (see the module docstring); none for anyone else.

    Meant to be narrowed by an indexed condition (a pk, an ID number, ...) before it runs.
    """
    unit_ids = reviewer_unit_ids(user)
    if not unit_ids:
        return User.objects.none()
    return User.objects.filter(_scope_filter(unit_ids, with_applicants=with_applicants), kind=UserKind.ACCOUNTANT)


def _managed_matching(kind: str, value: str) -> Q:
    """The search on people with an approved record (joined through the record)."""
    if kind == ID_NUMBER:
        return Q(id_number=value)
    if kind == NAME:
        return Q(full_name__startswith=value)
    if kind == PHONE:
        return Q(phone=value)
    if kind == USCC:
        # The employer of the current version: the planner starts from dossier_employer_uscc_idx.
        return Q(dossier_record__current__employer_uscc=value)
    raise ValueError(f"unknown search kind {kind!r}")


class CodePointOrder(OrderBy):
    """Ascending by a text column in character code order (the order Python sorts `str` in).

    On PostgreSQL `ORDER BY column USING ~<~`: the order of a `varchar_pattern_ops` index column
    (`identity_user_name_order`), which therefore hands out the rows already sorted, whatever the
    database's collation. SQLite's default BINARY collation already compares in that order.
    """

    def __init__(self, field: str) -> None:
        super().__init__(F(field))

    def as_postgresql(self, compiler, connection, **extra_context):
        # The comment is for Django's compiler, which finds each ORDER BY term's direction by
        # looking for ASC or DESC in its SQL; PostgreSQL allows no direction word after USING.
        return self.as_sql(compiler, connection, template="%(expression)s USING ~<~ /* ASC */", **extra_context)


# The order of the people found (in SQL for a name search, and in Python after merging the two
# queries): name in character code order, then ID number, then id (never a tie). It is the order of
# identity_user_name_order: keep the two together.
NAME_ORDER = (CodePointOrder("full_name"), CodePointOrder("id_number"), "pk")


# The columns the result list shows (people/search.html), and the keys select_related follows.
_LISTED_FIELDS = (
    "full_name",
    "id_number",
    "dossier_record__person",
    "dossier_record__unit__name",
    "dossier_record__current__employer_name",
)


@dataclass
class SearchResult:
    people: list[User]
    # More people matched than NAME_RESULTS_LIMIT: only the first ones are listed.
    truncated: bool = False


def find_people(user, kind: str, value: str, *, with_applicants: bool = True) -> SearchResult:
    """People in the staff member's scope matching one search (value already normalised), sorted by
    name (character code order), ID number and id.

    ID number, phone and 统一社会信用代码 are exact, the name is a prefix. Three queries: people with
    an approved record in scope, people with an open handed-in application in scope, then those
    applications (to show where a first collection is waiting). An employer search matches the
    current approved version's employer, or a handed-in first collection's.

    At most NAME_RESULTS_LIMIT people are listed (`truncated` says there were more). For a name
    they are the first ones in the listed order; an exact search rarely finds that many (an employer
    with more employees lists NAME_RESULTS_LIMIT of them, in the same order).
    """
    unit_ids = reviewer_unit_ids(user)
    if not value or not unit_ids:
        return SearchResult(people=[])
    limit = NAME_RESULTS_LIMIT + 1
    # Two plain queries rather than one OR of two EXISTS: each starts from the searched column's
    # index and checks the scope per row against a literal list (an OR makes PostgreSQL hash the
    # scope). A name search is ordered as identity_user_name_order is, so the index walk stops at
    # the limit; an exact search finds few rows and is sorted here. Only what the list shows is read.
    accountants = (
        User.objects.filter(kind=UserKind.ACCOUNTANT)
        .select_related("dossier_record__unit", "dossier_record__current")
        .only(*_LISTED_FIELDS)
    )
    if kind == NAME:
        accountants = accountants.order_by(*NAME_ORDER)
    found = {
        p.pk: p
        for p in accountants.filter(_managed_matching(kind, value), dossier_record__unit_id__in=unit_ids)[:limit]
    }
    if with_applicants:
        # EXISTS, not a join with DISTINCT: a DISTINCT reads every match before the limit applies.
        open_in_scope = Application.objects.filter(
            applicant_id=OuterRef("pk"),
            unit_id__in=unit_ids,
            status__in=_OPEN_HANDED_IN,
            submitted_at__isnull=False,
        )
        if kind == USCC:  # the employer of the handed-in first collection itself
            applying = accountants.filter(
                Exists(open_in_scope.filter(collection_payload__dossier__employer_uscc=value))
            )
        else:
            applying = accountants.filter(_managed_matching(kind, value), Exists(open_in_scope))
        for person in applying[:limit]:
            found.setdefault(person.pk, person)
    people = list(found.values())
    truncated = len(people) > NAME_RESULTS_LIMIT
    people = sorted(people, key=lambda p: (p.full_name, p.id_number, p.pk))[:NAME_RESULTS_LIMIT]
    _attach_open_applications(people, unit_ids)
    return SearchResult(people=people, truncated=truncated)


def _attach_open_applications(people: list[User], unit_ids: list[int]) -> None:
    """Set `person.open_application`: their newest handed-in open application in scope, or None
    (one query; none without people)."""
    newest: dict[int, Application] = {}
    if people:
        # A person has at most a few open applications: the scope is checked here rather than as a
        # second list of (up to 117) unit ids to prepare and send.
        in_scope = set(unit_ids)
        applications = (
            Application.objects.select_related("unit")
            .filter(applicant_id__in=[p.pk for p in people], status__in=_OPEN_HANDED_IN, submitted_at__isnull=False)
            .order_by("applicant_id", "-last_submitted_at", "-id")
        )
        for application in applications:
            if application.unit_id in in_scope:
                newest.setdefault(application.applicant_id, application)
    for person in people:
        # An attribute for the search page's template, not a field of User (hence setattr).
        setattr(person, "open_application", newest.get(person.pk))  # noqa: B010


def person_in_scope(user, person_id, *, with_applicants: bool = True) -> User | None:
    """The person if they are in the staff member's scope, with their record and unit, else None."""
    return (
        people_in_scope(user, with_applicants=with_applicants)
        .select_related("dossier_record__unit")
        .filter(pk=person_id)
        .first()
    )
