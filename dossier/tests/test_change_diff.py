"""信息变更: what counts as a change and which proofs each change requires (manual §6.3), section
by section, on real dossiers; and properties of the diff on plain snapshots."""

import copy
import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier.change_diff import data_changes, describe, required_proof_keys
from dossier.change_selectors import change_for_display, summarise
from dossier.models import DossierProof
from identity.tests.factories import review_unit

from .factories import DocumentFactory, EducationRecordFactory, approved_person, change

pytestmark = pytest.mark.django_db


def edited(person=None, **fields):
    """A started change of an approved person with `fields` set on the edited copy; its summary."""
    payload = change(person, state="started")
    for name, value in fields.items():
        setattr(payload.dossier, name, value)
    payload.dossier.save()
    return payload, summarise(change_for_display(payload.pk))


def required(summary) -> list[str]:
    return [slot.key for slot in summary.required]


def changed_fields(summary) -> list[tuple[str, str]]:
    return [(c.section, c.field) for c in summary.changes]


def test_a_fresh_copy_changes_nothing_and_requires_nothing(units):
    _payload, summary = edited()
    assert summary.changes == [] and summary.required == [] and summary.missing == []
    assert not any(section.changed for section in summary.sections)


# --------------------------------------------------------------------------- 个人信息


@pytest.mark.parametrize(
    "fields",
    [
        {"address": "武汉市洪山区珞喻路1号"},
        {"email": "new@example.com"},
        {"ethnicity": "土家族", "political_status": "中国共青团员"},
    ],
)
def test_personal_changes_need_no_proof(units, fields):
    _payload, summary = edited(**fields)
    assert changed_fields(summary) == [("personal", name) for name in fields]
    assert required(summary) == []
    personal = summary.sections[0]
    assert personal.changed
    assert {row.name for row in personal.rows if row.changed} == set(fields)


def test_a_new_photo_is_a_change_shown_as_both_pictures(units):
    person = approved_person()
    payload = change(person, state="started")
    old_photo = payload.dossier.photo_id
    new_photo = DocumentFactory(owner=person, kind="photo", slot="photo")
    payload.dossier.photo = new_photo
    payload.dossier.save()
    summary = summarise(change_for_display(payload.pk))
    assert changed_fields(summary) == [("personal", "photo")]
    row = next(row for row in summary.sections[0].rows if row.name == "photo")
    assert row.is_photo and row.changed
    assert (row.old_raw, row.new_raw) == (str(old_photo), str(new_photo.pk))
    assert [(line.label, line.old, line.new) for line in summary.lines] == [("照片", "原照片", "新照片")]
    assert required(summary) == []


# --------------------------------------------------------------------------- 学历


def test_a_new_education_row_with_a_degree_needs_its_diploma_and_degree_certificate(units):
    payload = change(state="started")
    row = EducationRecordFactory(
        dossier=payload.dossier, position=1, level="硕士研究生", degree="硕士", school="华中科技大学"
    )
    summary = summarise(change_for_display(payload.pk))
    assert changed_fields(summary) == [("education", row.token)]
    assert required(summary) == [f"diploma:{row.token}", f"degree:{row.token}"]
    assert [str(slot.label) for slot in summary.required] == [
        "学历证书：硕士研究生，华中科技大学",
        "学位证书：硕士，华中科技大学",
    ]
    pair = summary.sections[1].educations[-1]
    assert pair.status == "added" and all(cell.changed for cell in pair.rows)
    assert summary.lines[0].label == "新增学历"


def test_a_new_row_without_a_degree_needs_only_its_diploma(units):
    payload = change(state="started")
    row = EducationRecordFactory(dossier=payload.dossier, position=1, level="大学专科", degree="无学位")
    assert required(summarise(change_for_display(payload.pk))) == [f"diploma:{row.token}"]


@pytest.mark.parametrize(
    "fields,slots",
    [
        ({"graduated_on": datetime.date(2012, 7, 1)}, ["diploma"]),
        ({"certificate_no": "104861201299999"}, ["diploma"]),
        ({"degree": "双学士"}, ["degree"]),
        ({"school": "中南财经政法大学"}, ["diploma", "degree"]),
    ],
)
def test_a_changed_education_row_needs_the_certificates_that_show_the_changed_items(units, fields, slots):
    payload = change(state="started")
    row = payload.dossier.educations.get()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    summary = summarise(change_for_display(payload.pk))
    assert changed_fields(summary) == [("education", f"{row.token}.{name}") for name in fields]
    assert required(summary) == [f"{slot}:{row.token}" for slot in slots]
    assert summary.sections[1].educations[0].status == "changed"


