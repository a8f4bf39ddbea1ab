"""Text hygiene (`core.text.clean_text`) where free text reaches a service without a form, and in
the Django admin's edit forms of text data (issue #8).

Forms apply it through `core.forms.CleanTextMixin`; these tests call the services directly and
post the real admin forms, so text that bypasses the accountants' and reviewers' forms is cleaned
(or refused with the message naming the field) too.
"""

import datetime
import json

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

from continuing_education.models import CreditItem
from continuing_education.services import Entry, cleaned_texts, entry_problems
from dossier.models import OptionItem
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from integrity import services as integrity
from integrity.models import IntegrityOption, PenaltyKind
from phone_change.services import PhoneChangeError, clean_reason
from regions.models import ReviewUnit
from reviews import services as reviews
from reviews.models import StandardReturnReason

pytestmark = pytest.mark.django_db

BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: the text would read backwards
DIRECTION = "改变文字显示方向"  # in the Chinese message about it
INVISIBLE = "不可见的控制字符"


# --------------------------------------------------------------------------- services


def test_the_return_reason_service_cleans_and_refuses():
    assert reviews.clean_return_reason("\u200b 请补充\u00a0证明材料\t ") == "请补充 证明材料"
    with pytest.raises(reviews.ReviewError) as refused:
        reviews.clean_return_reason(f"请补充{BIDI}料材明证")
    assert DIRECTION in str(refused.value) and "退回原因" in str(refused.value)
    with pytest.raises(reviews.ReviewError, match="退回原因"):
        reviews.clean_return_reason("\u200b\u00a0 ")  # nothing left: still required


def test_the_phone_change_reason_service_cleans_and_refuses():
    assert clean_reason("  旧手机\u3000丢失\u00a0了 \u200b") == "旧手机\u3000丢失 了"
    with pytest.raises(PhoneChangeError) as refused:
        clean_reason("旧号\x07码注销")
    assert refused.value.errors["reason"] and INVISIBLE in str(refused.value)
    assert "更换原因" in str(refused.value)


def test_integrity_entry_services_clean_and_refuse_every_free_text_field():
    from integrity.tests.factories import HONOUR_FIELDS, negative_fields

    cleaned = integrity.clean_honour_fields(**{**HONOUR_FIELDS, "awarding_body": "\u200b湖北省\u00a0财政厅 "})
    assert cleaned["awarding_body"] == "湖北省 财政厅"
    with pytest.raises(integrity.IntegrityRecordError) as refused:
        integrity.clean_honour_fields(
            **{**HONOUR_FIELDS, "awarding_body": f"湖北{BIDI}省", "document_number": "鄂财\u200b会发"}
        )
    assert DIRECTION in str(refused.value.errors["awarding_body"])
    assert "授予单位" in str(refused.value.errors["awarding_body"])
    assert "不可见" in str(refused.value.errors["document_number"])

    cleaned = integrity.clean_negative_fields(
        **negative_fields(note="第一行\u00a0 \r\n第二行", authority=" 江岸区\t财政局")
    )
    assert cleaned["note"] == "第一行\n第二行" and cleaned["authority"] == "江岸区 财政局"
    with pytest.raises(integrity.IntegrityRecordError) as refused:
        integrity.clean_negative_fields(**negative_fields(note=f"备{BIDI}注", basis="会计\x00法"))
    assert set(refused.value.errors) >= {"note", "basis"}


def test_continuing_education_entries_are_cleaned_by_the_services():
    item = CreditItem.objects.order_by("no").first()
    day = datetime.date(datetime.date.today().year, 1, 2)
    entry = Entry(item=item, year=day.year, start_date=day, title=" 注册\u00a0会计师\u200b", note="甲\r\n\r\n\r\n乙 ")
    texts, problems = cleaned_texts(entry)
    assert problems == {} and texts["title"] == "注册 会计师" and texts["note"] == "甲\n\n乙"

    bad = Entry(item=item, year=day.year, start_date=day, title=f"注册{BIDI}会计师", organiser="协\x1b会")
    problems = entry_problems(bad)
    assert DIRECTION in problems["title"] and "organiser" in problems
    blank = Entry(item=item, year=day.year, start_date=day, title="\u200b\u00a0")
    assert entry_problems(blank)["title"]  # nothing left: still required


# --------------------------------------------------------------------------- Django admin edit forms


def _admin_form(model, obj, **changes):
    """The admin's own change form for `obj`, posted with its current values and `changes`."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().post("/")
    request.user = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"), is_superuser=True)
    form_class = model_admin.get_form(request, obj, change=True)
    data = {}
    for bound in form_class(instance=obj):
        value = bound.value()
        if isinstance(bound.field, forms.JSONField) and not isinstance(value, str):
            value = json.dumps(value)
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.name] = "on"
            continue
        data[bound.name] = "" if value is None else value
    data.update(changes)
    return form_class(data, instance=obj)


ADMIN_TEXT = [
    (StandardReturnReason, "text"),
    (OptionItem, "label"),
    (IntegrityOption, "label"),
    (PenaltyKind, "name"),
    (CreditItem, "name"),
    (ReviewUnit, "name"),
]


@pytest.mark.parametrize(("model", "field"), ADMIN_TEXT, ids=[m.__name__ for m, _f in ADMIN_TEXT])
def test_admin_edit_forms_of_text_data_clean_and_refuse(settings, model, field):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if model is StandardReturnReason and not model.objects.exists():
        model.objects.create(text="证明材料不清晰", sort_order=1)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model.__name__} rows (data migration)"

    refused = _admin_form(model, obj, **{field: f"名{BIDI}称"})
    assert not refused.is_valid()
    assert DIRECTION in " ".join(refused.errors[field])

    cleaned = _admin_form(model, obj, **{field: "\u200b 新的\u00a0名称\t"})
    assert cleaned.is_valid(), cleaned.errors
    assert cleaned.cleaned_data[field] == "新的 名称"
