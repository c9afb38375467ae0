"""Settings come from the environment with the defaults of the README's table."""

import json
import secrets
import sys

from shop.tests.subprocesses import child_env, manage, python_json, run

READ_SETTINGS = """
from django.conf import settings
result = {
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "REDIS_URL": settings.REDIS_URL,
    "SHOP_PAYMENT_GATEWAYS": settings.SHOP_PAYMENT_GATEWAYS,
    "ACCOUNT_EMAIL_VERIFICATION": settings.ACCOUNT_EMAIL_VERIFICATION,
    "THROTTLES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
    "SHOP_CURRENCY": settings.SHOP_CURRENCY,
    "TIME_ZONE": settings.TIME_ZONE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
}
"""

DEFAULT_THROTTLES = [
    "shop.throttling.AnonRateThrottle",
    "shop.throttling.UserRateThrottle",
]


def read_settings(**variables):
    return python_json(READ_SETTINGS, child_env(**variables))


def test_debug_mode_defaults_need_no_configuration():
    # What `make run` gives: DJANGO_DEBUG=1 and plain HTTP, nothing else set.
    env = child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0", DATABASE_URL=None)

    assert python_json(READ_SETTINGS, env) == {
        "DEBUG": True,
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "testserver"],
        "DATABASE_ENGINE": "django.db.backends.sqlite3",
        "REDIS_URL": "",
        "SHOP_PAYMENT_GATEWAYS": ["dummy"],
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        "THROTTLES": DEFAULT_THROTTLES,
        "SHOP_CURRENCY": "CNY",
        "TIME_ZONE": "Asia/Shanghai",
        "SECURE_SSL_REDIRECT": False,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def test_production_defaults_name_no_sandbox_gateway_and_force_https():
    result = read_settings(DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                           DJANGO_ALLOWED_HOSTS="shop.example.com,www.shop.example.com")

    assert result["DEBUG"] is False
    assert result["ALLOWED_HOSTS"] == ["shop.example.com", "www.shop.example.com"]
    assert result["SHOP_PAYMENT_GATEWAYS"] == []
    assert result["SECURE_SSL_REDIRECT"] is True
    assert result["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_shop_api_throttles_off_removes_the_throttle_classes():
    result = read_settings(SHOP_TESTING="1", SHOP_API_THROTTLES="off")

    assert result["THROTTLES"] == []


def test_api_throttles_are_on_by_default():
    assert read_settings(SHOP_TESTING="1")["THROTTLES"] == DEFAULT_THROTTLES


def test_an_unknown_email_verification_mode_refuses_to_start():
    completed = manage("check", env=child_env(SHOP_TESTING="1", SHOP_EMAIL_VERIFICATION="maybe"))

    assert completed.returncode != 0
    assert completed.stderr.strip() == (
        "shop: refusing to start: SHOP_EMAIL_VERIFICATION must be mandatory, optional or none"
    )



# pytest is imported before the settings, as by a tool that runs beside the tests: that alone
# must not switch the shop into test mode.
READ_TEST_MODE = """
import json, pytest, django
django.setup()
from django.conf import settings
print(json.dumps([settings.TESTING, settings.EMAIL_BACKEND]))
"""


def read_test_mode(env) -> list:
    completed = run([sys.executable, "-c", READ_TEST_MODE], env=env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_test_mode_comes_from_the_test_settings_not_from_an_imported_pytest():
    plain = read_test_mode(child_env(DJANGO_DEBUG="1"))
    under_test = read_test_mode(child_env(DJANGO_SETTINGS_MODULE="shop.settings_test"))

    assert plain == [False, "django.core.mail.backends.console.EmailBackend"]
    assert under_test == [True, "django.core.mail.backends.locmem.EmailBackend"]
