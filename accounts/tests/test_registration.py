"""Sign-up, email verification and API tokens."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from accounts.signals import user_registered
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def api():
    return APIClient()


def confirmation_path(message) -> str:
    """Return the path of the verification link in an email."""
    return CONFIRM_LINK.search(message.body).group(1)


def test_api_sign_up_verify_then_token_and_me(api, client):
    response = api.post(REGISTER, {"email": "Ann@Example.com", "password": PASSWORD},
                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], "email": "ann@example.com",
                               "display_name": "", "date_joined": response.json()["date_joined"]}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.com"]

    refused = api.post(TOKEN, {"email": "ann@example.com", "password": PASSWORD}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "email_unverified"

    # Following the emailed link and confirming verifies the address.
    assert client.post(confirmation_path(mail.outbox[0])).status_code == 302
    assert EmailAddress.objects.get(email="ann@example.com").verified

    granted = api.post(TOKEN, {"email": "ANN@example.com", "password": PASSWORD}, format="json")
    assert granted.status_code == 200, granted.json()
    token = granted.json()["token"]
    me = APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["email"] == "ann@example.com"


def test_api_sign_up_refuses_an_email_taken_in_another_case(api):
    UserFactory(email="bob@example.com")
    response = api.post(REGISTER, {"email": "BOB@Example.COM", "password": PASSWORD},
                        format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.filter(email__iexact="bob@example.com").count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize("password", ["12345678", "password", "short"])
def test_api_sign_up_refuses_a_weak_password_with_a_field_error(api, password):
    response = api.post(REGISTER, {"email": "weak@example.com", "password": password},
                        format="json")
    assert response.status_code == 400
    assert response.json()["password"]
    assert not User.objects.filter(email="weak@example.com").exists()


def test_api_sign_up_refuses_a_malformed_email(api):
    response = api.post(REGISTER, {"email": "not-an-email", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_token_refuses_a_wrong_password(api):
    UserFactory(email="cy@example.com")
    response = api.post(TOKEN, {"email": "cy@example.com", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_without_verification_a_new_user_gets_a_token_at_once(api, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    assert api.post(REGISTER, {"email": "dee@example.com", "password": PASSWORD},
                    format="json").status_code == 201
    response = api.post(TOKEN, {"email": "dee@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_registration_on_page_and_api_announces_user_registered(api, client):
    received = []

    def listener(sender, user, request, **kwargs):
        received.append(user.email)

    user_registered.connect(listener)
    try:
        api.post(REGISTER, {"email": "api@example.com", "password": PASSWORD}, format="json")
        client.post(reverse("account_signup"), {
            "email": "page@example.com", "password1": PASSWORD, "password2": PASSWORD,
        })
    finally:
        user_registered.disconnect(listener)
    assert received == ["api@example.com", "page@example.com"]


def test_page_sign_up_refuses_an_email_taken_in_another_case(client):
    UserFactory(email="eve@example.com")
    response = client.post(reverse("account_signup"), {
        "email": "Eve@EXAMPLE.com", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert 'class="field-errors"' in response.content.decode()
    assert User.objects.filter(email__iexact="eve@example.com").count() == 1


def test_page_sign_up_refuses_a_weak_password(client):
    response = client.post(reverse("account_signup"), {
        "email": "fay@example.com", "password1": "12345678", "password2": "12345678",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="fay@example.com").exists()


def test_page_login_is_refused_until_the_email_is_verified(client):
    UserFactory(email="gus@example.com", verified=False)
    response = client.post(reverse("account_login"),
                           {"login": "gus@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_sign_up_is_throttled_per_address(api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/hour"})
    codes = [
        api.post(REGISTER, {"email": f"t{i}@example.com", "password": PASSWORD},
                 format="json").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_sign_up_is_not_throttled_when_throttles_are_off(api, monkeypatch, settings):
    settings.SHOP_API_THROTTLES = False
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/hour"})
    codes = {
        api.post(REGISTER, {"email": f"t{i}@example.com", "password": PASSWORD},
                 format="json").status_code
        for i in range(3)
    }
    assert codes == {201}
