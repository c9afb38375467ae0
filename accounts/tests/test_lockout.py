"""django-axes locks an account for one client address, on every login door alike."""

import logging

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def page_login(client, email, password, address="127.0.0.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=address)


def admin_login(client, email, password, address="127.0.0.1"):
    return client.post(reverse("admin:login"), {"username": email, "password": password,
                                                "next": "/admin/"}, REMOTE_ADDR=address)


def token_request(client, email, password, address="127.0.0.1"):
    return APIClient().post(TOKEN, {"email": email, "password": password}, format="json",
                            REMOTE_ADDR=address)


def logged_in(door, response, client) -> bool:
    if door == "token":
        return response.status_code == 200
    return response.status_code == 302 and "_auth_user_id" in client.session


DOORS = {"page": page_login, "admin": admin_login, "token": token_request}


def assert_locked(response):
    assert response.status_code == 429
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["code"] == "account_locked"
    else:
        assert "locked" in response.content.decode().lower()


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.mark.parametrize("failing_door", DOORS)
@pytest.mark.parametrize("door", DOORS)
def test_after_the_failure_limit_the_right_password_is_refused_everywhere(
    client, limit, failing_door, door
):
    user = StaffFactory(email="locked@example.com", is_superuser=True)
    for _ in range(limit - 1):
        assert DOORS[failing_door](client, user.email, "wrong-password").status_code != 429
    # The failure that reaches the limit is itself answered as a lockout.
    assert_locked(DOORS[failing_door](client, user.email, "wrong-password"))

    assert_locked(DOORS[door](client, "LOCKED@example.com", PASSWORD))
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them(client, limit):
    user = UserFactory(email="ok@example.com")
    for _ in range(limit - 1):
        token_request(client, user.email, "wrong-password")
    assert token_request(client, user.email, PASSWORD).status_code == 200
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()
    for _ in range(limit - 1):
        token_request(client, user.email, "wrong-password")
    assert page_login(client, user.email, PASSWORD).status_code == 302


def test_a_locked_account_does_not_lock_out_another_account(client, limit):
    UserFactory(email="victim@example.com")
    other = UserFactory(email="other@example.com")
    for _ in range(limit):
        token_request(client, "victim@example.com", "wrong-password")
    assert token_request(client, other.email, PASSWORD).status_code == 200


def test_the_failure_limit_is_ten(settings):
    assert settings.AXES_FAILURE_LIMIT == 10


@pytest.mark.parametrize("failing_door", DOORS)
def test_ten_failures_lock_that_address_out_while_the_owner_elsewhere_logs_in(
    client, failing_door
):
    user = StaffFactory(email="owner@example.com", is_superuser=True)
    for _ in range(9):
        answer = DOORS[failing_door](client, user.email, "wrong-password", ATTACKER)
        assert answer.status_code != 429
    assert_locked(DOORS[failing_door](client, user.email, "wrong-password", ATTACKER))

    for login in DOORS.values():
        assert_locked(login(client, user.email, PASSWORD, ATTACKER))
    for door, login in DOORS.items():
        client.logout()
        assert logged_in(door, login(client, user.email, PASSWORD, OWNER), client), door


# --- The alarm for staff accounts -------------------------------------------------------


@pytest.fixture
def superusers():
    return [StaffFactory(email="root@example.com", is_superuser=True),
            StaffFactory(email="boss@example.com", is_superuser=True)]


def alarms():
    return [m for m in mail.outbox if "Failed logins on staff account" in m.subject]


def test_a_staff_account_reaching_the_limit_logs_a_warning_and_emails_the_superusers(
    client, caplog, superusers
):
    staff = StaffFactory(email="clerk@example.com")
    with caplog.at_level(logging.WARNING, logger="accounts.services"):
        for _ in range(10):
            token_request(client, staff.email, "wrong-password", ATTACKER)

    warnings = [r for r in caplog.records if r.name == "accounts.services"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "clerk@example.com" in warnings[0].getMessage()
    [alarm] = alarms()
    assert sorted(alarm.to) == ["boss@example.com", "root@example.com"]
    assert "clerk@example.com" in alarm.subject


def test_failures_spread_over_many_addresses_still_raise_the_staff_alarm(client, superusers):
    staff = StaffFactory(email="clerk@example.com")
    for i in range(10):
        answer = token_request(client, staff.email, "wrong-password", f"192.0.2.{i}")
        assert answer.status_code == 400  # no address reached the limit: no lockout

    assert len(alarms()) == 1


def test_attempts_refused_during_a_lockout_do_not_repeat_the_alarm(client, superusers):
    staff = StaffFactory(email="clerk@example.com")
    for _ in range(13):
        token_request(client, staff.email, "wrong-password", ATTACKER)

    assert len(alarms()) == 1


def test_failures_on_a_shopper_account_raise_no_alarm(client, superusers):
    shopper = UserFactory(email="shopper@example.com")
    for _ in range(10):
        token_request(client, shopper.email, "wrong-password", ATTACKER)

    assert alarms() == []
