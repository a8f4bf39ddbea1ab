"""Factories of 继续教育 tests: collected accountants, entries of each item, records in any state.

collected_accountant()                    # an accountant with an approved record managed by 江岸区
entry(6, days=2)                          # an Entry of item 6 (meeting, 2 days) for the current year
record(person, 1, status="approved")      # a record filed through the services and decided
"""

import datetime

from django.utils import timezone

from continuing_education import services
from continuing_education.constants import CreditRule, Subject
from continuing_education.models import CreditItem
from continuing_education.rules import roles_of
from documents.constants import DocumentStatus
from documents.tests.factories import DocumentFactory
from dossier.models import PersonRecord
from dossier.tests.factories import DossierFactory
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from reviews import services as reviews
from reviews.constants import Status


def collected_accountant(unit_code: str = "420102", **kwargs):
    """An accountant whose 信息采集 has been approved, managed by the unit `unit_code`."""
    person = AccountantFactory.create(**kwargs)
    unit = review_unit(unit_code)
    dossier = DossierFactory.create(owner=person, unit=unit)
    PersonRecord.objects.create(person=person, current=dossier, unit=unit, approved_at=timezone.now())
    return person


def reviewer_of(unit_code: str = "420102", **kwargs):
    return StaffFactory(unit=review_unit(unit_code), **kwargs)


def item(no: int) -> CreditItem:
    return CreditItem.objects.get(no=no)


def public_item() -> CreditItem:
    """A 公需科目 item (the shipped 14 are all 专业科目; administrators may add others)."""
    found, _ = CreditItem.objects.get_or_create(
        no=90,
        defaults={
            "name": "公需科目培训（测试）",
            "rule": CreditRule.REVIEWER_SETS,
            "params": {"max_credits": 90},
            "subject": Subject.PUBLIC,
            "sort_order": 900,
        },
    )
    return found


def default_day(year: int | None = None) -> datetime.date:
    """A day in `year` (this year by default) that is not in the future."""
    today = timezone.localdate()
    year = year or today.year
    return min(datetime.date(year, 6, 1), today) if year == today.year else datetime.date(year, 6, 1)


def entry(item_or_no, **overrides) -> services.Entry:
    """A valid entry of the item for this year (fields of its rule filled)."""
    chosen = item_or_no if isinstance(item_or_no, CreditItem) else item(item_or_no)
    year = overrides.pop("year", timezone.localdate().year)
    values = {"year": year, "start_date": default_day(year), "title": "2026年会计专业技术资格考试《中级会计实务》"}
    if chosen.rule == CreditRule.PER_DAY:
        values["days"] = 1
    elif chosen.rule == CreditRule.BY_ROLE:
        values["role"] = roles_of(chosen)[0]
    elif chosen.rule == CreditRule.REVIEWER_SETS:
        values["proposed_credits"] = 30
    values.update(overrides)
    return services.Entry(item=chosen, **values)


def proof_for(person, position: int = 1, **kwargs):
    """A stored (temporary) proof uploaded by `person` into box `position`."""
    return DocumentFactory(
        owner=person, slot=services.proof_slot(position), original_name=f"证明{position}.jpg", **kwargs
    )


def record(person, item_or_no=1, *, status: str = Status.PENDING, settle: int | None = None, reviewer=None, **fields):
    """A record filed through the services, then brought to `status` by the unit's reviewer.

    `settle` settles an item-14 record's credits before approval (required to approve one).
    """
    filed = services.file_record(
        person=person, entry=entry(item_or_no, **fields), proofs={1: proof_for(person)}, token=services.new_token()
    )
    application = filed.application
    if status == Status.PENDING:
        return filed
    if status == Status.WITHDRAWN:
        services.delete_record(record=filed, actor=person)
        filed.application.refresh_from_db()
        return filed
    reviewer = reviewer or reviewer_of(application.unit.code)
    if status == Status.APPROVED:
        if filed.is_reviewer_set:
            services.settle_credits(record=filed, credits=settle or filed.proposed_credits, actor=reviewer)
        reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    elif status == Status.RETURNED:
        reviews.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason="证明材料不清晰"
        )
    else:
        raise ValueError(status)
    filed.refresh_from_db()
    filed.application.refresh_from_db()
    return filed


def attached_proof(person, application_id: int, position: int = 1):
    return proof_for(person, position, status=DocumentStatus.ATTACHED, application_id=application_id)
