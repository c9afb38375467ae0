"""django-axes locks an account on every login door alike."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def page_login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def admin_login(client, email, password):
    return client.post(reverse("admin:login"), {"username": email, "password": password,
                                                "next": "/admin/"})


def token_request(client, email, password):
    return APIClient().post(TOKEN, {"email": email, "password": password}, format="json")


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
