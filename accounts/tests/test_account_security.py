"""A stolen session is not enough to take an account over: reauthentication and notices."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


def page_login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def add_email(client, email):
    return client.post(reverse("account_email"), {"action_add": "", "email": email})


def test_adding_an_email_in_a_session_that_is_not_fresh_asks_for_the_password_again(client):
    user = UserFactory(email="owner@example.com")
    page_login(client, user)

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = add_email(client, "thief@example.com")

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        assert not EmailAddress.objects.filter(email="thief@example.com").exists()

        page = client.get(response["Location"])
        assert page.status_code == 200
        assert 'name="password"' in page.content.decode()
        reauthenticated = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert reauthenticated.status_code == 302
        assert add_email(client, "second@example.com").status_code == 302
    assert EmailAddress.objects.filter(user=user, email="second@example.com").exists()


def test_making_another_email_primary_asks_for_the_password_again(client):
    user = UserFactory(email="owner@example.com")
    EmailAddress.objects.create(user=user, email="other@example.com", verified=True)
    page_login(client, user)

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = client.post(reverse("account_email"),
                               {"action_primary": "", "email": "other@example.com"})

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert EmailAddress.objects.get(email="owner@example.com").primary


def test_a_password_change_sends_a_notice_to_the_owner(client):
    user = UserFactory(email="owner@example.com")
    page_login(client, user)

    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    [notice] = mail.outbox
    assert notice.to == ["owner@example.com"]
    assert notice.subject == "[Shop] Password Changed"


def test_a_password_change_needs_the_current_password(client):
    user = UserFactory(email="owner@example.com")
    page_login(client, user)

    response = client.post(reverse("account_change_password"), {
        "oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert mail.outbox == []
