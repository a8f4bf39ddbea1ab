"""core.widgets.LeanSelect: the same select as Django's, written without templates."""

import re

from django import forms

from core.widgets import LeanSelect


class Both(forms.Form):
    lean = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=LeanSelect)
    plain = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lean", "plain"):
            self.fields[name].choices = [("", "All"), *choices]
            self.fields[name].widget.attrs["class"] = "form-select"


def options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    ]


def select_attrs(html: str) -> str:
    match = re.match(r"<select([^>]*)>", html)
    assert match, html
    return match[1]


def test_the_lean_select_has_the_attributes_and_options_of_django_s_select():
    choices = [(1, "省直"), (2, "武汉市<市直>"), (3, 'A "quoted" & name')]
    for data in ({}, {"lean": "2", "plain": "2"}, {"lean": "9", "plain": "9"}):
        form = Both(data or None, choices=choices)
        form.is_valid()
        lean, plain = str(form["lean"]).replace("lean", "x"), str(form["plain"]).replace("plain", "x")
        assert options(lean) == options(plain)
        assert sorted(select_attrs(lean).split()) == sorted(select_attrs(plain).split())
    assert "武汉市&lt;市直&gt;" in str(Both(choices=choices)["lean"])


def test_the_selected_option_follows_the_submitted_value():
    form = Both({"lean": "2"}, choices=[(1, "a"), (2, "b")])
    form.is_valid()
    assert [o for o in options(str(form["lean"])) if o[1]] == [("2", True, "b")]
    assert [o for o in options(str(Both(choices=[(1, "a")])["lean"])) if o[1]] == [("", True, "All")]
