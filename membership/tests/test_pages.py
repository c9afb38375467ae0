"""The member centre page and the API: progress with known numbers, own data only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from membership.services import membership_get, spend_record, spend_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def silver(tiers):
    """A Silver member with ¥3,000.00 spent: ¥2,000.00 short of Gold (60 % of the way)."""
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("1200.00"))
    spend_record(user=user, reference="order:SO2", amount=Decimal("1800.00"))
    return user


@pytest.fixture
def rich_other(tiers):
    user = UserFactory(email="other@example.com")
    spend_record(user=user, reference="order:SO9", amount=Decimal("25000.00"))
    return user


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_member_centre_shows_tier_spend_and_what_is_left_to_the_next_tier(client, silver):
    client.force_login(silver)

    response = client.get(reverse("membership:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge badge--tier" data-tier="silver">Silver</span>' in html
    assert "¥3,000.00" in html
    assert "Spend ¥2,000.00 more to reach Gold" in html
    assert 'style="width: 60%"' in html
    assert 'aria-valuenow="60"' in html
    # Benefits, the tier table and the history (joined, then the upgrade).
    assert "2 % off every product" in html
    assert "×1.2 on every order" in html
    assert "¥20,000.00" in html
    assert "Regular → <strong>Silver</strong>" in html


def test_the_member_centre_at_the_top_tier_has_nothing_left_to_reach(client, rich_other):
    client.force_login(rich_other)

    html = client.get(reverse("membership:home")).content.decode()

    assert "You are in our top tier" in html
    assert "progress__bar" not in html


def test_the_member_centre_needs_a_sign_in(client, tiers):
    response = client.get(reverse("membership:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_member_centre_never_shows_another_members_numbers(client, silver, rich_other):
    client.force_login(silver)

    html = client.get(reverse("membership:home"), {"user": rich_other.pk}).content.decode()

    assert "¥25,000.00" not in html
    assert "Platinum</span>" not in html


def test_the_member_centre_queries_do_not_grow_with_the_history(client, silver):
    client.force_login(silver)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("membership:home")).status_code == 200
        return len(captured)

    before = queries()
    for number in range(3, 8):  # Silver → Gold → … and back, five more history rows
        spend_record(user=silver, reference=f"order:SO{number}", amount=Decimal("9000.00"))
        spend_reverse(reference=f"order:SO{number}")
    assert membership_get(silver).changes.count() == 12

    assert queries() == before


def test_the_api_shows_the_tier_benefits_and_progress_with_decimal_strings(silver):
    response = api_for(silver).get("/api/v1/membership/")

    assert response.status_code == 200
    assert response.json() == {
        "tier": {"code": "silver", "name": "Silver", "rank": 2, "threshold": "1000.00",
                 "discount_percent": "2.00", "points_multiplier": "1.20", "free_shipping": False},
        "benefits": {"discount_percent": "2.00", "points_multiplier": "1.20",
                     "free_shipping": False},
        "spend_365d": "3000.00",
        "next_tier": {"code": "gold", "name": "Gold", "rank": 3, "threshold": "5000.00",
                      "discount_percent": "5.00", "points_multiplier": "1.50",
                      "free_shipping": True},
        "spend_to_next": "2000.00",
        "progress_percent": 60,
    }


def test_the_api_at_the_top_tier_has_no_next_tier(rich_other):
    body = api_for(rich_other).get("/api/v1/membership/").json()

    assert (body["tier"]["code"], body["next_tier"], body["spend_to_next"]) == (
        "platinum", None, None
    )
    assert body["progress_percent"] == 100


def test_a_new_members_api_shows_the_lowest_tier_and_the_full_way_to_silver(tiers):
    user = UserFactory()

    body = api_for(user).get("/api/v1/membership/").json()

    assert (body["tier"]["code"], body["spend_365d"], body["next_tier"]["code"],
            body["spend_to_next"], body["progress_percent"]) == (
        "regular", "0.00", "silver", "1000.00", 0
    )
    assert membership_get(user).tier.code == "regular"


def test_the_api_needs_authentication(tiers):
    response = APIClient().get("/api/v1/membership/")

    assert response.status_code == 401


def test_the_api_has_no_way_to_reach_another_members_membership(silver, rich_other):
    client = api_for(silver)

    assert client.get("/api/v1/membership/", {"user": rich_other.pk}).json()["spend_365d"] == "3000.00"
    assert client.get(f"/api/v1/membership/{rich_other.pk}/").status_code == 404
    assert client.get(f"/api/v1/membership/{membership_get(rich_other).pk}/").status_code == 404


def test_the_tier_list_is_the_ladder_lowest_first(tiers):
    response = APIClient().get("/api/v1/membership/tiers/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [tier["code"] for tier in body["results"]] == ["regular", "silver", "gold", "platinum"]
    assert body["results"][3] == {
        "code": "platinum", "name": "Platinum", "rank": 4, "threshold": "20000.00",
        "discount_percent": "8.00", "points_multiplier": "2.00", "free_shipping": True,
    }


def test_the_schema_documents_the_membership_endpoints_and_their_errors(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    own = schema["paths"]["/api/v1/membership/"]["get"]["responses"]
    assert {"200", "401"} <= set(own)
    assert "404" in schema["paths"]["/api/v1/membership/tiers/"]["get"]["responses"]
