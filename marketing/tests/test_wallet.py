"""The coupon wallet (领券): claiming (atomic, per-shopper limit first), the centre, the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from marketing.models import Coupon, CouponClaim
from marketing.services import coupon_claim, coupon_redeem, coupon_release, coupon_save
from marketing.tests.factories import CouponFactory
from shop.errors import NotFound, ShopError
from shop.testing import run_concurrently


def claimable(**kwargs) -> Coupon:
    return CouponFactory(**{"claimable": True, "claims_total": 10, "claims_per_customer": 1,
                            "per_customer_limit": None, **kwargs})


def try_claim(code, user) -> str:
    try:
        coupon_claim(code=code, user=user)
    except ShopError as exc:
        return exc.code
    return "claimed"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Claiming ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_counts_against_the_quota_and_lands_in_the_wallet():
    coupon, user = claimable(code="GRAB10", claims_total=3), UserFactory()

    claim = coupon_claim(code="grab10", user=user)

    coupon.refresh_from_db()
    assert (claim.coupon_id, claim.user_id, claim.seq, claim.status) == (coupon.pk, user.pk, 1, "available")
    assert (coupon.claims_used, coupon.claims_left) == (1, 2)


@pytest.mark.django_db
def test_the_per_shopper_limit_is_checked_before_the_quota():
    coupon = claimable(code="LAST", claims_total=1)
    first = UserFactory()
    assert try_claim("LAST", first) == "claimed"

    # Exhausted now, but the shopper who holds the last one hears that they hold it.
    assert try_claim("LAST", first) == "already_claimed"
    assert try_claim("LAST", UserFactory()) == "claims_exhausted"
    assert Coupon.objects.get(pk=coupon.pk).claims_used == 1 == CouponClaim.objects.count()


@pytest.mark.django_db
def test_a_shopper_may_hold_claims_per_customer_of_one_coupon():
    claimable(code="TWICE", claims_per_customer=2)
    user = UserFactory()

    assert [try_claim("TWICE", user) for _ in range(3)] == ["claimed", "claimed", "already_claimed"]
    assert sorted(CouponClaim.objects.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown", "not_claimable", "ended", "not_started"])
def test_only_a_running_claimable_coupon_can_be_claimed(case):
    now = timezone.now()
    if case == "not_claimable":
        CouponFactory(code="NOPE")
    elif case == "ended":
        claimable(code="NOPE", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
    elif case == "not_started":
        claimable(code="NOPE", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=3))

    with pytest.raises(NotFound):
        coupon_claim(code="NOPE", user=UserFactory())
    assert CouponClaim.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "field"), [
    ({"claimable": True, "claims_total": None}, "claims_total"),
    ({"claimable": True, "claims_total": 0}, "claims_total"),
    ({"claimable": True, "claims_total": 5, "claims_per_customer": 0}, "claims_per_customer"),
    ({"claimable": True, "claims_total": 5, "claims_per_customer": 3, "per_customer_limit": 1},
     "per_customer_limit"),
])
def test_staff_cannot_save_a_claimable_coupon_that_could_not_work(fields, field):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        coupon_save(code="BAD", kind="fixed", value="5.00", starts_at=now,
                    ends_at=now + timedelta(days=1), **fields)
    assert field in refused.value.message_dict


@pytest.mark.django_db
def test_spending_a_claim_links_it_to_the_use_and_a_cancel_gives_it_back():
    coupon, user = claimable(code="SPEND"), UserFactory()
    claim = coupon_claim(code="SPEND", user=user)

    redemption = coupon_redeem(coupon_id=coupon.pk, user=user, reference="order:SO1")
    claim.refresh_from_db()
    assert (claim.redemption_id, claim.status) == (redemption.pk, "used")

    coupon_release(reference="order:SO1")
    claim.refresh_from_db()
    assert (claim.redemption_id, claim.used_at, claim.status) == (None, None, "available")


@pytest.mark.django_db
def test_a_shopper_without_an_unspent_claim_cannot_redeem_a_claimable_coupon():
    coupon, user = claimable(code="MINE"), UserFactory()
    coupon_claim(code="MINE", user=user)
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="order:SO1")

    for who, reference in [(UserFactory(), "order:SO2"), (user, "order:SO3")]:
        with pytest.raises(ShopError) as refused:
            coupon_redeem(coupon_id=coupon.pk, user=who, reference=reference)
        assert refused.value.extra["reason"] == "not_claimed"
    assert Coupon.objects.get(pk=coupon.pk).used == 1


# --- Under concurrency (PostgreSQL, real threads) --------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_shoppers_claiming_ten_get_exactly_ten():
    coupon = claimable(code="RUSH", claims_total=10)
    users = [UserFactory() for _ in range(50)]

    results = run_concurrently(50, lambda i: try_claim("RUSH", users[i]))

    assert results.count("claimed") == 10
    assert results.count("claims_exhausted") == 40
    coupon.refresh_from_db()
    assert coupon.claims_used == 10 == CouponClaim.objects.filter(coupon=coupon).count()
    assert CouponClaim.objects.filter(coupon=coupon).values("user").distinct().count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_shopper_racing_themself_gets_exactly_claims_per_customer():
    coupon = claimable(code="SELF", claims_total=100, claims_per_customer=3)
    user = UserFactory()

    results = run_concurrently(30, lambda i: try_claim("SELF", user))

    assert results.count("claimed") == 3
    assert results.count("already_claimed") == 27
    coupon.refresh_from_db()
    assert coupon.claims_used == 3 == CouponClaim.objects.filter(coupon=coupon, user=user).count()


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_claimable_list_shows_claims_left_and_what_the_caller_holds():
    now = timezone.now()
    held = claimable(code="HELD", name="Held one", claims_total=5, max_discount="30.00",
                     ends_at=now + timedelta(days=1))
    claimable(code="GONE", claims_total=1, ends_at=now + timedelta(days=2))
    claimable(code="ENDED", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
    CouponFactory(code="PLAIN")  # not claimable: never listed
    user = UserFactory()
    coupon_claim(code="HELD", user=user)
    coupon_claim(code="GONE", user=UserFactory())

    body = api_for(user).get("/api/v1/coupons/claimable/").json()

    rows = {row["code"]: row for row in body["results"]}
    assert list(rows) == ["HELD", "GONE"]
    assert rows["HELD"] == {
        "code": "HELD", "name": "Held one", "kind": "percent", "value": "10.00",
        "max_discount": "30.00", "min_spend": "0.00",
        "starts_at": rows["HELD"]["starts_at"], "ends_at": rows["HELD"]["ends_at"],
        "claims_per_customer": 1, "claims_left": 4, "claimed": True,
    }
    assert (rows["GONE"]["claims_left"], rows["GONE"]["claimed"]) == (0, False)
    assert held.code == "HELD"
    anonymous = APIClient().get("/api/v1/coupons/claimable/").json()["results"]
    assert [row["claimed"] for row in anonymous] == [False, False]


@pytest.mark.django_db
def test_claiming_through_the_api_answers_201_then_409_with_the_reason():
    claimable(code="APIONE", claims_total=1)
    first, second = UserFactory(), UserFactory()

    created = api_for(first).post("/api/v1/coupons/apione/claim/")
    again = api_for(first).post("/api/v1/coupons/APIONE/claim/")
    late = api_for(second).post("/api/v1/coupons/APIONE/claim/")

    assert created.status_code == 201
    assert (created.json()["code"], created.json()["status"]) == ("APIONE", "available")
    assert (again.status_code, again.json()["code"]) == (409, "already_claimed")
    assert (late.status_code, late.json()["code"]) == (409, "claims_exhausted")
    assert api_for(first).post("/api/v1/coupons/NOSUCH/claim/").status_code == 404
    assert APIClient().post("/api/v1/coupons/APIONE/claim/").status_code in (401, 403)


@pytest.mark.django_db
def test_my_coupons_lists_only_the_callers_claims_with_their_status():
    now = timezone.now()
    used = claimable(code="USEDONE")
    claimable(code="LIVE")
    ending = claimable(code="SOONGONE", ends_at=now + timedelta(minutes=5))
    user, other = UserFactory(), UserFactory()
    for code in ("USEDONE", "LIVE", "SOONGONE"):
        coupon_claim(code=code, user=user)
    coupon_claim(code="LIVE", user=other)
    coupon_redeem(coupon_id=used.pk, user=user, reference="order:SO9")
    Coupon.objects.filter(pk=ending.pk).update(ends_at=now - timedelta(seconds=1))

    rows = api_for(user).get("/api/v1/me/coupons/").json()["results"]

    assert {row["code"]: row["status"] for row in rows} == {
        "USEDONE": "used", "LIVE": "available", "SOONGONE": "expired"}
    assert APIClient().get("/api/v1/me/coupons/").status_code in (401, 403)


@pytest.mark.django_db
def test_staff_set_the_wallet_fields_through_the_coupon_api():
    staff = UserFactory(is_superuser=True, is_staff=True)
    now = timezone.now()

    response = api_for(staff).post("/api/v1/coupons/", {
        "code": "CENTRE20", "kind": "fixed", "value": "20.00", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(), "claimable": True, "claims_total": 100,
        "per_customer_limit": None,
    }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["claimable"], body["claims_total"], body["claims_per_customer"], body["claims_used"]) == (
        True, 100, 1, 0)
    missing = api_for(staff).post("/api/v1/coupons/", {
        "code": "NOTOTAL", "kind": "fixed", "value": "20.00", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(), "claimable": True,
    }, format="json")
    assert missing.status_code == 400 and "claims_total" in missing.json()


def test_the_schema_documents_the_claim_conflicts(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    claim = schema["paths"]["/api/v1/coupons/{code}/claim/"]["post"]["responses"]
    assert {"201", "401", "404", "409"} <= set(claim)
    assert "already_claimed" in claim["409"]["description"]
    assert "claims_exhausted" in claim["409"]["description"]
    assert "/api/v1/coupons/claimable/" in schema["paths"] and "/api/v1/me/coupons/" in schema["paths"]


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coupon_centre_lists_claimable_coupons_and_claims_with_a_post(client):
    claimable(code="PAGE5", name="Five off", claims_total=2)
    claimable(code="EMPTY", claims_total=1)
    coupon_claim(code="EMPTY", user=UserFactory())
    user = UserFactory()
    client.force_login(user)

    page = client.get("/coupons/").content.decode()
    assert "Five off" in page and 'data-claims-left="2"' in page and 'data-claims-left="0"' in page

    response = client.post("/coupons/PAGE5/claim/", follow=True)
    assert "PAGE5 is in your wallet" in response.content.decode()
    assert CouponClaim.objects.filter(user=user, coupon__code="PAGE5").count() == 1
    refused = client.post("/coupons/EMPTY/claim/", follow=True).content.decode()
    assert "has all been claimed" in refused
    assert client.get("/coupons/PAGE5/claim/").status_code == 405


@pytest.mark.django_db
def test_my_coupons_page_groups_the_wallet_and_needs_a_login(client):
    coupon = claimable(code="GROUPED")
    user = UserFactory()
    coupon_claim(code="GROUPED", user=user)
    assert client.get("/coupons/mine/").status_code == 302

    client.force_login(user)
    page = client.get("/coupons/mine/").content.decode()
    assert page.count('data-testid="wallet-available"') == 1
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="order:SO1")
    page = client.get("/coupons/mine/").content.decode()
    assert page.count('data-testid="wallet-used"') == 1 and 'data-testid="wallet-available"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0", "-1", "x" * 300, "%E4%B8%AD", "claimable"])
def test_claiming_a_code_that_is_no_claimable_coupon_is_a_404_and_changes_nothing(code):
    coupon = claimable(code="REAL")

    response = api_for(UserFactory()).post(f"/api/v1/coupons/{code}/claim/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Coupon.objects.get(pk=coupon.pk).claims_used == 0 == CouponClaim.objects.count()


@pytest.mark.django_db
def test_staff_read_claims_in_the_admin_with_their_status_and_cannot_write_them(client):
    coupon = claimable(code="ADMINSEE", claims_total=7)
    user = UserFactory(email="buyer@example.com")
    coupon_claim(code="ADMINSEE", user=user)
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="order:SO42")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    claims = client.get("/admin/marketing/couponclaim/?status=used").content.decode()
    coupons = client.get("/admin/marketing/coupon/").content.decode()

    assert "buyer@example.com" in claims and "order:SO42" in claims and "Used" in claims
    assert "6 / 7" in coupons  # claims left / total
    assert "buyer@example.com" not in client.get("/admin/marketing/couponclaim/?status=available").content.decode()
    assert client.get("/admin/marketing/couponclaim/add/").status_code == 403
