"""Every shopper has a membership from sign-up, page or API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from membership.models import Membership, TierChange

pytestmark = pytest.mark.django_db


def test_signing_up_on_the_page_puts_the_shopper_on_the_lowest_tier(client, tiers):
    response = client.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
    })

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new@example.com")
    assert membership.tier == tiers["regular"]
    assert membership.changes.get().reason == TierChange.Reason.JOINED


def test_signing_up_through_the_api_puts_the_shopper_on_the_lowest_tier(tiers):
    response = APIClient().post("/api/v1/auth/register/", {
        "email": "app@example.com", "password": "a-long-pass-phrase",
    }, format="json")

    assert response.status_code == 201
    assert Membership.objects.get(user__email="app@example.com").tier == tiers["regular"]
