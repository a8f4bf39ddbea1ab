"""The review-unit picker in a real Chromium: htmx refresh under the CSP, and without JavaScript.

The page under test is defined here (a form with a ReviewUnitField rendered the way the
collection, change and phone-change forms render it); this module is its URLconf.
"""

import pytest
from django import forms
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path
from playwright.sync_api import expect

from e2e.helpers import wait_for_htmx
from regions.forms import ReviewUnitField
from regions.seeding import ensure_seeded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("e2e.test_regions")]

PAGE = Template(
    """{% extends "base.html" %}{% block head %}{{ form.media }}{% endblock %}
{% block content %}<form method="post" novalidate>{% csrf_token %}
<div class="mb-3"><label class="form-label" for="id_employer">工作单位</label>
<input type="text" name="employer" id="id_employer" class="form-control{% if form.employer.errors %} is-invalid{% endif %}"
 value="{{ form.employer.value|default:'' }}">{% if form.employer.errors %}<div class="invalid-feedback">{{ form.employer.errors.0 }}</div>{% endif %}</div>
{% include "regions/_unit_picker.html" with field=form.unit %}
<button type="submit" class="btn btn-primary">提交</button></form>
<p data-testid="chosen">{{ chosen }}</p>{% endblock %}"""
)


class PickerForm(forms.Form):
    employer = forms.CharField()
    unit = ReviewUnitField()


def picker_page(request):
    form = PickerForm(request.POST or None)
    chosen = form.cleaned_data["unit"].name if request.method == "POST" and form.is_valid() else ""
    return HttpResponse(PAGE.render(RequestContext(request, {"form": form, "chosen": chosen})))


urlpatterns = [
    path("picker-test/", picker_page),
    path("", include("config.urls")),
]


@pytest.fixture
def picker_url(live_server):
    ensure_seeded()  # transactional tests start from a flushed database
    return live_server.url + "/picker-test/"


def test_choosing_a_city_refreshes_the_units_through_htmx(page, picker_url, screenshot_dir):
    problems = []  # CSP violations and script errors (the missing favicon is not ours)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(picker_url)
    expect(page.get_by_text("会计人员信息采集实行属地化原则，请会计人员谨慎选择所在地行政区划")).to_be_visible()
    units = page.locator("#id_unit")
    expect(units.locator("optgroup")).to_have_count(14)

    page.select_option("#id_unit_city", "420100")
    expect(units.locator("optgroup")).to_have_count(0)
    expect(units.locator("option", has_text="江岸区")).to_have_count(1)
    expect(units.locator("option", has_text="黄石港区")).to_have_count(0)
    assert units.locator("option").nth(1).inner_text() == "武汉市市直"

    page.select_option("#id_unit", "420102")
    page.get_by_role("button", name="提交").click()
    # The employer is missing: both choices come back as they were.
    expect(page.locator("#id_employer")).to_have_class("form-control is-invalid")
    expect(page.locator("#id_unit_city")).to_have_value("420100")
    expect(page.locator("#id_unit")).to_have_value("420102")

    page.fill("#id_employer", "某公司")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("chosen")).to_have_text("江岸区")
    page.screenshot(path=str(screenshot_dir / "unit_picker.png"), full_page=True)
    assert problems == []


def test_picking_from_the_grouped_list_fills_in_the_city(page, picker_url):
    page.goto(picker_url)
    page.select_option("#id_unit", "429004")
    expect(page.locator("#id_unit_city")).to_have_value("420000")


def test_the_picker_works_without_javascript(browser, picker_url):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(picker_url)
    page.fill("#id_employer", "某公司")
    # No htmx: the city select changes nothing; a unit of another city is refused with a message...
    page.select_option("#id_unit_city", "420200")
    page.select_option("#id_unit", "420102")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("所选区县/管理部门不属于所选市州，请重新选择。")).to_be_visible()
    # ...and the second select now lists 黄石's units.
    expect(page.locator("#id_unit option", has_text="黄石港区")).to_have_count(1)
    page.select_option("#id_unit", "420202")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("chosen")).to_have_text("黄石港区")
    context.close()


def test_the_picker_fits_a_phone_width_screen(browser, picker_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(picker_url)
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_unit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_unit_picked_before_the_new_list_arrives_stays_picked(page, picker_url):
    """Quick hands: the county is chosen while the city's list is still on its way."""
    held = []
    page.route("**/regions/unit-options/**", lambda route: held.append(route))  # hold the htmx request
    page.goto(picker_url)
    page.select_option("#id_unit_city", "420100")
    while not held:
        page.wait_for_timeout(20)
    page.select_option("#id_unit", "420102")  # still the grouped list
    held[0].continue_()

    page.wait_for_function("() => !document.querySelector('#id_unit optgroup')")
    wait_for_htmx(page)
    expect(page.locator("#id_unit")).to_have_value("420102")
