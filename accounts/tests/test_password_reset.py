"""Password reset by email, end to end."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^/\s]+/)")
NEW_PASSWORD = "a-brand-new-secret-42"


def test_a_forgotten_password_is_reset_through_the_emailed_link(client):
    user = UserFactory(email="hal@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "HAL@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hal@example.com"]
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    # allauth moves the key from the URL into the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    assert client.post(reverse("account_login"),
                       {"login": "hal@example.com", "password": PASSWORD}).status_code == 200
    login = client.post(reverse("account_login"),
                        {"login": "hal@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_used_reset_link_cannot_be_used_again(client):
    UserFactory(email="ida@example.com")
    client.post(reverse("account_reset_password"), {"email": "ida@example.com"})
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    again = client.get(link, follow=True)
    assert again.context["token_fail"] is True


def test_reset_for_an_unknown_email_reveals_nothing_on_the_page(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
