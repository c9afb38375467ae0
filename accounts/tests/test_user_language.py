"""The shopper's language: kept at sign-up and by the language switch, used for their emails."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ZH = "zh-hans"


def test_a_page_sign_up_keeps_the_language_of_the_page(client):
    client.post(reverse("account_signup"), {
        "email": "mei@example.com", "password1": PASSWORD, "password2": PASSWORD,
    }, HTTP_ACCEPT_LANGUAGE=ZH)
    assert User.objects.get(email="mei@example.com").language == ZH


def test_an_api_sign_up_keeps_the_language_it_asked_in():
    APIClient().post("/api/v1/auth/register/", {"email": "tom@example.com", "password": PASSWORD},
                     format="json", HTTP_ACCEPT_LANGUAGE="en")
    APIClient().post("/api/v1/auth/register/", {"email": "li@example.com", "password": PASSWORD},
                     format="json", HTTP_ACCEPT_LANGUAGE=ZH)
    assert User.objects.get(email="tom@example.com").language == "en"
    assert User.objects.get(email="li@example.com").language == ZH


def test_the_language_switch_remembers_a_signed_in_shoppers_choice(client):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": ZH, "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ZH
    # Django's part still happens: the page follows the switch.
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_switch_ignores_an_unknown_language_and_works_signed_out(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    client.logout()
    assert client.post("/i18n/setlang/", {"language": ZH, "next": "/"}).status_code == 302


def test_the_password_reset_email_is_in_the_users_language(client):
    UserFactory(email="wang@example.com", language=ZH)
    client.post(reverse("account_reset_password"), {"email": "wang@example.com"},
                HTTP_ACCEPT_LANGUAGE="en")
    assert "密码重置" in mail.outbox[0].subject
