"""People for the 人员查询 tests, made through the real services (integrity and dossier factories)."""

from dossier.tests.factories import collection
from identity.tests.factories import AccountantFactory, review_unit
from integrity.tests.factories import staff_of

__all__ = ["collected_person", "staff_of", "pending_person", "draft_person"]


def collected_person(unit_code: str = "420102", *, employer_uscc: str | None = None, **identity):
    """An accountant whose 信息采集 has been approved by `unit_code` (employer as given, else the factory's)."""
    person = AccountantFactory.create(**identity)
    fields = {"employer_uscc": employer_uscc} if employer_uscc else {}
    collection(person, state="approved", unit=review_unit(unit_code), **fields)
    person.refresh_from_db()
    return person


def pending_person(unit_code: str = "420102", **identity):
    """An accountant whose first 信息采集 is handed in (pending) at `unit_code`: no record yet."""
    person = AccountantFactory(**identity)
    collection(person, state="pending", unit=review_unit(unit_code))
    return person


def draft_person(unit_code: str = "420102", **identity):
    """An accountant with a complete but never handed-in 信息采集."""
    person = AccountantFactory(**identity)
    collection(person, state="complete", unit=review_unit(unit_code))
    return person
