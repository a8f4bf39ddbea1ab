"""The rules of each step, through the section forms (the same forms re-check at submission)."""

import datetime

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import given
from hypothesis import strategies as st

from documents.constants import DocumentKind
from documents.tests.factories import DocumentFactory
from dossier.constants import Step
from dossier.forms import EDUCATION_PREFIX, EducationFormSet, PersonalForm, PostForm, QualificationForm
from dossier.sections import SECTIONS, education_with_row_removed
from identity.tests.factories import AccountantFactory

from .factories import BAD_USCC, VALID_USCC, DossierFactory, photo_for, today

pytestmark = pytest.mark.django_db


def errors(form):
    return {name: " ".join(messages) for name, messages in form.errors.items()}


# --------------------------------------------------------------------------- 个人信息


def personal_data(dossier, **overrides):
    data = {
        "sex": "female",
        "birth_date": "1985-05-05",
        "ethnicity": "土家族",
        "political_status": "中国共产党员（含预备党员）",
        "address": "武汉市江岸区沿江大道1号",
        "email": "a@example.com",
        "photo": str(photo_for(dossier.owner).pk),
    }
    return {**data, **overrides}


def test_birth_date_and_sex_come_from_a_resident_id_whatever_is_posted(units):
    dossier = DossierFactory(owner=AccountantFactory(id_number="420102199001011236"), sex="", birth_date=None)
    form = PersonalForm(personal_data(dossier, sex="female", birth_date="1985-05-05"), dossier=dossier)
    assert form.is_valid(), form.errors
    form.save()
    dossier.refresh_from_db()
    assert dossier.birth_date == datetime.date(1990, 1, 1)
    assert dossier.sex == "male"  # 17th digit 3 is odd


def test_without_a_resident_id_the_person_enters_birth_date_and_sex(units):
    owner = AccountantFactory(id_type="passport", id_number="E12345678")
    dossier = DossierFactory(owner=owner, sex="", birth_date=None)
    form = PersonalForm(personal_data(dossier, sex="", birth_date=""), dossier=dossier)
    assert not form.is_valid()
    assert set(form.errors) >= {"sex", "birth_date"}
    form = PersonalForm(personal_data(dossier), dossier=dossier)
    assert form.is_valid(), form.errors


def test_personal_information_refuses_bad_input_with_chinese_messages_next_to_each_field(units):
    dossier = DossierFactory()
    form = PersonalForm(
        personal_data(dossier, ethnicity="火星族", email="not-an-email", address="", photo=""), dossier=dossier
    )
    assert not form.is_valid()
    found = errors(form)
    assert set(found) == {"ethnicity", "email", "address", "photo"}
    assert "请上传" in found["photo"]
    assert "有效" in found["ethnicity"] or "选择" in found["ethnicity"]
    assert 'value="not-an-email"' in str(form["email"])  # what was typed stays


def test_a_photo_of_another_person_or_a_proof_is_not_accepted_as_the_photo(units):
    dossier = DossierFactory()
    others_photo = photo_for(AccountantFactory())
    own_proof = DocumentFactory(owner=dossier.owner, kind=DocumentKind.PROOF)
    for document in (others_photo, own_proof):
        form = PersonalForm(personal_data(dossier, photo=str(document.pk)), dossier=dossier)
        assert not form.is_valid()
        assert "请重新上传" in errors(form)["photo"]


# --------------------------------------------------------------------------- 学历


def education_data(*rows):
    data = {f"{EDUCATION_PREFIX}-TOTAL_FORMS": str(len(rows)), f"{EDUCATION_PREFIX}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{EDUCATION_PREFIX}-{index}-{key}": value for key, value in row.items()})
    return data


BACHELOR = {
    "level": "大学本科",
    "study_mode": "全日制",
    "degree": "学士",
    "school": "武汉大学",
    "major": "会计学",
    "enrolled_on": "2008-09-01",
    "graduated_on": "2012-06-30",
    "certificate_no": "104861201205000123",
}


def test_no_education_is_one_choice_that_needs_nothing_else():
    formset = EducationFormSet(education_data({"level": "无学历"}), prefix=EDUCATION_PREFIX)
    assert formset.is_valid(), formset.errors


def test_no_education_cannot_stand_beside_another_row():
    formset = EducationFormSet(education_data(BACHELOR, {"level": "无学历"}), prefix=EDUCATION_PREFIX)
    assert not formset.is_valid()
    assert "无学历" in " ".join(formset.non_form_errors())


def test_an_education_row_needs_its_details_and_says_which():
    formset = EducationFormSet(education_data({"level": "大学专科"}), prefix=EDUCATION_PREFIX)
    assert not formset.is_valid()
    assert set(formset.forms[0].errors) == {
        "study_mode",
        "degree",
        "school",
        "major",
        "enrolled_on",
        "graduated_on",
        "certificate_no",
    }
    assert "学校" in formset.forms[0].errors["school"][0]


def test_high_school_needs_no_major():
    row = {**BACHELOR, "level": "高中", "degree": "无学位", "major": ""}
    assert EducationFormSet(education_data(row), prefix=EDUCATION_PREFIX).is_valid()


def test_graduation_must_follow_enrolment_and_neither_may_be_in_the_future():
    before = {**BACHELOR, "graduated_on": "2008-06-30"}
    formset = EducationFormSet(education_data(before), prefix=EDUCATION_PREFIX)
    assert not formset.is_valid()
    assert "晚于" in formset.forms[0].errors["graduated_on"][0]

    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    future = {**BACHELOR, "enrolled_on": tomorrow, "graduated_on": tomorrow}
    formset = EducationFormSet(education_data(future), prefix=EDUCATION_PREFIX)
    assert not formset.is_valid()
    assert "将来" in formset.forms[0].errors["enrolled_on"][0] or "未来" in formset.forms[0].errors["enrolled_on"][0]
    assert formset.forms[0].errors["graduated_on"]


