"""The section forms of the dossier, one per data step (manual §4.3–§4.6).

Each section form edits one `Dossier` (`dossier=` keyword) and is reused as is by every kind that
edits a dossier (信息采集 now, 信息变更 later). The rules of each section live in its `clean()`;
submission re-checks every section through the same forms (`sections.section_errors`).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from documents.constants import DocumentKind
from documents.selectors import document_for_owner
from identity.constants import IdType
from identity.validators import birth_date_and_sex, validate_uscc
from regions.forms import ReviewUnitField

from .constants import LEVELS_WITHOUT_MAJOR, NO_EDUCATION, NONE, OptionList, Sex
from .models import Dossier
from .options import OptionField

# ID types whose number carries the birth date and sex (the 18-character resident-ID structure).
ID_TYPES_WITH_BIRTH_DATE = (IdType.RESIDENT_ID, IdType.RESIDENCE_PERMIT)
MAX_EDUCATION_ROWS = 8
# No date of the dossier lies before this day (a typo such as 0001-01-01 is refused).
EARLIEST_DATE = datetime.date(1900, 1, 1)
# Youngest plausible age at enrolment, and at a qualification or the start of accounting work.
MIN_AGE_AT_ENROLMENT = 10
MIN_AGE_AT_WORK = 16


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__({"min": EARLIEST_DATE.isoformat(), **(attrs or {})}, format="%Y-%m-%d")


YES_NO = [("True", _("Yes")), ("False", _("No"))]


def yes_no_field(label, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose yes or no.")},
        **kwargs,
    )


def not_in_future(value, message=None):
    if value and value > timezone.localdate():
        raise ValidationError(message or _("This date cannot be in the future."))


def not_before_1900(value):
    if value and value < EARLIEST_DATE:
        raise ValidationError(_("The date cannot be before 1 January 1900."), code="too_early")


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest_at_age(birth_date: datetime.date | None, years: int) -> datetime.date | None:
    """The first day on which a person born on `birth_date` is `years` old (None if unknown)."""
    return add_years(birth_date, years) if birth_date else None


def derived_birth_date_and_sex(dossier: Dossier):
    """(birth date, sex) read from the registered ID number, or None when the ID type has none."""
    if dossier.id_type not in ID_TYPES_WITH_BIRTH_DATE:
        return None
    try:
        return birth_date_and_sex(dossier.id_number)
    except (ValidationError, ValueError):
        return None


def dossier_birth_date(dossier: Dossier) -> datetime.date | None:
    """The birth date the date rules compare with: from the ID number when it carries one, else
    the one entered on the 个人信息 step (None until it is entered)."""
    derived = derived_birth_date_and_sex(dossier)
    return derived[0] if derived is not None else dossier.birth_date


class BootstrapMixin(CleanTextMixin):
    """Bootstrap classes on every widget, `is-invalid` on fields with errors; text hygiene (`core.forms`)."""

    def _style_widgets(self):
        errors = self._errors or {}  # never triggers validation (called from __init__ too)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.widgets.Input) and not isinstance(widget, forms.HiddenInput):
                css = "form-control"
            else:
                continue  # hidden inputs and composite widgets (the unit picker) style themselves
            if name in errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self._style_widgets()


class SectionForm(BootstrapMixin, forms.ModelForm):
    """A section of a dossier. `dossier` is the instance the section writes to."""

    def __init__(self, *args, dossier: Dossier, **kwargs):
        self.dossier = dossier
        kwargs["instance"] = dossier
        super().__init__(*args, **kwargs)
        self._style_widgets()


class PersonalForm(SectionForm):
    """个人信息 (manual §4.3). 证件类型/号码 and 姓名 come from registration and are only shown;
    性别 and 出生日期 come from a resident ID when there is one."""

    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Please choose")), *Sex.choices])
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=DateInput(), validators=[not_in_future, not_before_1900]
    )
    ethnicity = OptionField(OptionList.ETHNICITY)
    political_status = OptionField(OptionList.POLITICAL_STATUS)
    address = forms.CharField(label=_("Contact address"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    photo = forms.UUIDField(
        label=_("Photo"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Please upload your photo."), "invalid": _("Please upload your photo again.")},
    )

    class Meta:
        model = Dossier
        fields = ["sex", "birth_date", "ethnicity", "political_status", "address", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].initial = self.dossier.photo_id
        derived = derived_birth_date_and_sex(self.dossier)
        if derived is not None:
            # Disabled fields ignore what is posted: the ID number decides.
            birth_date, sex = derived
            self.fields["birth_date"].disabled = True
            self.fields["sex"].disabled = True
            self.initial["birth_date"] = birth_date
            self.initial["sex"] = sex
            self.fields["birth_date"].help_text = _("Read from your ID number.")
            self.fields["sex"].help_text = _("Read from your ID number.")

    def clean_photo(self):
        document = document_for_owner(owner=self.dossier.owner, document_id=self.cleaned_data["photo"])
        if document is None or document.kind != DocumentKind.PHOTO:
            raise ValidationError(_("Please upload your photo again."))
        if document.application_id is not None and document.pk != self.dossier.photo_id:
            # A photo handed in with another application stays with it.
            raise ValidationError(_("Please upload your photo again."))
        return document

    def save(self, commit=True):
        self.instance.photo = self.cleaned_data["photo"]
        return super().save(commit=commit)


class EducationForm(BootstrapMixin, forms.Form):
    """One 学历 row (manual §4.4). "无学历" needs nothing else."""

    token = forms.RegexField(regex=r"^[0-9a-f]{8}$", required=False, widget=forms.HiddenInput)
    level = OptionField(OptionList.EDUCATION_LEVEL)
    study_mode = OptionField(OptionList.STUDY_MODE, required=False)
    degree = OptionField(OptionList.DEGREE, required=False)
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    major = forms.CharField(label=_("Major"), max_length=100, required=False)
    enrolled_on = forms.DateField(
        label=_("Enrolment date"), widget=DateInput(), required=False, validators=[not_before_1900]
    )
    graduated_on = forms.DateField(
        label=_("Graduation date"), widget=DateInput(), required=False, validators=[not_before_1900]
    )
    certificate_no = forms.CharField(label=_("Diploma number"), max_length=50, required=False)

    DETAIL_FIELDS = ("study_mode", "degree", "school", "major", "enrolled_on", "graduated_on", "certificate_no")

    def __init__(self, *args, birth_date: datetime.date | None = None, **kwargs):
        """`birth_date`: the person's (`dossier_birth_date`), for the enrolment date's lower bound."""
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date
        self._style_widgets()

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if not level:
            return data
        if level == NO_EDUCATION:
            for name in self.DETAIL_FIELDS:
                data[name] = None if name.endswith("_on") else ""
            return data
        required = {
            "study_mode": _("Please choose the mode of study."),
            "degree": _("Please choose the degree (无学位 if none)."),
            "school": _("Please enter the school."),
            "enrolled_on": _("Please enter the enrolment date."),
            "graduated_on": _("Please enter the graduation date."),
            "certificate_no": _("Please enter the diploma number."),
        }
        if level not in LEVELS_WITHOUT_MAJOR:
            required["major"] = _("Please enter the major.")
        for name, message in required.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        enrolled, graduated = data.get("enrolled_on"), data.get("graduated_on")
        today = timezone.localdate()
        earliest = earliest_at_age(self.birth_date, MIN_AGE_AT_ENROLMENT)
        if enrolled and enrolled > today:
            self.add_error("enrolled_on", _("The enrolment date cannot be in the future."))
        elif enrolled and earliest and enrolled < earliest:
            self.add_error(
                "enrolled_on",
                _("The enrolment date must be at least 10 years after the date of birth (%(date)s or later).")
                % {"date": earliest.isoformat()},
            )
            enrolled = None  # the graduation date is compared with a plausible enrolment date only
        if graduated and graduated > today:
            self.add_error("graduated_on", _("The graduation date cannot be in the future."))
        elif enrolled and graduated and graduated <= enrolled:
            self.add_error("graduated_on", _("The graduation date must be after the enrolment date."))
        return data


class BaseEducationFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        levels = [form.cleaned_data.get("level") for form in self.forms]
        if NO_EDUCATION in levels and len(levels) > 1:
            raise ValidationError(_("If you choose 无学历, remove the other education rows."))


EducationFormSet = forms.formset_factory(
    EducationForm,
    formset=BaseEducationFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_EDUCATION_ROWS,
    validate_max=True,
)
EDUCATION_PREFIX = "edu"


class QualificationForm(SectionForm):
    """专业技术资格 (manual §4.5): "无" wherever there is nothing to declare."""

    qualification_type = OptionField(OptionList.QUALIFICATION_TYPE)
    qualification_level = OptionField(OptionList.QUALIFICATION_LEVEL, required=False)
    qualification_obtained_by = OptionField(OptionList.QUALIFICATION_OBTAINED_BY, required=False)
    qualification_date = forms.DateField(
        label=_("Date obtained"), widget=DateInput(), required=False, validators=[not_in_future, not_before_1900]
    )
    qualification_certificate_no = forms.CharField(
        label=_("Certificate or approval number"), max_length=50, required=False
    )
    accounting_title = OptionField(OptionList.ACCOUNTING_TITLE)
    is_cpa = yes_no_field(_("Certified public accountant"))
    is_valuer = yes_no_field(_("Certified asset valuer"))
    is_tax_adviser = yes_no_field(_("Certified tax adviser"))
    high_end_talent = OptionField(OptionList.HIGH_END_TALENT)
    admin_post = OptionField(OptionList.ADMIN_POST)
    abacus_level = OptionField(OptionList.ABACUS_LEVEL)

    QUALIFICATION_DETAILS = (
        "qualification_level",
        "qualification_obtained_by",
        "qualification_date",
        "qualification_certificate_no",
    )

    class Meta:
        model = Dossier
        fields = [
            "qualification_type",
            "qualification_level",
            "qualification_obtained_by",
            "qualification_date",
            "qualification_certificate_no",
            "accounting_title",
            "is_cpa",
            "is_valuer",
            "is_tax_adviser",
            "high_end_talent",
            "admin_post",
            "abacus_level",
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("qualification_type")
        if not kind:
            return data
        if kind == NONE:
            data.update(
                qualification_level=NONE,
                qualification_obtained_by=NONE,
                qualification_date=None,
                qualification_certificate_no="",
            )
            return data
        if data.get("qualification_level") in ("", NONE) and "qualification_level" not in self.errors:
            self.add_error("qualification_level", _("Please choose the level of the qualification."))
        if data.get("qualification_obtained_by") in ("", NONE) and "qualification_obtained_by" not in self.errors:
            self.add_error("qualification_obtained_by", _("Please choose how the qualification was obtained."))
        obtained = data.get("qualification_date")
        earliest = earliest_at_age(dossier_birth_date(self.dossier), MIN_AGE_AT_WORK)
        if not obtained and "qualification_date" not in self.errors:
            self.add_error("qualification_date", _("Please enter the date the qualification was obtained."))
        elif obtained and earliest and obtained < earliest:
            self.add_error(
                "qualification_date",
                _("The date obtained must be at least 16 years after the date of birth (%(date)s or later).")
                % {"date": earliest.isoformat()},
            )
        if not data.get("qualification_certificate_no"):
            self.add_error("qualification_certificate_no", _("Please enter the certificate or approval number."))
        return data


# 工作单位 and 会计岗位 fields: required when 在岗, kept empty otherwise.
WORK_FIELDS = (
    "employer_name",
    "employer_uscc",
    "unit_nature",
    "employer_address",
    "accounting_post",
    "accounting_since",
)


class PostForm(SectionForm):
    """会计岗位信息 (manual §4.6): 在岗 = 是 needs the work fields, 否 keeps none; the 行政区划
    (review unit) is always chosen."""

    on_duty = yes_no_field(_("Currently in an accounting post"))
    employer_name = forms.CharField(label=_("Employer"), max_length=100, required=False)
    employer_uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters, printed on the employer's business licence."),
    )
    unit_nature = OptionField(OptionList.UNIT_NATURE, required=False)
    employer_address = forms.CharField(label=_("Employer address"), max_length=200, required=False)
    accounting_post = OptionField(OptionList.ACCOUNTING_POST, required=False)
    accounting_since = forms.DateField(
        label=_("In accounting work since"),
        widget=DateInput(),
        required=False,
        validators=[not_in_future, not_before_1900],
    )
    unit = ReviewUnitField(label=_("Administrative region"))

    WORK_FIELDS = WORK_FIELDS

    class Meta:
        model = Dossier
        fields = ["on_duty", *WORK_FIELDS, "unit"]

    def stored_values(self) -> dict:
        """Posted-data values of what is stored where the widget needs more than the value."""
        unit = self.dossier.unit
        return {"unit": unit.code if unit is not None else ""}

    def clean_employer_uscc(self):
        value = self.cleaned_data["employer_uscc"].strip()
        if not value or self.data.get(self.add_prefix("on_duty")) != "True":
            return value
        return validate_uscc(value)

    def clean(self):
        data = super().clean()
        on_duty = data.get("on_duty")
        if on_duty is False:
            for name in self.WORK_FIELDS:
                data[name] = None if name == "accounting_since" else ""
                self.errors.pop(name, None)
        elif on_duty is True:
            required = {
                "employer_name": _("Please enter your employer."),
                "employer_uscc": _("Please enter the employer's unified social credit code."),
                "unit_nature": _("Please choose the nature of the employer."),
                "accounting_post": _("Please choose your accounting post."),
                "accounting_since": _("Please enter when you started accounting work."),
            }
            for name, message in required.items():
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
            since = data.get("accounting_since")
            earliest = earliest_at_age(dossier_birth_date(self.dossier), MIN_AGE_AT_WORK)
            if since and earliest and since < earliest:
                self.add_error(
                    "accounting_since",
                    _("Accounting work cannot have started before the age of 16 (%(date)s or later).")
                    % {"date": earliest.isoformat()},
                )
        return data
