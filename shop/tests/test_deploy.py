"""Start-up with debug off: refuse without the required variables or with unsafe ones;
`check --deploy` is clean."""

import secrets

import pytest

from shop.tests.subprocesses import child_env, manage, python_json

HOSTS = "shop.example.com"


def production_env(**overrides):
    # token_urlsafe(50): 67 characters of a wide alphabet (W009 wants 50+, 5+ distinct).
    variables = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": HOSTS}
    return child_env(**(variables | overrides))


def test_check_deploy_reports_nothing_with_debug_off_and_the_required_variables():
    completed = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout
    assert "WARNING" not in completed.stderr + completed.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    # Proves the check above can fail: a short key is a deploy warning (security.W009).
    completed = manage("check", "--deploy", "--fail-level", "WARNING",
                       env=production_env(DJANGO_SECRET_KEY="short"))

    assert completed.returncode != 0
    assert "security.W009" in completed.stderr + completed.stdout


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is not set"),
    ],
)
def test_start_up_refuses_with_a_one_line_reason_when_a_required_variable_is_missing(missing,
                                                                                     reason):
    completed = manage("check", env=production_env(**{missing: None}))

    assert completed.returncode != 0
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("shop: refusing to start: ")
    assert reason in lines[0]


def assert_refused_with(completed, reason: str):
    assert completed.returncode != 0
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("shop: refusing to start: ")
    assert reason in lines[0]


def test_start_up_refuses_the_console_email_backend_with_debug_off():
    completed = manage("check", env=production_env(
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"))

    assert_refused_with(completed, "DJANGO_EMAIL_BACKEND is the console backend")


def test_start_up_refuses_the_dummy_gateway_without_its_own_secret():
    completed = manage("check", env=production_env(SHOP_PAYMENT_GATEWAYS="dummy"))

    assert_refused_with(completed, "SHOP_DUMMY_GATEWAY_SECRET is not set")


def test_the_dummy_gateway_signs_with_its_own_secret_never_the_secret_key():
    secret = secrets.token_urlsafe(32)
    env = production_env(SHOP_PAYMENT_GATEWAYS="dummy", SHOP_DUMMY_GATEWAY_SECRET=secret)

    assert manage("check", env=env).returncode == 0
    assert python_json("from django.conf import settings\n"
                       "result = [settings.SHOP_DUMMY_GATEWAY_SECRET, settings.SECRET_KEY]",
                       env) == [secret, env["DJANGO_SECRET_KEY"]]
    debug = python_json("from django.conf import settings\n"
                        "result = settings.SHOP_DUMMY_GATEWAY_SECRET != settings.SECRET_KEY",
                        child_env(DJANGO_DEBUG="1", DJANGO_SECRET_KEY=secrets.token_urlsafe(50)))
    assert debug is True


def test_debug_off_sends_email_over_smtp_configured_from_the_environment():
    settings = python_json(
        "from django.conf import settings\n"
        "result = [settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,\n"
        "          settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD, settings.EMAIL_USE_TLS]",
        production_env(DJANGO_EMAIL_HOST="smtp.example.com", DJANGO_EMAIL_PORT="587",
                       DJANGO_EMAIL_HOST_USER="shop", DJANGO_EMAIL_HOST_PASSWORD="pw",
                       DJANGO_EMAIL_USE_TLS="1"),
    )

    assert settings == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.com", 587,
                        "shop", "pw", True]


def test_debug_off_turns_on_https_redirect_hsts_and_secure_cookies():
    completed = manage("diffsettings", "--all", env=production_env())

    assert completed.returncode == 0, completed.stderr
    settings = completed.stdout
    for line in [
        "SECURE_SSL_REDIRECT = True",
        "SECURE_HSTS_SECONDS = 31536000",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "DEBUG = False",
    ]:
        assert line in settings


def test_django_secure_off_allows_a_plain_http_local_run():
    completed = manage("diffsettings", "--all", env=production_env(DJANGO_SECURE="0"))

    assert completed.returncode == 0, completed.stderr
    assert "SECURE_SSL_REDIRECT = False" in completed.stdout
    assert "SESSION_COOKIE_SECURE = False" in completed.stdout