def test_at_least_one_education_row_is_required():
    formset = EducationFormSet(education_data(), prefix=EDUCATION_PREFIX)
    assert not formset.is_valid()


@given(rows=st.integers(min_value=1, max_value=6), data=st.data())
def test_removing_a_row_keeps_the_others_in_order(rows, data):
    index = data.draw(st.integers(min_value=0, max_value=rows - 1))
    posted = MultiValueDict({k: [v] for k, v in education_data(*[{"school": f"S{i}"} for i in range(rows)]).items()})
    after = education_with_row_removed(posted, index)
    assert after[f"{EDUCATION_PREFIX}-TOTAL_FORMS"] == str(rows - 1)
    schools = [after[f"{EDUCATION_PREFIX}-{i}-school"] for i in range(rows - 1)]
    assert schools == [f"S{i}" for i in range(rows) if i != index]


# --------------------------------------------------------------------------- 专业技术资格


QUALIFICATION = {
    "qualification_type": "会计类",
    "qualification_level": "中级",
    "qualification_obtained_by": "考试",
    "qualification_date": "2016-10-15",
    "qualification_certificate_no": "Z2016",
    "accounting_title": "会计师",
    "is_cpa": "False",
    "is_valuer": "False",
    "is_tax_adviser": "True",
    "high_end_talent": "无",
    "admin_post": "会计主管人员",
    "abacus_level": "无",
}


def test_qualification_none_keeps_no_level_date_or_certificate(units):
    dossier = DossierFactory()
    data = {
        **QUALIFICATION,
        "qualification_type": "无",
        "qualification_level": "中级",
        "qualification_certificate_no": "X",
    }
    form = QualificationForm(data, dossier=dossier)
    assert form.is_valid(), form.errors
    form.save()
    dossier.refresh_from_db()
    assert (dossier.qualification_level, dossier.qualification_date, dossier.qualification_certificate_no) == (
        "无",
        None,
        "",
    )
    assert dossier.is_tax_adviser is True


def test_a_qualification_needs_its_level_way_date_and_number(units):
    data = {
        **QUALIFICATION,
        "qualification_level": "无",
        "qualification_obtained_by": "",
        "qualification_date": "",
        "qualification_certificate_no": "",
    }
    form = QualificationForm(data, dossier=DossierFactory())
    assert not form.is_valid()
    assert set(form.errors) == {
        "qualification_level",
        "qualification_obtained_by",
        "qualification_date",
        "qualification_certificate_no",
    }


def test_the_registered_flags_must_be_answered(units):
    form = QualificationForm({**QUALIFICATION, "is_cpa": ""}, dossier=DossierFactory())
    assert not form.is_valid()
    assert "是或否" in errors(form)["is_cpa"]


# --------------------------------------------------------------------------- 会计岗位


def post_data(**overrides):
    data = {
        "on_duty": "True",
        "employer_name": "武汉某某有限公司",
        "employer_uscc": VALID_USCC,
        "unit_nature": "事业单位",
        "employer_address": "",
        "accounting_post": "出纳",
        "accounting_since": "2012-07-01",
        "unit_city": "420100",
        "unit": "420102",
    }
    return {**data, **overrides}


def test_in_post_the_work_fields_are_required(units):
    data = post_data(employer_name="", employer_uscc="", unit_nature="", accounting_post="", accounting_since="")
    form = PostForm(data, dossier=DossierFactory())
    assert not form.is_valid()
    assert set(form.errors) == {"employer_name", "employer_uscc", "unit_nature", "accounting_post", "accounting_since"}


def test_the_unified_social_credit_code_is_checked(units):
    form = PostForm(post_data(employer_uscc=BAD_USCC), dossier=DossierFactory())
    assert not form.is_valid()
    assert "校验" in errors(form)["employer_uscc"]
    form = PostForm(post_data(employer_uscc=VALID_USCC.lower()), dossier=DossierFactory())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["employer_uscc"] == VALID_USCC


def test_not_in_post_keeps_none_of_the_work_fields_but_still_a_region(units):
    dossier = DossierFactory()
    form = PostForm(post_data(on_duty="False", employer_uscc=BAD_USCC, accounting_since="not a date"), dossier=dossier)
    assert form.is_valid(), form.errors
    form.save()
    dossier.refresh_from_db()
    assert dossier.on_duty is False
    assert (dossier.employer_name, dossier.employer_uscc, dossier.accounting_post, dossier.accounting_since) == (
        "",
        "",
        "",
        None,
    )
    assert dossier.unit.code == "420102"

    form = PostForm(post_data(on_duty="False", unit=""), dossier=dossier)
    assert not form.is_valid()
    assert set(form.errors) == {"unit"}


def test_dates_of_work_cannot_be_in_the_future(units):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    form = PostForm(post_data(accounting_since=tomorrow), dossier=DossierFactory())
    assert not form.is_valid()
    assert set(form.errors) == {"accounting_since"}


# --------------------------------------------------------------------------- re-checking what is stored


def test_a_complete_dossier_passes_every_section_as_stored(units):
    from .factories import collection

    dossier = collection(state="complete").dossier
    for step, section in SECTIONS.items():
        form = section.form(dossier, data=section.stored_data(dossier))
        assert form.is_valid(), (step, form.errors)


def test_what_is_stored_is_re_checked_with_the_same_rules(units):
    from .factories import collection

    dossier = collection(state="complete").dossier
    dossier.employer_uscc = BAD_USCC
    dossier.save()
    section = SECTIONS[Step.POST]
    assert not section.form(dossier, data=section.stored_data(dossier)).is_valid()
