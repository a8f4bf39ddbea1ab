"""The message registry: every SMS is a template key plus parameters, rendered with the signature."""

import pytest

from notifications.messages import SmsMessage, all_templates, get_template, register_template, render


def test_a_message_reads_in_chinese_with_the_signature(settings):
    settings.SMS_SIGN_NAME = "湖北省会计人员管理系统"
    text = SmsMessage(phone="13800000000", template="verification_code", params={"code": "123456", "minutes": 5}).text
    assert text.startswith("【湖北省会计人员管理系统】")
    assert "123456" in text and "5" in text


def test_the_signature_comes_from_settings(settings):
    settings.SMS_SIGN_NAME = "测试签名"
    assert render("phone_change_approved", {}).startswith("【测试签名】")


def test_rendering_is_chinese_whatever_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        text = render("application_approved", {"label": "信息采集"})
    assert "信息采集" in text
    assert "approved" not in text


def test_a_missing_parameter_is_an_error_not_a_blank():
    with pytest.raises(ValueError, match="reason"):
        render("application_returned", {"label": "信息采集"})


def test_an_unknown_template_is_an_error():
    with pytest.raises(ValueError, match="no_such"):
        get_template("no_such")


def test_a_key_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="twice"):
        register_template("verification_code", "x")


def test_parameter_names_are_declared_in_order_for_numbered_templates():
    templates = all_templates()
    assert templates["verification_code"].params == ("code", "minutes")
    assert templates["application_returned"].params == ("label", "reason")
    assert templates["phone_changed_notice"].params == ("phone", "unit")
    for template in templates.values():
        for name in template.params:
            assert f"%({name})s" in str(template.body), (template.key, name)
