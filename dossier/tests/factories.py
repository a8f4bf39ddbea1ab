"""Factories of dossiers and of 信息采集 applications at each point of their life.

collection(state="draft")      # started, nothing filled
collection(state="complete")   # every step and every proof there, still a draft
collection(state="pending")    # submitted
collection(state="returned")   # returned by the 江岸区 reviewer with a reason
collection(state="approved")   # approved: the person has a record
"""

import datetime
import itertools

import factory
from django.utils import timezone

from documents.constants import DocumentKind, DocumentStatus
from documents.tests.factories import DocumentFactory
from dossier import services
from dossier.constants import Step
from dossier.models import Dossier, DossierProof, EducationRecord
from dossier.proofs import proof_slots
from identity.tests.factories import AccountantFactory, StaffFactory, resident_id, review_unit
from reviews import services as reviews

VALID_USCC = "91110000100006485K"
BAD_USCC = "91110000100006485A"  # wrong check character


class EducationRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationRecord

    position = factory.Sequence(lambda n: n)
    level = "大学本科"
    study_mode = "全日制"
    degree = "学士"
    school = "武汉大学"
    major = "会计学"
    enrolled_on = datetime.date(2008, 9, 1)
    graduated_on = datetime.date(2012, 6, 30)
    certificate_no = factory.Sequence(lambda n: f"10486120120{n:05d}")


class DossierFactory(factory.django.DjangoModelFactory):
    """A complete dossier of a 江岸区 accountant in post (photo and proofs are added by `complete()`)."""

    class Meta:
        model = Dossier

    owner = factory.SubFactory(AccountantFactory)
    full_name = factory.LazyAttribute(lambda o: o.owner.full_name)
    id_type = factory.LazyAttribute(lambda o: o.owner.id_type)
    id_number = factory.LazyAttribute(lambda o: o.owner.id_number)
    sex = "male"
    birth_date = datetime.date(1990, 1, 1)
    ethnicity = "汉族"
    political_status = "群众"
    address = "武汉市江岸区沿江大道1号"
    email = "kuaiji@example.com"
    qualification_type = "会计类"
    qualification_level = "中级"
    qualification_obtained_by = "考试"
    qualification_date = datetime.date(2016, 10, 15)
    qualification_certificate_no = "Z20164200001"
    accounting_title = "会计师"
    is_cpa = False
    is_valuer = False
    is_tax_adviser = False
    high_end_talent = "无"
    admin_post = "一般会计人员"
    abacus_level = "无"
    on_duty = True
    employer_name = "武汉某某有限公司"
    employer_uscc = VALID_USCC
    unit_nature = "事业单位"
    employer_address = "武汉市江岸区"
    accounting_post = "出纳"
    accounting_since = datetime.date(2012, 7, 1)
    unit = factory.LazyFunction(lambda: review_unit("420102"))


# Everything a person fills in (not the identity fixed at registration).
SECTION_FIELDS = [
    f.name
    for f in Dossier._meta.concrete_fields
    if f.name not in ("id", "owner", "full_name", "id_type", "id_number", "photo", "created_at", "updated_at")
]


def photo_for(owner, **kwargs):
    return DocumentFactory(owner=owner, kind=DocumentKind.PHOTO, slot="photo", original_name="photo.jpg", **kwargs)


def give_every_proof(dossier: Dossier, application_id: int) -> list[DossierProof]:
    """A stored document for every slot of the dossier's checklist."""
    proofs = []
    for slot in proof_slots(dossier):
        document = DocumentFactory.create(
            owner=dossier.owner, slot=slot.key, status=DocumentStatus.ATTACHED, application_id=application_id
        )
        proofs.append(DossierProof.objects.create(dossier=dossier, slot=slot.key, document=document))
    return proofs