def test_a_removed_education_row_needs_nothing(units):
    person = approved_person()
    payload = change(person, state="started")
    extra = EducationRecordFactory(dossier=payload.dossier, position=1)
    # Approve the two-row version first, then remove the row in a new change.
    from dossier.services import record_approved_dossier

    record_approved_dossier(dossier=payload.dossier, application=payload.application)
    payload.application.status = "withdrawn"
    payload.application.save(update_fields=["status"])
    second = change(person, state="started")
    second.dossier.educations.filter(token=extra.token).delete()
    summary = summarise(change_for_display(second.pk))
    assert changed_fields(summary) == [("education", extra.token)]
    assert required(summary) == []
    assert summary.sections[1].educations[-1].status == "removed"
    assert summary.lines[0].label == "删除学历"


def test_no_education_instead_of_a_diploma_needs_no_proof(units):
    payload = change(state="started")
    payload.dossier.educations.all().delete()
    EducationRecordFactory(
        dossier=payload.dossier,
        level="无学历",
        study_mode="",
        degree="",
        school="",
        major="",
        enrolled_on=None,
        graduated_on=None,
        certificate_no="",
    )
    summary = summarise(change_for_display(payload.pk))
    assert len(summary.changes) == 2  # one row removed, one added
    assert required(summary) == []


# --------------------------------------------------------------------------- 专业技术资格


@pytest.mark.parametrize(
    "fields,slots",
    [
        ({"qualification_level": "高级", "qualification_date": datetime.date(2022, 9, 1)}, ["qualification"]),
        ({"qualification_certificate_no": "G20224200009"}, ["qualification"]),
        ({"is_cpa": True}, ["cpa"]),
        ({"is_valuer": True, "is_tax_adviser": True}, ["valuer", "tax_adviser"]),
        ({"high_end_talent": "全国领军人才"}, ["talent"]),
        ({"abacus_level": "普通一级"}, ["abacus"]),
        ({"accounting_title": "高级会计师"}, []),
        ({"admin_post": "财务总监"}, []),
        (
            {
                "qualification_type": "无",
                "qualification_level": "无",
                "qualification_obtained_by": "无",
                "qualification_date": None,
                "qualification_certificate_no": "",
            },
            [],
        ),
    ],
)
def test_qualification_changes_need_the_certificate_of_what_changed(units, fields, slots):
    _payload, summary = edited(**fields)
    assert {field for _section, field in changed_fields(summary)} == set(fields)
    assert required(summary) == slots


# --------------------------------------------------------------------------- 会计岗位


@pytest.mark.parametrize(
    "fields,slots",
    [
        ({"employer_name": "武汉新单位有限公司"}, ["employment"]),
        ({"employer_uscc": "91420100MA4K0000XX"}, ["employment"]),
        ({"accounting_post": "稽核"}, ["employment"]),
        ({"accounting_since": datetime.date(2013, 1, 1)}, ["employment"]),
        ({"employer_address": "武汉市江岸区解放大道100号"}, []),
        ({"unit_nature": "行政单位"}, []),
    ],
)
def test_post_changes_of_the_employer_need_a_proof_of_employment(units, fields, slots):
    _payload, summary = edited(**fields)
    assert [field for _section, field in changed_fields(summary)] == list(fields)
    assert required(summary) == slots


def test_moving_to_another_region_while_in_post_needs_a_proof_of_employment(units):
    _payload, summary = edited(unit=review_unit("420202"))
    assert changed_fields(summary) == [("post", "unit")]
    assert required(summary) == ["employment"]
    assert summary.unit_change == ("江岸区", "黄石港区")
    assert [(line.label, line.old, line.new) for line in summary.lines] == [("所在地行政区划", "江岸区", "黄石港区")]


NOT_IN_POST = {
    "on_duty": False,
    "employer_name": "",
    "employer_uscc": "",
    "unit_nature": "",
    "employer_address": "",
    "accounting_post": "",
    "accounting_since": None,
}


def test_leaving_the_post_needs_no_proof(units):
    _payload, summary = edited(**NOT_IN_POST)
    assert ("post", "on_duty") in changed_fields(summary)
    assert required(summary) == []


