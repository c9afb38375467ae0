"""Sign-up in a real browser: form, verification email, link, logged in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

PASSWORD = "a-good-long-secret-77"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_by_email_link_then_log_in_again(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", "Browser.Shopper@Example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["browser.shopper@example.com"]
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)
    assert not User.objects.get(email="browser.shopper@example.com").emailaddress_set.get().verified

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    # Confirming logs the new shopper in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_test_id("profile-email")).to_have_text("browser.shopper@example.com")

    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.goto(f"{live_server.url}/account/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_login", "browser.shopper@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_test_id("profile-email")).to_have_text("browser.shopper@example.com")
