"""notifications.hooks: what apps above notifications add to its pages, without notifications importing them."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.safestring import mark_safe

from identity import notification_hooks
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from notifications import hooks

pytestmark = pytest.mark.django_db


def test_identity_registers_its_panel_and_the_guard_when_the_project_starts():
    assert notification_hooks.demo_totp_codes_panel in hooks._dev_outbox_panels
    assert hooks._system_admin_guards == [notification_hooks.system_admin_required]


def test_panels_render_in_the_order_registered_and_a_second_registration_is_ignored(monkeypatch):
    monkeypatch.setattr(hooks, "_dev_outbox_panels", [])

    def first(request):
        return mark_safe("<p>first</p>")

    def second(request):
        return mark_safe("<p>second</p>")

    hooks.register_dev_outbox_panel(first)
    hooks.register_dev_outbox_panel(second)
    hooks.register_dev_outbox_panel(first)

    assert hooks.dev_outbox_panels(RequestFactory().get("/")) == ["<p>first</p>", "<p>second</p>"]


def test_the_outbox_shows_every_registered_panel(client, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(
        hooks, "_dev_outbox_panels", [lambda request: mark_safe('<p data-testid="extra-panel">额外</p>')]
    )

    text = client.get(reverse("notifications:dev_outbox")).content.decode()

    assert '<p data-testid="extra-panel">额外</p>' in text
    assert 'data-testid="demo-totp"' not in text


def test_without_a_registered_guard_the_failed_sms_pages_are_404_even_for_the_system_administrator(
    client, login_staff, settings, monkeypatch
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = login_staff(client, StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000")))
    assert admin.get(reverse("notifications:failed_list")).status_code == 200

    monkeypatch.setattr(hooks, "_system_admin_guards", [])

    assert admin.get(reverse("notifications:failed_list")).status_code == 404


def test_the_guard_registered_last_decides():
    calls = []

    def open_guard(view):
        def guarded(request, *args, **kwargs):
            calls.append("open")
            return view(request, *args, **kwargs)

        return guarded

    previous = list(hooks._system_admin_guards)
    try:
        hooks.register_system_admin_guard(open_guard)
        view = hooks.system_admin_required(lambda request: HttpResponse("ok"))
        assert view(RequestFactory().get("/")).content == b"ok"
    finally:
        hooks._system_admin_guards[:] = previous
    assert calls == ["open"]
