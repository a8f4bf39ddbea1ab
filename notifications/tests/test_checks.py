"""`check --deploy` refuses an SMS set-up that cannot reach real phones; plain `check` leaves tests and
development alone."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from notifications.checks import check_sms_backend

from .provider_helpers import ALIYUN_CODES, TENCENT_CODES, use_aliyun, use_tencent


def ids(errors) -> list[str]:
    return [error.id for error in errors]


@pytest.mark.parametrize("backend", ["console", "locmem"])
def test_a_development_backend_is_refused_with_debug_off(settings, backend):
    settings.DEBUG, settings.SMS_BACKEND = False, backend
    assert ids(check_sms_backend()) == ["notifications.E002"]


def test_the_console_backend_is_fine_with_debug_on(settings):
    settings.DEBUG, settings.SMS_BACKEND = True, "console"
    assert check_sms_backend() == []


def test_an_unknown_backend_is_refused(settings):
    settings.SMS_BACKEND = "aliyn"
    [error] = check_sms_backend()
    assert error.id == "notifications.E001"
    assert "aliyun" in error.hint and "tencent" in error.hint


def test_a_complete_provider_set_up_passes(settings):
    use_aliyun(settings, "")
    assert check_sms_backend() == []
    use_tencent(settings, "")
    assert check_sms_backend() == []


def test_missing_credentials_are_named(settings):
    use_aliyun(settings, "")
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    [error] = check_sms_backend()
    assert error.id == "notifications.E003"
    assert "SMS_ALIYUN_ACCESS_KEY_SECRET" in error.msg
    use_tencent(settings, "")
    settings.SMS_TENCENT_SECRET_ID = settings.SMS_TENCENT_SDK_APP_ID = ""
    errors = check_sms_backend()
    assert ids(errors) == ["notifications.E003", "notifications.E003"]
    assert "SMS_TENCENT_SECRET_ID" in errors[0].msg and "SMS_TENCENT_SDK_APP_ID" in errors[1].msg


def test_every_message_needs_a_provider_template_code(settings):
    use_aliyun(settings, "")
    settings.SMS_TEMPLATES = {
        k: v for k, v in ALIYUN_CODES.items() if k not in ("application_returned", "phone_changed_notice")
    }
    [error] = check_sms_backend()
    assert error.id == "notifications.E004"
    assert "application_returned, phone_changed_notice" in error.msg
    use_tencent(settings, "")
    settings.SMS_TEMPLATES = {**TENCENT_CODES, "verification_code": ""}
    assert "verification_code" in check_sms_backend()[0].msg


def test_the_check_runs_with_deploy_only(settings):
    settings.DEBUG, settings.SMS_BACKEND = False, "locmem"  # as the test suite runs
    call_command("check")  # no error: tests and development are not affected
    with pytest.raises(SystemCheckError, match="notifications.E002"):
        call_command("check", "--deploy", "--tag", "sms")


def test_template_codes_come_from_one_environment_variable(monkeypatch):
    import environ

    monkeypatch.setenv("SMS_TEMPLATE_CODES", "verification_code=SMS_1,application_approved=SMS_2")
    assert environ.Env().dict("SMS_TEMPLATE_CODES", default={}) == {
        "verification_code": "SMS_1",
        "application_approved": "SMS_2",
    }
