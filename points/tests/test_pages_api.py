"""Points page, API, header and sign-up bonus; nobody reaches another's points."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import user_register
from accounts.tests.factories import UserFactory
from points.context_processors import header
from points.models import LedgerEntry
from points.services import points_award, points_bonus, points_redeem
from points.tests.factories import earned

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


# --- Sign-up bonus ----------------------------------------------------------------------


def test_signing_up_gives_the_bonus_once(settings):
    settings.SHOP_POINTS_SIGNUP_BONUS = 100
    user = user_register(email="new@example.com", password="a-long-enough-pass-123")
    entry = LedgerEntry.objects.get(account__user=user)
    assert (entry.kind, entry.delta, entry.reference) == ("bonus", 100, f"signup:{user.pk}")
    assert points_bonus(user=user, points=100, reference=f"signup:{user.pk}") == entry
    assert LedgerEntry.objects.count() == 1


def test_a_zero_signup_bonus_writes_nothing(settings):
    settings.SHOP_POINTS_SIGNUP_BONUS = 0
    user_register(email="none@example.com", password="a-long-enough-pass-123")
    assert not LedgerEntry.objects.exists()


# --- API --------------------------------------------------------------------------------


def test_points_api_shows_own_balance_and_what_expires_within_30_days(api):
    user = UserFactory()
    now = timezone.now()
    earned(user, 100, at=now - timedelta(days=350))  # expires in 15 days
    earned(user, 200, at=now)  # expires in a year
    api.force_authenticate(user)
    body = api.get("/api/v1/points/").json()
    assert body["balance"] == 300
    assert [lot["points"] for lot in body["expiring_soon"]] == [100]


def test_entries_api_lists_own_entries_newest_first_paginated(api):
    user, other = UserFactory(), UserFactory()
    for n in range(3):
        points_award(user=user, points=10 + n, reference=f"order:SOMINE{n}")
    points_award(user=other, points=999, reference="order:SOTHEIRS")
    points_redeem(user=user, points=5, reference="order:SOMINE9")
    api.force_authenticate(user)
    body = api.get("/api/v1/points/entries/?page_size=2").json()
    assert body["count"] == 4
    first = body["results"][0]
    assert set(first) == {"id", "kind", "delta", "reference", "reason", "created_at", "expires_at"}
    assert (first["kind"], first["delta"], first["reference"]) == ("redeem", -5, "order:SOMINE9")
    assert body["next"] is not None
    refs = [e["reference"] for e in api.get("/api/v1/points/entries/?page_size=100").json()["results"]]
    assert "order:SOTHEIRS" not in refs


def test_another_users_points_are_never_reachable_through_the_api(api):
    owner, snooper = UserFactory(), UserFactory()
    entry = points_award(user=owner, points=500, reference="order:SOPRIVATE")
    api.force_authenticate(snooper)
    assert api.get("/api/v1/points/").json()["balance"] == 0
    assert api.get("/api/v1/points/entries/").json()["count"] == 0
    assert api.get(f"/api/v1/points/entries/?account={entry.account_id}").json()["count"] == 0
    assert api.get(f"/api/v1/points/entries/{entry.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/points/", "/api/v1/points/entries/"])
def test_points_api_needs_a_signed_in_shopper(api, path):
    response = api.get(path)
    assert response.status_code == 401


def test_a_page_past_the_end_is_404(api):
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/points/entries/?page=9").status_code == 404


def test_schema_documents_the_points_errors(api):
    schema = api.get("/api/schema/?format=json").json()
    assert {"200", "401"} <= set(schema["paths"]["/api/v1/points/"]["get"]["responses"])
    assert {"200", "401", "404"} <= set(schema["paths"]["/api/v1/points/entries/"]["get"]["responses"])


# --- Page and header --------------------------------------------------------------------


def test_points_page_needs_login(client):
    response = client.get("/points/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_points_page_shows_balance_expiring_points_and_history_linking_orders(client):
    user = UserFactory()
    now = timezone.now()
    points_award(user=user, points=120, reference="order:SO20260101-0007", at=now - timedelta(days=340))
    points_bonus(user=user, points=100, reference=f"signup:{user.pk}")
    points_award(user=UserFactory(), points=4242, reference="order:SOELSEWHERE")
    client.force_login(user)
    response = client.get("/points/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["balance"] == 220
    assert response.context["expiring_total"] == 120
    assert 'href="/orders/SO20260101-0007/"' in html
    assert "Sign-up bonus" in html
    assert "SOELSEWHERE" not in html and "4242" not in html


def test_points_history_is_paginated(client):
    user = UserFactory()
    for n in range(25):
        points_award(user=user, points=1, reference=f"order:SOPAGE{n:02d}")
    client.force_login(user)
    first = client.get("/points/")
    second = client.get("/points/?page=2")
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5
    assert "SOPAGE00" in second.content.decode()


def test_header_shows_the_balance_in_one_query(rf, django_assert_num_queries):
    user = UserFactory()
    earned(user, 321)
    request = rf.get("/")
    request.user = user
    with django_assert_num_queries(1):
        assert header(request) == {"header_points": 321}


def test_header_offers_a_visitor_the_signup_bonus_without_a_query(rf, django_assert_num_queries, settings):
    settings.SHOP_POINTS_SIGNUP_BONUS = 250
    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert header(request) == {"signup_points": 250}
