"""The honour lists and penalty kinds are data administrators edit; the person's integrity record as a
partial template and a template tag for other pages (信息查询)."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from integrity.constants import BanRule
from integrity.forms import HonourForm
from integrity.models import IntegrityOption, NegativeRecord, PenaltyKind
from integrity.options import items_from_file, load_integrity_data, penalty_kinds_from_file
from integrity.selectors import records_for_person

from .factories import CRIMINAL, honour, negative_record, penalty

pytestmark = pytest.mark.django_db


def test_the_data_files_copy_the_shared_honour_lists():
    lists = items_from_file()
    assert lists["honour_name"][0] == "全国先进会计工作者"
    assert lists["honour_name"][-1] == "其他表彰奖励"
    assert lists["honour_level"] == ["国家级", "省部级", "地市级", "县区级", "其他"]
    assert [kind["ban_rule"] for kind in penalty_kinds_from_file()][:2] == ["years", "permanent"]


def test_the_migration_loaded_the_lists_and_loading_again_adds_nothing():
    assert IntegrityOption.objects.filter(list_key="honour_name").count() == 7
    assert IntegrityOption.objects.filter(list_key="honour_level").count() == 5
    assert list(IntegrityOption.objects.filter(asks_for_name=True).values_list("value", flat=True)) == ["其他表彰奖励"]
    assert PenaltyKind.objects.get(name="行政处罚（违反《会计法》）").ban_years == 5
    assert PenaltyKind.objects.get(name=CRIMINAL).ban_rule == BanRule.PERMANENT
    assert load_integrity_data(IntegrityOption, PenaltyKind) == 0


def test_an_edited_label_and_a_switched_off_item_show_in_the_form_at_once():
    HonourForm()  # warms the cache
    item = IntegrityOption.objects.get(list_key="honour_name", value="国际化高端会计人才")
    item.is_active = False
    item.save()
    level = IntegrityOption.objects.get(list_key="honour_level", value="地市级")
    level.label = "地市级（含州）"
    level.save()
    form = HonourForm()
    assert "国际化高端会计人才" not in dict(form.fields["name_choice"].choices)
    assert dict(form.fields["level"].choices)["地市级"] == "地市级（含州）"


def test_a_bar_for_years_needs_its_years():
    kind = PenaltyKind(name="测试", ban_rule=BanRule.YEARS)
    with pytest.raises(ValidationError):
        kind.full_clean()
    kind = PenaltyKind(name="测试", ban_rule=BanRule.NONE, ban_years=3)
    with pytest.raises(ValidationError):
        kind.full_clean()


def test_the_admin_shows_negative_records_read_only():
    admin = site._registry[NegativeRecord]
    assert not admin.has_add_permission(None)
    assert not admin.has_change_permission(None)
    assert not admin.has_delete_permission(None)
    assert IntegrityOption in site._registry and PenaltyKind in site._registry


def test_the_partial_shows_honours_and_negative_records_with_the_bar(person, jiangan):
    honour(person, state="approved", name_choice="全国先进会计工作者", level="国家级")
    negative_record(person, actor=jiangan, decision_date=datetime.date(2024, 5, 10))
    negative_record(
        person,
        actor=jiangan,
        penalty_kind=penalty(CRIMINAL),
        decision_date=datetime.date(2020, 1, 1),
        period_start=datetime.date(2020, 1, 1),
        is_permanent=True,
        period_end=None,
    )
    html = render_to_string("integrity/_person_records.html", {"integrity_records": records_for_person(person)})
    assert "全国先进会计工作者" in html and "国家级" in html
    assert "禁止从事会计工作至 2029-05-10" in html
    assert "终身不得从事会计工作" in html
    assert "自 2020-01-01 起，永久" in html
    assert "2024-05-10 至 2029-05-10" in html


def test_the_partial_says_when_there_is_nothing(person):
    html = render_to_string("integrity/_person_records.html", {"integrity_records": records_for_person(person)})
    assert "暂无诚信记录" in html


def test_the_template_tag_renders_a_persons_record_in_three_queries(person, jiangan, django_assert_num_queries):
    honour(person, state="approved")
    negative_record(person, actor=jiangan)
    template = Template("{% load integrity %}{% person_integrity_records person %}")
    with django_assert_num_queries(3):
        html = template.render(Context({"person": person}))
    assert 'data-testid="integrity-honour"' in html
    assert 'data-testid="integrity-negative"' in html


def test_the_honour_form_script_is_served(client):
    response = client.get("/static/integrity/integrity.js")
    assert response.status_code == 200
    assert reverse("integrity:index") == "/integrity/"


def test_the_information_query_page_shows_the_persons_integrity_record(client, person, jiangan):
    honour(person, state="approved", name_choice="全国先进会计工作者", level="国家级")
    negative_record(person, actor=jiangan, decision_date=datetime.date(2024, 5, 10))
    client.force_login(person)

    page = client.get(reverse("dossier:record")).content.decode()

    assert 'data-testid="person-integrity"' in page
    assert "全国先进会计工作者" in page
    assert "禁止从事会计工作至 2029-05-10" in page
