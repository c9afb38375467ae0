"""API tokens expire, die at logout and with every password change; bodies are JSON only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
NEW_PASSWORD = "a-brand-new-secret-42"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^/\s]+/)")


def obtain(email):
    response = APIClient().post(TOKEN, {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(key):
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_token_answer_says_when_the_token_expires(settings):
    settings.SHOP_TOKEN_TTL_DAYS = 30
    user = UserFactory()

    body = obtain(user.email)

    token = Token.objects.get(user=user)
    assert set(body) == {"token", "expires_at"}
    assert body["token"] == token.key
    assert parse_datetime(body["expires_at"]) == token.created + timedelta(days=30)


def test_an_expired_token_is_a_401_and_asking_again_issues_a_new_one(settings):
    settings.SHOP_TOKEN_TTL_DAYS = 30
    user = UserFactory()
    old = obtain(user.email)["token"]
    assert me(old).status_code == 200
    Token.objects.filter(key=old).update(created=timezone.now() - timedelta(days=30, seconds=1))

    refused = me(old)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_expired"

    fresh = obtain(user.email)
    assert fresh["token"] != old
    assert me(fresh["token"]).status_code == 200
    assert me(old).status_code == 401


def test_a_token_within_its_lifetime_is_returned_again():
    user = UserFactory()
    first = obtain(user.email)
    Token.objects.filter(key=first["token"]).update(created=timezone.now() - timedelta(days=29))

    assert obtain(user.email)["token"] == first["token"]


def test_logout_kills_the_calling_token():
    user = UserFactory()
    key = obtain(user.email)["token"]

    response = APIClient().post(LOGOUT, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert me(key).status_code == 401
    # Logging out again with the dead token is refused like any unknown token.
    assert APIClient().post(LOGOUT, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_logout_without_credentials_is_a_401():
    assert APIClient().post(LOGOUT).status_code == 401


def test_a_session_caller_logging_out_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)

    assert client.post(LOGOUT).status_code == 204
    assert "_auth_user_id" not in client.session


# --- A password change or reset revokes every token -------------------------------------


@pytest.fixture
def token_holder():
    user = UserFactory(email="holder@example.com")
    key = obtain(user.email)["token"]
    assert me(key).status_code == 200
    return user, key


def assert_revoked(user, key):
    assert me(key).status_code == 401
    assert not Token.objects.filter(user=user).exists()


def test_a_password_reset_by_email_revokes_the_users_tokens(client, token_holder):
    user, key = token_holder
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = RESET_LINK.search(mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]

    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert_revoked(user, key)


def test_a_password_change_on_the_account_pages_revokes_the_users_tokens(client, token_holder):
    user, key = token_holder
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert_revoked(user, key)


def test_a_password_set_in_the_admin_revokes_the_users_tokens(client, token_holder):
    user, key = token_holder
    client.force_login(StaffFactory(is_superuser=True))

    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
    })

    assert response.status_code == 302, response.context["form"].errors
    assert_revoked(user, key)


def test_a_staff_member_changing_their_own_password_in_the_admin_loses_their_tokens(client):
    staff = StaffFactory(email="clerk@example.com")
    key = obtain(staff.email)["token"]
    client.force_login(staff)

    response = client.post(reverse("admin:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert_revoked(staff, key)


def test_a_password_change_keeps_other_users_tokens(token_holder):
    user, _ = token_holder
    other = UserFactory()
    other_key = obtain(other.email)["token"]

    user.set_password(NEW_PASSWORD)
    user.save()

    assert me(other_key).status_code == 200


def test_a_login_that_upgrades_the_password_hash_keeps_the_tokens(settings, token_holder):
    user, key = token_holder
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    # A hash from an older hasher: a right login re-hashes it, which is no password change.
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert obtain(user.email)["token"] == key
    user.refresh_from_db()
    assert user.password.startswith("md5$")
    assert me(key).status_code == 200


def test_revoking_a_users_tokens_is_a_service_that_reports_how_many():
    user = UserFactory()
    services.token_issue(user=user)

    assert services.user_tokens_revoke(user=user) == 1
    assert services.user_tokens_revoke(user=user) == 0


# --- JSON only --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REGISTER, TOKEN])
def test_a_form_encoded_post_to_register_or_token_is_a_415(url):
    user = UserFactory(email="form@example.com")

    response = APIClient().post(url, {"email": "form@example.com", "password": PASSWORD},
                                format="multipart")
    urlencoded = APIClient().post(url, "email=form%40example.com&password=x",
                                  content_type="application/x-www-form-urlencoded")

    for answer in (response, urlencoded):
        assert answer.status_code == 415
        assert answer.json()["code"] == "unsupported_media_type"
    assert not Token.objects.filter(user=user).exists()
