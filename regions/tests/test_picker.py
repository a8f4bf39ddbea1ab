"""The unit picker: ReviewUnitField, its two selects and the htmx options endpoint."""

import re

import pytest
from django import forms
from django.urls import reverse

from regions.forms import ReviewUnitField
from regions.services import save_unit
from regions.tests.factories import unit

pytestmark = pytest.mark.django_db

OPTIONS_URL = reverse("regions:unit_options")


class WorkForm(forms.Form):
    employer = forms.CharField(label="工作单位")
    unit = ReviewUnitField()


def selected_options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', html)


def option_values(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', html)


def test_a_unit_of_the_chosen_city_is_the_cleaned_value():
    form = WorkForm({"employer": "某公司", "unit_city": "420100", "unit": "420102"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == unit("420102")


def test_a_unit_picked_from_the_grouped_list_without_a_city_is_accepted():
    form = WorkForm({"employer": "某公司", "unit": "429004"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"].name == "仙桃市"


def test_a_city_unit_itself_can_be_chosen():
    form = WorkForm({"employer": "某公司", "unit_city": "420100", "unit": "420100"})
    assert form.is_valid()
    assert form.cleaned_data["unit"].name == "武汉市市直"


def test_nothing_chosen_says_so_in_chinese():
    form = WorkForm({"employer": "某公司", "unit_city": "420100", "unit": ""})
    assert not form.is_valid()
    assert form.errors["unit"] == ["请选择区县/管理部门。"]


@pytest.mark.parametrize("code", ["999999", "420102'--", "<script>"])
def test_a_code_that_is_no_unit_gets_a_clear_chinese_error(code):
    form = WorkForm({"employer": "某公司", "unit": code})
    assert not form.is_valid()
    assert form.errors["unit"] == ["所选管理部门不存在或已停用，请重新选择。"]


def test_an_inactive_unit_cannot_be_chosen():
    jiangan = unit("420102")
    jiangan.is_active = False
    save_unit(unit=jiangan)
    form = WorkForm({"employer": "某公司", "unit": "420102"})
    assert not form.is_valid()
    assert form.errors["unit"] == ["所选管理部门不存在或已停用，请重新选择。"]


def test_a_tampered_city_code_gets_a_clear_chinese_error():
    form = WorkForm({"employer": "某公司", "unit_city": "420102", "unit": "420102"})
    assert not form.is_valid()
    assert form.errors["unit"] == ["所选管理部门不存在或已停用，请重新选择。"]


def test_a_unit_of_another_city_is_refused_and_the_new_city_units_are_shown():
    # Without JavaScript: the person switched the city to 黄石 and submitted a 武汉 unit.
    form = WorkForm({"employer": "某公司", "unit_city": "420200", "unit": "420102"})
    assert not form.is_valid()
    assert form.errors["unit"] == ["所选区县/管理部门不属于所选市州，请重新选择。"]
    html = str(form["unit"])
    assert selected_options(html) == ["420200"]
    assert "黄石港区" in html
    assert "江岸区" not in html


def test_a_bound_form_with_an_error_keeps_both_choices():
    form = WorkForm({"employer": "", "unit_city": "420100", "unit": "420102"})
    assert not form.is_valid()
    assert "unit" not in form.errors
    html = str(form["unit"])
    assert selected_options(html) == ["420100", "420102"]
    assert "<optgroup" not in html  # only 武汉's units, the city is known


def test_a_field_error_marks_both_selects_invalid():
    form = WorkForm({"employer": "x", "unit_city": "420100", "unit": ""})
    form.is_valid()
    html = str(form["unit"])
    assert html.count("is-invalid") == 2
    assert 'aria-invalid="true"' in html


def test_an_unbound_form_lists_every_unit_grouped_by_city():
    html = str(WorkForm()["unit"])
    assert html.count("<optgroup") == 14
    assert 'label="武汉市"' in html and 'label="恩施土家族苗族自治州"' in html
    assert len(option_values(html)) == 14 + 117  # first select: 14 top units; second: all units
    assert selected_options(html) == []


def test_an_initial_unit_preselects_its_city_and_itself():
    html = str(WorkForm(initial={"unit": unit("420102")})["unit"])
    assert selected_options(html) == ["420100", "420102"]
    by_pk = str(WorkForm(initial={"unit": unit("429004").pk})["unit"])
    assert selected_options(by_pk) == ["420000", "429004"]


def test_has_changed_compares_unit_codes():
    form = WorkForm({"employer": "x", "unit_city": "420100", "unit": "420102"}, initial={"unit": unit("420102")})
    assert not form["unit"]._has_changed()
    form = WorkForm({"employer": "x", "unit_city": "420100", "unit": "420103"}, initial={"unit": unit("420102")})
    assert form["unit"]._has_changed()


def test_the_picker_partial_shows_the_manual_warning_and_htmx_wiring(rf):
    from django.template import Context, Template

    form = WorkForm()
    html = Template('{% include "regions/_unit_picker.html" with field=form.unit %}').render(Context({"form": form}))
    assert "会计人员信息采集实行属地化原则，请会计人员谨慎选择所在地行政区划" in html
    assert f'hx-get="{OPTIONS_URL}"' in html
    assert 'hx-target="#id_unit"' in html
    assert 'name="unit_city"' in html and 'name="unit"' in html
    assert "仙桃市、潜江市、天门市、神农架林区请在市州中选择“湖北省省直”" in html
    assert "<script" not in html and "style=" not in html
    assert "regions/unit_picker.js" in str(form.media)


def test_rendering_the_picker_from_a_warm_cache_needs_no_query(django_assert_num_queries):
    str(WorkForm()["unit"])
    bound = WorkForm({"unit_city": "420100", "unit": "420102"})
    bound.is_valid()
    with django_assert_num_queries(0):
        str(WorkForm()["unit"])
        str(bound["unit"])


def test_cleaning_the_field_takes_one_query(django_assert_num_queries):
    str(WorkForm()["unit"])
    form = WorkForm({"employer": "x", "unit_city": "420100", "unit": "420102"})
    with django_assert_num_queries(1):
        assert form.is_valid()


def test_the_options_of_a_city_start_with_its_own_unit(client):
    response = client.get(OPTIONS_URL, {"city": "420100"})
    assert response.status_code == 200
    html = response.content.decode()
    assert option_values(html)[:2] == ["420100", "420102"]
    assert "武汉市市直" in html and "江岸区" in html
    assert "黄石港区" not in html
    assert html.lstrip().startswith('<option value="">请选择区县/管理部门</option>')


def test_the_options_of_the_province_are_its_directly_managed_units(client):
    html = client.get(OPTIONS_URL, {"city": "420000"}).content.decode()
    assert option_values(html) == ["420000", "429004", "429005", "429006", "429021"]


def test_without_a_city_the_options_come_grouped(client):
    html = client.get(OPTIONS_URL).content.decode()
    assert html.count("<optgroup") == 14
    assert len(option_values(html)) == 117


def test_an_unknown_city_answers_404(client):
    assert client.get(OPTIONS_URL, {"city": "999999"}).status_code == 404
    assert client.get(OPTIONS_URL, {"city": "420102"}).status_code == 404


def test_the_options_endpoint_is_public_cacheable_and_read_only(client):
    response = client.get(OPTIONS_URL, {"city": "420100"})
    assert "public" in response["Cache-Control"]
    assert client.post(OPTIONS_URL, {"city": "420100"}).status_code == 405


def test_the_options_endpoint_serves_from_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get(OPTIONS_URL, {"city": "420100"})
    with django_assert_num_queries(0):
        client.get(OPTIONS_URL, {"city": "420200"})
        client.get(OPTIONS_URL)