def test_someone_not_in_post_who_moves_needs_no_proof_and_one_who_takes_a_post_does(units):
    person = approved_person(**NOT_IN_POST)
    _payload, summary = edited(person, unit=review_unit("420103"))
    assert required(summary) == []
    _payload.application.status = "withdrawn"
    _payload.application.save(update_fields=["status"])
    from .factories import DossierFactory

    in_post = {name: getattr(DossierFactory.build(), name) for name in NOT_IN_POST}
    _payload, summary = edited(person, **in_post)
    assert required(summary) == ["employment"]


# --------------------------------------------------------------------------- what is not a change


def test_a_new_file_alone_is_not_a_change(units):
    payload = change(state="started")
    proof = payload.dossier.proofs.get(slot="id_front")
    proof.document = DocumentFactory(owner=payload.dossier.owner, slot="id_front")
    proof.save()
    summary = summarise(change_for_display(payload.pk))
    assert summary.changes == []


def test_a_renamed_review_unit_is_not_a_change(units):
    payload = change(state="started")
    unit = payload.dossier.unit
    unit.name = "江岸区（新名称）"
    unit.save()
    assert summarise(change_for_display(payload.pk)).changes == []


def test_the_approved_file_does_not_count_as_the_new_proof(units):
    payload, summary = edited(employer_name="武汉新单位有限公司")
    assert [slot.key for slot in summary.missing] == ["employment"]
    new = DocumentFactory(owner=payload.dossier.owner, slot="employment", application_id=payload.application_id)
    DossierProof.objects.filter(dossier=payload.dossier, slot="employment").update(document=new)
    assert summarise(change_for_display(payload.pk)).missing == []


# --------------------------------------------------------------------------- properties on snapshots

BASE: dict[str, Any] = {  # a snapshot, as dossier_snapshot makes them
    "personal": {"address": "武汉市江岸区沿江大道1号", "email": "a@example.com", "photo": "p1"},
    "education": [
        {"token": "aaaa0001", "level": "大学本科", "degree": "学士", "school": "武汉大学", "major": "会计学"}
    ],
    "qualification": {"qualification_level": "中级", "is_cpa": False, "abacus_level": "无", "admin_post": "无"},
    "post": {
        "on_duty": True,
        "employer_name": "甲公司",
        "employer_address": "江岸区",
        "unit": {"code": "420102", "name": "江岸区"},
    },
    "proofs": {"id_front": "d1", "employment": "d2"},
}
EDITS = st.dictionaries(
    st.sampled_from(
        [
            ("personal", "address"),
            ("personal", "email"),
            ("qualification", "qualification_level"),
            ("qualification", "is_cpa"),
            ("qualification", "admin_post"),
            ("post", "employer_name"),
            ("post", "employer_address"),
            ("post", "on_duty"),
        ]
    ),
    st.one_of(
        st.booleans(), st.sampled_from(["甲公司", "乙公司", "中级", "高级", "无", "江岸区"]), st.text(max_size=5)
    ),
    max_size=5,
)


def with_edits(edits: dict) -> dict:
    new = copy.deepcopy(BASE)
    for (section, name), value in edits.items():
        new[section][name] = value
    return new


@given(EDITS)
def test_the_changes_are_exactly_the_items_whose_value_differs(edits):
    new = with_edits(edits)
    expected = {(s, n) for (s, n), v in edits.items() if BASE[s].get(n) != v}
    assert {(c.section, c.field) for c in data_changes(BASE, new)} == expected


@given(EDITS)
def test_only_changes_of_proven_items_call_for_proofs(edits):
    new = with_edits(edits)
    keys = required_proof_keys(data_changes(BASE, new))
    proven = {
        ("qualification", "qualification_level"),
        ("qualification", "is_cpa"),
        ("post", "employer_name"),
        ("post", "on_duty"),
    }
    differing = {(s, n) for (s, n), v in edits.items() if BASE[s].get(n) != v}
    assert bool(keys) == bool(differing & proven)
    assert keys <= {"qualification", "cpa", "employment"}


@given(st.text(min_size=1, max_size=10), st.text(max_size=3))
def test_unit_names_and_proof_files_never_count_as_changes(name, document):
    new = copy.deepcopy(BASE)
    new["post"]["unit"] = {"code": "420102", "name": name}
    new["proofs"]["employment"] = document
    assert data_changes(BASE, new) == []
    assert describe(BASE, new) == []