def fill(dossier: Dossier, application_id: int, **fields) -> Dossier:
    """Make a started (empty) dossier complete: every section, one 学历 row, photo and proofs."""
    template = DossierFactory.build(owner=dossier.owner)
    for field in SECTION_FIELDS:
        setattr(dossier, field, getattr(template, field))
    dossier.photo = photo_for(dossier.owner, status=DocumentStatus.ATTACHED, application_id=application_id)
    for name, value in fields.items():
        setattr(dossier, name, value)
    dossier.save()
    EducationRecordFactory(dossier=dossier, position=0)
    give_every_proof(dossier, application_id)
    return dossier


def collection(person=None, *, state: str = "complete", reason: str = "照片不清晰", **fields):
    """A 信息采集 of `person` (a new accountant by default) in the given state; returns the payload."""
    person = person or AccountantFactory()
    review_unit("420102")
    payload = services.start_collection(person=person)
    if state == "draft":
        return payload
    fill(payload.dossier, payload.application_id, **fields)
    payload.current_step = payload.furthest_step = Step.PREVIEW
    payload.save()
    if payload.dossier.unit_id != payload.application.unit_id:
        assert payload.dossier.unit is not None
        reviews.set_unit(application=payload.application, unit=payload.dossier.unit)
    if state == "complete":
        return payload
    services.submit_collection(payload=payload, actor=person)
    if state == "pending":
        return payload
    reviewer = reviewer_of(payload.application.unit.code)
    application = payload.application
    application.refresh_from_db()
    if state == "returned":
        reviews.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason=reason
        )
    elif state == "approved":
        reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    else:
        raise ValueError(state)
    payload.application.refresh_from_db()
    return payload


def reviewer_of(code: str):
    unit = review_unit(code)
    return StaffFactory(unit=unit) if not unit.staff.exists() else unit.staff.first()


def today():
    return timezone.localdate()


# --------------------------------------------------------------------------- 信息变更 (H11)


_born_1990 = itertools.count(1)


def approved_person(person=None, **fields):
    """An accountant whose 信息采集 has been approved by 江岸区 (their record is version 1).

    The default person's ID number says what the dossier says (a man born 1990-01-01), so saving
    the personal section through its form changes nothing by itself.
    """
    if person is None:
        person = AccountantFactory(id_number=resident_id(f"42010219900101{2 * next(_born_1990) + 1:03d}"))
    return collection(person, state="approved", **fields).application.applicant


def new_proofs_for(payload, slots) -> None:
    """A new file (attached to the change) for each of `slots` of the edited dossier."""
    from dossier.models import DossierProof

    for slot in slots:
        document = DocumentFactory.create(
            owner=payload.dossier.owner,
            slot=slot.key,
            status=DocumentStatus.ATTACHED,
            application_id=payload.application_id,
        )
        DossierProof.objects.update_or_create(dossier=payload.dossier, slot=slot.key, defaults={"document": document})


def change(person=None, *, state: str = "complete", reason: str = "请补充劳动合同", **edits):
    """A 信息变更 of `person` (a new approved accountant by default) in the given state.

    `edits` are set on the edited copy (default: a new employer); a new `unit` re-routes the
    change as the post section does. States: "started" (nothing edited), "complete" (edited, with
    the new proofs the edits require, still a draft), "pending", "returned", "approved".
    Returns the payload.
    """
    from dossier import change_services
    from dossier.change_selectors import change_for_display, summarise

    person = person or approved_person()
    payload = change_services.start_change(person=person)
    if state == "started":
        return payload
    edits = edits or {"employer_name": "武汉新单位有限公司"}
    dossier = payload.dossier
    for name, value in edits.items():
        setattr(dossier, name, value)
    dossier.save()
    if dossier.unit_id != payload.application.unit_id:
        assert dossier.unit is not None
        reviews.set_unit(application=payload.application, unit=dossier.unit)
    new_proofs_for(payload, summarise(change_for_display(payload.pk)).required)
    if state == "complete":
        return payload
    change_services.submit_change(payload=payload, actor=person)
    if state == "pending":
        return payload
    application = payload.application
    application.refresh_from_db()
    reviewer = reviewer_of(application.unit.code)
    if state == "returned":
        reviews.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason=reason
        )
    elif state == "approved":
        reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    else:
        raise ValueError(state)
    payload.application.refresh_from_db()
    return payload
