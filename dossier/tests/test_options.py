import importlib

import pytest
from django.urls import reverse

from dossier.constants import OptionList
from dossier.forms import QualificationForm
from dossier.models import OptionItem
from dossier.options import active_choices, items_from_file, label_for, load_option_items
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit

pytestmark = pytest.mark.django_db


def values(list_key):
    return [value for value, _label in active_choices(list_key)]


def test_every_list_of_the_forms_is_loaded_from_the_data_file():
    expected = items_from_file()
    assert set(expected) == set(OptionList.values)
    for list_key, items in expected.items():
        assert values(list_key) == items, list_key


def test_ethnic_groups_are_the_56_of_gb_3304_in_its_order_then_other_and_foreign_origin():
    ethnicities = values(OptionList.ETHNICITY)
    assert len(ethnicities) == 58
    assert ethnicities[:3] == ["汉族", "蒙古族", "回族"]
    assert ethnicities[55] == "基诺族"
    assert ethnicities[56:] == ["其他", "外国血统中国籍人士"]


def test_education_levels_are_those_of_the_domain_with_no_education_last():
    assert values(OptionList.EDUCATION_LEVEL) == [
        "博士研究生",
        "硕士研究生",
        "大学本科",
        "大学专科",
        "中专",
        "高中",
        "初中及以下",
        "无学历",
    ]


def test_lists_where_the_manual_asks_for_none_offer_it():
    for list_key in (
        OptionList.QUALIFICATION_TYPE,
        OptionList.QUALIFICATION_LEVEL,
        OptionList.ADMIN_POST,
        OptionList.ABACUS_LEVEL,
        OptionList.HIGH_END_TALENT,
    ):
        assert values(list_key)[0] == "无", list_key
    assert "无" not in values(OptionList.UNIT_NATURE)
    assert values(OptionList.ADMIN_POST) == [
        "无",
        "一般会计人员",
        "会计主管人员",
        "会计机构负责人",
        "总会计师",
        "财务总监",
        "其他",
    ]
    assert len(values(OptionList.ACCOUNTING_POST)) == 9


def test_an_item_switched_off_is_neither_offered_nor_accepted():
    item = OptionItem.objects.get(list_key=OptionList.ABACUS_LEVEL, value="能手一级")
    item.is_active = False
    item.save()

    form = QualificationForm.base_fields["abacus_level"]
    assert "能手一级" not in [value for value, _ in form.choices]
    assert not form.valid_value("能手一级")
    assert label_for(OptionList.ABACUS_LEVEL, "能手一级") == "能手一级"  # old records still read


def test_a_corrected_label_is_shown_at_once_while_the_stored_value_stays():
    assert active_choices(OptionList.POLITICAL_STATUS)  # warms the cache
    item = OptionItem.objects.get(list_key=OptionList.POLITICAL_STATUS, value="群众")
    item.label = "群众（无党派）"
    item.save()
    assert ("群众", "群众（无党派）") in active_choices(OptionList.POLITICAL_STATUS)


def test_loading_the_file_again_adds_nothing_and_keeps_edited_labels():
    OptionItem.objects.filter(list_key=OptionList.STUDY_MODE, value="全日制").update(label="全日制（脱产）")
    assert load_option_items(OptionItem) == 0
    assert OptionItem.objects.get(list_key=OptionList.STUDY_MODE, value="全日制").label == "全日制（脱产）"


def test_administrators_edit_the_lists_in_the_admin(client, login_staff):
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    response = login_staff(client, admin).get(reverse("admin:dossier_optionitem_changelist") + "?list_key=ethnicity")
    assert response.status_code == 200
    assert "土家族" in response.content.decode()


def test_accounting_title_offers_the_manuals_none_while_old_answers_keep_reading():
    from django.apps import apps as global_apps

    title = OptionList.ACCOUNTING_TITLE
    assert ("无职务", "无") in active_choices(title)
    assert "无职务" not in [label for _value, label in active_choices(title)]
    assert label_for(title, "无职务") == "无"  # a dossier holding the old value reads 无
    form = QualificationForm.base_fields["accounting_title"]
    assert form.valid_value("无职务")

    migration = importlib.import_module("dossier.migrations.0004_accounting_title_none_label")
    migration.unrelabel(global_apps, None)
    assert label_for(title, "无职务") == "无职务"
    migration.relabel(global_apps, None)
    assert label_for(title, "无职务") == "无"


def test_the_relabelling_migration_keeps_a_label_an_administrator_chose():
    from django.apps import apps as global_apps

    OptionItem.objects.filter(list_key=OptionList.ACCOUNTING_TITLE, value="无职务").update(label="暂无职务")
    importlib.import_module("dossier.migrations.0004_accounting_title_none_label").relabel(global_apps, None)
    assert label_for(OptionList.ACCOUNTING_TITLE, "无职务") == "暂无职务"
