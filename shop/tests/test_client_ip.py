"""One client address behind proxies (SHOP_TRUSTED_PROXIES) for DRF, allauth and django-axes."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from shop import throttling
from shop.net import client_ip

TOKEN = "/api/v1/auth/token/"
CLIENT = "203.0.113.5"
OTHER_CLIENT = "198.51.100.7"
PROXY = "10.0.0.2"  # the balancer in front of the shop: REMOTE_ADDR of every request


def request_with(xff=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


# --- The helper -------------------------------------------------------------------------


def test_with_no_trusted_proxy_the_header_is_ignored(settings):
    settings.SHOP_TRUSTED_PROXIES = 0

    assert client_ip(request_with(f"1.2.3.4, {CLIENT}")) == PROXY


@pytest.mark.parametrize(("trusted", "xff", "expected"), [
    (1, CLIENT, CLIENT),
    (1, f"6.6.6.6, {CLIENT}", CLIENT),
    (1, f"  6.6.6.6 ,not-an-ip,  {CLIENT} ", CLIENT),
    (2, f"6.6.6.6, {CLIENT}, 10.0.0.1", CLIENT),
    (1, "2001:db8::1", "2001:db8::1"),
    # Fewer entries than proxies: the request did not come through them.
    (2, CLIENT, PROXY),
    # Whatever the proxy wrote is no address: not trusted.
    (1, "6.6.6.6, garbage", PROXY),
    (1, "", PROXY),
])
def test_the_client_is_the_entry_the_outermost_trusted_proxy_wrote(settings, trusted, xff,
                                                                    expected):
    settings.SHOP_TRUSTED_PROXIES = trusted

    assert client_ip(request_with(xff)) == expected


def test_without_a_header_the_peer_is_the_client(settings):
    settings.SHOP_TRUSTED_PROXIES = 1

    assert client_ip(request_with(None, remote=CLIENT)) == CLIENT


# --- DRF: the token throttle ------------------------------------------------------------


@pytest.fixture
def token_budget(monkeypatch):
    monkeypatch.setattr(throttling.ScopedRateThrottle, "THROTTLE_RATES",
                        {"token": "3/minute", "signup": "3/minute"})
    return 3


def token_attempt(xff, remote=PROXY):
    # An empty body: a 400 that still spends the budget, and no account gets locked.
    return APIClient().post(TOKEN, {}, format="json", REMOTE_ADDR=remote,
                            HTTP_X_FORWARDED_FOR=xff)


def assert_throttled(response):
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


@pytest.mark.django_db
def test_with_no_trusted_proxy_a_changing_forwarded_for_does_not_reset_the_token_throttle(
    settings, token_budget
):
    settings.SHOP_TRUSTED_PROXIES = 0
    for i in range(token_budget):
        assert token_attempt(f"192.0.2.{i}").status_code == 400

    assert_throttled(token_attempt("192.0.2.99"))


@pytest.mark.django_db
def test_with_one_trusted_proxy_the_token_throttle_keys_on_the_last_entry(settings,
                                                                         token_budget):
    settings.SHOP_TRUSTED_PROXIES = 1
    for i in range(token_budget):
        assert token_attempt(f"192.0.2.{i}, {CLIENT}").status_code == 400

    # A fake entry the client prepends changes nothing...
    assert_throttled(token_attempt(f"192.0.2.99, {CLIENT}"))
    assert_throttled(token_attempt(CLIENT))
    # ...while another client behind the same balancer has its own budget.
    assert token_attempt(OTHER_CLIENT).status_code == 400


@pytest.mark.django_db
def test_the_anonymous_rate_keys_on_the_client_address_too(settings, monkeypatch):
    settings.SHOP_TRUSTED_PROXIES = 1
    monkeypatch.setattr(throttling.AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute",
                                                                        "user": "100/minute"})
    api = APIClient()
    codes = [api.get("/api/v1/categories/", REMOTE_ADDR=PROXY,
                     HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {CLIENT}").status_code
             for i in range(3)]
    other = api.get("/api/v1/categories/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)

    assert codes == [200, 200, 429]
    assert other.status_code == 200


# --- allauth: its page rate limits ------------------------------------------------------


def reset_request(client, xff):
    return client.post(reverse("account_reset_password"), {"email": "nobody@example.com"},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


@pytest.fixture
def reset_budget(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": False, "reset_password": "2/m/ip"}
    return 2


@pytest.mark.django_db
def test_allauth_limits_ignore_the_header_with_no_trusted_proxy(client, settings, reset_budget):
    settings.SHOP_TRUSTED_PROXIES = 0
    for i in range(reset_budget):
        assert reset_request(client, f"192.0.2.{i}").status_code == 302

    assert reset_request(client, "192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_allauth_limits_key_on_the_last_entry_with_one_trusted_proxy(client, settings,
                                                                    reset_budget):
    settings.SHOP_TRUSTED_PROXIES = 1
    for i in range(reset_budget):
        assert reset_request(client, f"192.0.2.{i}, {CLIENT}").status_code == 302

    assert reset_request(client, f"192.0.2.99, {CLIENT}").status_code == 429
    # Behind one balancer, one client's limit is not everyone's.
    assert reset_request(client, OTHER_CLIENT).status_code == 302


# --- django-axes: the lockout -----------------------------------------------------------


def wrong_token_request(email, xff):
    return APIClient().post(TOKEN, {"email": email, "password": "wrong-password"},
                            format="json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


def right_token_request(email, xff):
    return APIClient().post(TOKEN, {"email": email, "password": PASSWORD},
                            format="json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


@pytest.mark.django_db
def test_axes_locks_the_last_entry_whatever_the_client_prepends(settings):
    settings.SHOP_TRUSTED_PROXIES = 1
    user = UserFactory()
    limit = settings.AXES_FAILURE_LIMIT
    answers = [wrong_token_request(user.email, f"192.0.2.{i}, {CLIENT}").status_code
               for i in range(limit)]

    assert answers == [400] * (limit - 1) + [429]
    locked = right_token_request(user.email, f"192.0.2.200, {CLIENT}")
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    assert right_token_request(user.email, OTHER_CLIENT).status_code == 200


@pytest.mark.django_db
def test_axes_ignores_the_header_with_no_trusted_proxy(settings):
    settings.SHOP_TRUSTED_PROXIES = 0
    user = UserFactory()
    for i in range(settings.AXES_FAILURE_LIMIT):
        wrong_token_request(user.email, f"192.0.2.{i}")

    # Every request came from the balancer's address: a new header is no new client.
    assert right_token_request(user.email, OTHER_CLIENT).status_code == 429
