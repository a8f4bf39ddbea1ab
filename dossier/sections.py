"""The data sections of a dossier and how a step-by-step form drives them.

A section builds its form for a dossier (from what is stored, from what was posted, or from what
the person typed earlier and left unfinished), saves a valid form into the dossier, and can check
what is stored with the very same form, so submission applies exactly the rules the person saw.
"""

from dataclasses import dataclass

from django.db import transaction
from django.forms import BaseFormSet, BaseModelForm
from django.utils.datastructures import MultiValueDict

from .constants import Step
from .forms import (
    EDUCATION_PREFIX,
    EducationFormSet,
    PersonalForm,
    PostForm,
    QualificationForm,
    dossier_birth_date,
)
from .models import Dossier, EducationRecord

# Posted keys that are not form input (buttons, the CSRF token).
NOT_INPUT = {"csrfmiddlewaretoken", "action", "remove_row"}


@dataclass(frozen=True)
class Section:
    step: Step
    template: str
    form_class: type | None = None  # a SectionForm; None for the education formset

    # --- building
    def form(self, dossier: Dossier, data=None):
        if self.form_class is not None:
            return self.form_class(data, dossier=dossier)
        if data is None:
            return EducationFormSet(prefix=EDUCATION_PREFIX, initial=education_initial(dossier))
        # The person's birth date bounds the enrolment dates (`EducationForm`).
        return EducationFormSet(data, prefix=EDUCATION_PREFIX, form_kwargs={"birth_date": dossier_birth_date(dossier)})

    def stored_data(self, dossier: Dossier) -> MultiValueDict:
        """What is stored, as posted data: binding it re-checks the stored values with the form's rules."""
        unbound = self.form(dossier)
        data: MultiValueDict[str, str] = MultiValueDict()
        forms = [unbound.management_form, *unbound.forms] if isinstance(unbound, BaseFormSet) else [unbound]
        for form in forms:
            for bound_field in form:
                value = bound_field.value()
                data.setlist(bound_field.html_name, [] if value is None else [str(value)])
            for name, value in getattr(form, "stored_values", dict)().items():
                data.setlist(form.add_prefix(name), [value])
        return data

    def form_from_input(self, dossier: Dossier, data: MultiValueDict):
        """An unbound form showing input kept verbatim (no error messages: nothing was submitted).

        Each widget reads its own keys from the data, so composite widgets (the unit picker) work.
        """
        if self.form_class is not None:
            form = self.form_class(dossier=dossier)
            _fill_initial(form, data)
            return form
        total = _int(data.get(f"{EDUCATION_PREFIX}-TOTAL_FORMS"))
        rows = []
        for index in range(min(total, EducationFormSet.max_num)):
            row_form = EducationFormSet.form(prefix=f"{EDUCATION_PREFIX}-{index}")
            _fill_initial(row_form, data)
            rows.append(row_form.initial)
        return EducationFormSet(prefix=EDUCATION_PREFIX, initial=rows)

    # --- saving
    def save(self, dossier: Dossier, form) -> None:
        if isinstance(form, BaseModelForm):  # every section's form_class is a SectionForm
            form.save()
        else:
            save_education_rows(dossier, form)


def _fill_initial(form, data: MultiValueDict) -> None:
    for name, field in form.fields.items():
        if not field.disabled:
            form.initial[name] = field.widget.value_from_datadict(data, {}, form.add_prefix(name))


def education_initial(dossier: Dossier) -> list[dict]:
    return [
        {
            "token": row.token,
            "level": row.level,
            "study_mode": row.study_mode,
            "degree": row.degree,
            "school": row.school,
            "major": row.major,
            "enrolled_on": row.enrolled_on,
            "graduated_on": row.graduated_on,
            "certificate_no": row.certificate_no,
        }
        for row in dossier.educations.all()
    ]


@transaction.atomic
def save_education_rows(dossier: Dossier, formset) -> None:
    """Replace the dossier's 学历 rows with the formset's, keeping each row's token (its proofs)."""
    dossier.educations.all().delete()
    seen = set()
    rows: list[EducationRecord] = []
    for form in formset.forms:
        if not form.cleaned_data.get("level"):
            continue
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        row = EducationRecord(dossier=dossier, position=len(rows), **data)
        token = form.cleaned_data.get("token")
        if token and token not in seen:
            row.token = token
        seen.add(row.token)
        rows.append(row)
    EducationRecord.objects.bulk_create(rows)


SECTIONS = {
    Step.PERSONAL: Section(Step.PERSONAL, "dossier/sections/personal.html", PersonalForm),
    Step.EDUCATION: Section(Step.EDUCATION, "dossier/sections/education.html"),
    Step.QUALIFICATION: Section(Step.QUALIFICATION, "dossier/sections/qualification.html", QualificationForm),
    Step.POST: Section(Step.POST, "dossier/sections/post.html", PostForm),
}


def input_from_post(post) -> dict[str, list[str]]:
    """What the person typed, verbatim, to keep it when it cannot be saved yet."""
    return {key: values for key, values in post.lists() if key not in NOT_INPUT}


def as_data(kept: dict[str, list[str]]) -> MultiValueDict:
    return MultiValueDict(kept)


def education_with_row_added(post) -> MultiValueDict:
    """The posted education rows plus one empty row ("add a row" without any script)."""
    data = MultiValueDict({k: v for k, v in post.lists() if k not in NOT_INPUT})
    key = f"{EDUCATION_PREFIX}-TOTAL_FORMS"
    total = _int(data.get(key))
    data[key] = str(min(total + 1, EducationFormSet.max_num))
    return data


def education_with_row_removed(post, index: int) -> MultiValueDict:
    """The posted education rows without row `index`, the later rows renumbered."""
    total = _int(post.get(f"{EDUCATION_PREFIX}-TOTAL_FORMS"))
    data: MultiValueDict[str, str] = MultiValueDict()
    for key, values in post.lists():
        if key in NOT_INPUT or not key.startswith(f"{EDUCATION_PREFIX}-"):
            continue
        head, _sep, field = key[len(EDUCATION_PREFIX) + 1 :].partition("-")
        if not field:  # management form
            data.setlist(key, values)
            continue
        if not head.isdigit() or int(head) >= total:
            continue
        row = int(head)
        if row == index:
            continue
        new_row = row - 1 if row > index else row
        data.setlist(f"{EDUCATION_PREFIX}-{new_row}-{field}", values)
    data[f"{EDUCATION_PREFIX}-TOTAL_FORMS"] = str(max(total - 1, 0) if 0 <= index < total else total)
    return data


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def section_errors(dossier: Dossier) -> dict[Step, bool]:
    """For each data section, whether what is stored fails its form's rules (True = needs fixing)."""
    problems = {}
    for step, section in SECTIONS.items():
        form = section.form(dossier, data=section.stored_data(dossier))
        problems[step] = not form.is_valid()
    return problems
