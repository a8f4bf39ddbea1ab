"""Production settings pass Django's deployment checks (SECURITY.md)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": "k9$Qz!vB2@pL7#xR4^mN8&wT1*eY6(uJ3)hG5_fD0+cS-aZ-production-like-secret-value",
    "ALLOWED_HOSTS": "kjgl.czt.hubei.gov.cn",
    "DATABASE_URL": "postgres://hbkj@127.0.0.1:5432/hbkj",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_BACKEND": "aliyun",
    "SMS_ALIYUN_ACCESS_KEY_ID": "LTAI5tProductionLikeKeyId",
    "SMS_ALIYUN_ACCESS_KEY_SECRET": "production-like-access-key-secret",
    "SMS_TEMPLATE_CODES": (
        "verification_code=SMS_100001,application_approved=SMS_100002,application_returned=SMS_100003,"
        "phone_change_approved=SMS_100004,phone_changed_notice=SMS_100005"
    ),
}


def run_manage(*args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "CAPTCHA_TEST_MODE"}
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_an_sms_backend_that_reaches_no_phone():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env={"SMS_BACKEND": "console"})
    assert result.returncode != 0
    assert "notifications.E002" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_use_redis_for_cache_and_keep_tests_hooks_off():
    code = (
        "from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.CAPTCHA_TEST_MODE, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE)"
    )
    result = run_manage("shell", "-c", code, extra_env={"CAPTCHA_TEST_MODE": "1"})
    assert result.returncode == 0, result.stderr
    backend, flags = result.stdout.strip().splitlines()[-2:]
    assert backend == "django_redis.cache.RedisCache"
    assert flags == "False 31536000 True"
