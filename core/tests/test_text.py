"""Text hygiene: `core.text.clean_text` and its wiring into every app's forms (`core.forms`)."""

import unicodedata

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from core.forms import CleanTextMixin
from core.text import BIDI_CONTROLS, ZERO_WIDTH, clean_text, forbidden_character

ESC, BEL, NUL, C1 = "\x1b", "\x07", "\x00", "\x9b"
FORBIDDEN = {
    "esc": ESC,
    "bel": BEL,
    "nul": NUL,
    "c1": C1,
    "zero_width_space": "\u200b",
    "zero_width_joiner": "\u200d",
    "word_joiner": "\u2060",
    "bom": "\ufeff",
    "rlo": "\u202e",
    "lre": "\u202a",
    "rli": "\u2067",
    "pdi": "\u2069",
    "rlm": "\u200f",
    "arabic_letter_mark": "\u061c",
    "soft_hyphen": "\u00ad",
}


# --------------------------------------------------------------------------- the cleaner itself


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
@pytest.mark.parametrize("multiline", [False, True])
def test_each_forbidden_character_inside_the_text_is_refused_naming_the_field(char, multiline):
    with pytest.raises(forms.ValidationError) as caught:
        clean_text(f"武汉{char}某某公司", field_label="工作单位名称", multiline=multiline)
    message = caught.value.messages[0]
    assert "“工作单位名称”" in message
    assert "第3个字符" in message
    assert "请删除后重新输入" in message


def test_a_right_to_left_override_gets_its_own_explanation():
    with pytest.raises(forms.ValidationError) as caught:
        clean_text("abc\u202edcba", field_label="备注")
    assert caught.value.code == "bidi_control"
    assert "方向" in caught.value.messages[0]


def test_nfc_trimming_and_harmless_lookalikes():
    assert clean_text("  Jose\u0301\u00a0Li\u200b ", field_label="x") == "Jos\u00e9 Li"
    assert clean_text("\ufeff武汉大学", field_label="x") == "武汉大学"  # a BOM pasted at the start
    assert clean_text("武汉\u3000大学", field_label="x") == "武汉\u3000大学"  # full-width space is kept
    assert clean_text("a \t  b\nc", field_label="x") == "a b c"  # one line: whitespace folded


def test_multi_line_values_keep_their_lines_and_tabs():
    typed = "第一段\r\n\t第二行  \r\n\r\n\r\n\r\n第二段\u2028末行"
    assert clean_text(typed, field_label="x", multiline=True) == "第一段\n\t第二行\n\n第二段\n末行"


def test_names_with_middle_dots_are_untouched():
    for name in ("阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽・买买提", "Mary O'Neil-Smith"):
        assert clean_text(name, field_label="姓名") == name


TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(sorted(ZERO_WIDTH | BIDI_CONTROLS | set("\n\r\t \u00a0\u3000\u2028\x1b\x07\u0301"))),
    ),
    max_size=40,
)


@given(TEXT, st.booleans())
def test_clean_text_never_returns_a_forbidden_character_and_is_idempotent(value, multiline):
    try:
        cleaned = clean_text(value, field_label="x", multiline=multiline)
    except forms.ValidationError:
        return
    assert not any(forbidden_character(c, multiline=multiline) for c in cleaned)
    assert not any(c in ZERO_WIDTH or c in BIDI_CONTROLS for c in cleaned)
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned, field_label="x", multiline=multiline) == cleaned


# --------------------------------------------------------------------------- every app's forms


class _Plain(CleanTextMixin, forms.Form):
    line = forms.CharField(label="单行", required=False)
    lines = forms.CharField(label="多行", required=False, widget=forms.Textarea)
    secret = forms.CharField(label="密码", required=False, strip=False, widget=forms.PasswordInput)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


def test_the_mixin_cleans_text_before_the_form_rules_and_leaves_passwords_alone():
    form = _Plain({"line": " a\u00a0b ", "lines": "x\r\ny", "secret": " p\x1b ", "hidden": "h"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"line": "a b", "lines": "x\ny", "secret": " p\x1b ", "hidden": "h"}
    form = _Plain({"line": "a\x1bb"})
    assert not form.is_valid()
    assert "“单行”" in form.errors["line"][0]


def _forms_with_a_text_field():
    """(form factory, field, label in Chinese) across the apps."""
    from continuing_education.forms import CreditRecordForm
    from identity.accountant_forms import AccountantRegistrationForm
    from identity.staff_forms import StaffLoginForm
    from integrity.forms import NegativeRecordForm, RevokeForm
    from phone_change.forms import PhoneChangeApplyForm
    from reviews.forms import ReturnForm

    return [
        (lambda data: CreditRecordForm(data, items=[]), "title", "名称"),
        (lambda data: CreditRecordForm(data, items=[]), "note", "备注"),
        (NegativeRecordForm, "basis", None),
        (RevokeForm, "reason", "撤销原因"),
        (ReturnForm, "detail", "退回原因说明"),
        (AccountantRegistrationForm, "full_name", None),
        (PhoneChangeApplyForm, "reason", None),
        (StaffLoginForm, "username", None),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("char", [ESC, BEL, "\u200b", "\u202e", "\u2066"], ids=["esc", "bel", "zwsp", "rlo", "lri"])
def test_every_apps_forms_refuse_the_character_naming_the_field(char):
    for make, name, chinese in _forms_with_a_text_field():
        form = make({name: f"正常{char}文字", "version": "1"})
        assert not form.is_valid()
        message = " ".join(form.errors[name])
        label = chinese or str(form.fields[name].label)
        assert f"“{label}”" in message, (name, message)
        assert "请删除后重新输入" in message
