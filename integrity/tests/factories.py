"""Factories of integrity tests: collected people, honour records in any state, negative records.

Records are brought to their state through the real services, so envelopes, events, audit rows and
counters are what production would have written.
"""

import datetime

from documents.tests.factories import DocumentFactory
from dossier.tests.factories import collection
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from integrity import services
from integrity.models import PenaltyKind
from reviews import services as reviews

HONOUR_FIELDS = {
    "name_choice": "湖北省会计领军人才",
    "other_name": "",
    "level": "省部级",
    "awarded_on": datetime.date(2023, 5, 10),
    "awarding_body": "湖北省财政厅",
    "document_number": "鄂财会发〔2023〕5号",
}

# What the honour form posts for HONOUR_FIELDS.
HONOUR_POST = {**HONOUR_FIELDS, "awarded_on": "2023-05-10"}

ADMINISTRATIVE = "行政处罚（违反《会计法》）"
CRIMINAL = "依法追究刑事责任（与会计职务有关的违法行为）"
REPRIMAND = "通报批评"


def collected_person(unit_code: str = "420102", **identity):
    """An accountant whose 信息采集 has been approved, managed by `unit_code`."""
    person = AccountantFactory.create(**identity)
    collection(person, state="approved", unit=review_unit(unit_code))
    person.refresh_from_db()
    return person


def staff_of(unit_code: str, *, role=StaffRole.REVIEWER, **kwargs):
    return StaffFactory(unit=review_unit(unit_code), role=role, **kwargs)


def proof_document(owner, slot: str = "honour:1", **kwargs):
    """A temporary proof the person uploaded into a box of the honour form."""
    return DocumentFactory(owner=owner, slot=slot, original_name="荣誉证书.jpg", **kwargs)


def honour(person, *, state: str = "pending", reviewer=None, reason: str = "证书不清晰", proofs=None, **fields):
    """An honour record of `person` brought to `state` (pending, returned, approved, withdrawn)."""
    proofs = proofs if proofs is not None else {"honour:1": proof_document(person)}
    application = services.apply_for_honour(person=person, fields={**HONOUR_FIELDS, **fields}, proofs=proofs)
    if state == "pending":
        return application
    if state == "withdrawn":
        return services.delete_honour(person=person, application=application)
    reviewer = reviewer or staff_of(application.unit.code)
    if state == "returned":
        return reviews.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason=reason
        )
    if state == "approved":
        return reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    raise ValueError(state)


def penalty(name: str = ADMINISTRATIVE) -> PenaltyKind:
    return PenaltyKind.objects.get(name=name)


def negative_fields(**overrides) -> dict:
    fields = {
        "penalty_kind": penalty(),
        "basis": "《中华人民共和国会计法》第四十一条",
        "authority": "武汉市江岸区财政局",
        "decision_date": datetime.date(2024, 5, 10),
        "period_start": datetime.date(2024, 5, 10),
        "period_end": datetime.date(2029, 5, 10),
        "is_permanent": False,
        "note": "伪造会计凭证",
    }
    return {**fields, **overrides}


def negative_post(**overrides) -> dict:
    """What the negative-record form posts for negative_fields()."""
    data = {
        "penalty_kind": str(penalty().pk),
        "basis": "《中华人民共和国会计法》第四十一条",
        "authority": "武汉市江岸区财政局",
        "decision_date": "2024-05-10",
        "period_start": "2024-05-10",
        "period_end": "2029-05-10",
        "note": "伪造会计凭证",
    }
    return {**data, **overrides}


def negative_record(person, *, actor=None, **overrides):
    actor = actor or staff_of("420102")
    return services.create_negative_record(actor=actor, person=person, fields=negative_fields(**overrides))
