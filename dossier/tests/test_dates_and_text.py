"""Dates of the dossier against the birth date and 1900, and text hygiene through the steps."""

import datetime

import pytest
from django.urls import reverse

from dossier.constants import Step
from dossier.forms import EDUCATION_PREFIX, EducationFormSet, PostForm, QualificationForm, add_years
from dossier.models import Dossier
from dossier.sections import SECTIONS
from identity.tests.factories import AccountantFactory

from .factories import DossierFactory
from .test_forms import BACHELOR, QUALIFICATION, education_data, personal_data, post_data

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 1, 1)  # from 420102199001011236


def resident_dossier():
    return DossierFactory(owner=AccountantFactory(id_number="420102199001011236"))


def education_errors(dossier, **row):
    formset = SECTIONS[Step.EDUCATION].form(dossier, data=education_data({**BACHELOR, **row}))
    formset.is_valid()
    return formset.forms[0].errors


def test_add_years_keeps_the_day_and_turns_29_february_into_28_february():
    assert add_years(datetime.date(1990, 1, 1), 10) == datetime.date(2000, 1, 1)
    assert add_years(datetime.date(2000, 2, 29), 10) == datetime.date(2010, 2, 28)
    assert add_years(datetime.date(2000, 2, 29), 16) == datetime.date(2016, 2, 29)


def test_enrolment_from_the_tenth_birthday_on(units):
    dossier = resident_dossier()
    assert not education_errors(dossier, enrolled_on="2000-01-01", graduated_on="2004-06-30")
    errors = education_errors(dossier, enrolled_on="1999-12-31", graduated_on="2004-06-30")
    assert "入学时间应在出生满10周岁之后（不早于2000-01-01）" in " ".join(errors["enrolled_on"])


def test_graduation_must_follow_enrolment(units):
    errors = education_errors(resident_dossier(), enrolled_on="2008-09-01", graduated_on="2008-09-01")
    assert "graduated_on" in errors


@pytest.mark.parametrize("field", ["enrolled_on", "graduated_on"])
def test_no_education_date_before_1900(units, field):
    row = {"enrolled_on": "2008-09-01", "graduated_on": "2012-06-30", field: "0001-01-01"}
    errors = education_errors(resident_dossier(), **row)
    assert "日期不能早于1900年1月1日" in " ".join(errors[field])


def test_without_a_resident_id_the_entered_birth_date_is_used(units):
    owner = AccountantFactory(id_type="passport", id_number="E12345678")
    dossier = DossierFactory(owner=owner, birth_date=datetime.date(2000, 2, 29))
    assert not education_errors(dossier, enrolled_on="2010-02-28", graduated_on="2016-06-30")
    assert "enrolled_on" in education_errors(dossier, enrolled_on="2010-02-27", graduated_on="2016-06-30")
    # Not entered yet: only the fixed bounds apply.
    dossier.birth_date = None
    assert not education_errors(dossier, enrolled_on="1995-09-01", graduated_on="1999-06-30")


def test_a_formset_built_without_the_dossier_still_validates():
    assert EducationFormSet(education_data(BACHELOR), prefix=EDUCATION_PREFIX).is_valid()


def test_qualification_from_the_sixteenth_birthday_on(units):
    dossier = resident_dossier()
    assert QualificationForm({**QUALIFICATION, "qualification_date": "2006-01-01"}, dossier=dossier).is_valid()
    form = QualificationForm({**QUALIFICATION, "qualification_date": "2005-12-31"}, dossier=dossier)
    assert not form.is_valid()
    assert "取得时间应在出生满16周岁之后（不早于2006-01-01）" in " ".join(form.errors["qualification_date"])
    form = QualificationForm({**QUALIFICATION, "qualification_date": "1899-12-31"}, dossier=dossier)
    assert "日期不能早于1900年1月1日" in " ".join(form.errors["qualification_date"])


def test_accounting_work_from_the_sixteenth_birthday_on(units):
    dossier = resident_dossier()
    assert PostForm(post_data(accounting_since="2006-01-01"), dossier=dossier).is_valid()
    form = PostForm(post_data(accounting_since="2005-12-31"), dossier=dossier)
    assert not form.is_valid()
    assert "从事会计工作起始时间应在出生满16周岁之后（不早于2006-01-01）" in " ".join(form.errors["accounting_since"])
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert "accounting_since" in PostForm(post_data(accounting_since=tomorrow), dossier=dossier).errors


# --------------------------------------------------------------------------- through the wizard


def step_url(step):
    return reverse("dossier:step", args=[str(step)])


def start(client):
    assert client.post(reverse("dossier:collect")).status_code == 302
    return Dossier.objects.get(owner__id_number="420102199001011236")


def test_a_control_character_in_a_step_is_refused_naming_the_field_and_the_rest_is_kept(accountant_client):
    dossier = start(accountant_client)
    data = personal_data(dossier, address="武汉市\x1b江岸区沿江大道1号", email="a@example.com")
    response = accountant_client.post(step_url(Step.PERSONAL), {**data, "action": "next"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "“通讯地址”含有不可见的控制字符" in text and "请删除后重新输入" in text
    assert "a@example.com" in text  # nothing typed is lost
    dossier.refresh_from_db()
    assert dossier.address != data["address"]


def test_a_too_early_enrolment_is_refused_on_the_step_and_shown_again(accountant_client):
    dossier = start(accountant_client)
    accountant_client.post(step_url(Step.PERSONAL), {**personal_data(dossier), "action": "next"})
    typed = {**BACHELOR, "enrolled_on": "1999-12-31", "school": " 武汉\u00a0大学 "}
    response = accountant_client.post(step_url(Step.EDUCATION), {**education_data(typed), "action": "next"})
    text = response.content.decode()
    assert "不早于2000-01-01" in text
    assert 'value="1999-12-31"' in text
    typed["enrolled_on"] = "2000-01-01"
    response = accountant_client.post(step_url(Step.EDUCATION), {**education_data(typed), "action": "next"})
    assert response.status_code == 302
    assert dossier.educations.get().school == "武汉 大学"  # NBSP normalised, trimmed
