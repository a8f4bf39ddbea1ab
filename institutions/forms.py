from django import forms
from django.utils.translation import gettext_lazy as _

from continuing_education.constants import Subject
from identity.constants import IdType
from regions.models import ReviewUnit

from .constants import CourseMode


class _Styled:
    def _style(self):
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name in getattr(self, "errors", {}):
                css += " is-invalid"
            field.widget.attrs["class"] = css


class InstitutionForm(_Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30)
    region = forms.ModelChoiceField(label=_("Region"), queryset=ReviewUnit.objects.none())
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = units if units is not None else ReviewUnit.objects.none()
        self._style()


class StaffAccountForm(_Styled, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=30)
    full_name = forms.CharField(label=_("Name"), max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class CourseForm(_Styled, forms.Form):
    name = forms.CharField(label=_("Course name"), max_length=200)
    subject = forms.ChoiceField(label=_("Category"), choices=Subject.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=CourseMode.choices)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(label=_("Class hours"), min_value=1, max_value=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AttendeeForm(_Styled, forms.Form):
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    date = forms.DateField(label=_("Attendance date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Attendee list (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})


class CorrectForm(_Styled, forms.Form):
    credits = forms.IntegerField(label=_("Credits"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RevokeForm(_Styled, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
