"""`POST /api/v1/flash-sales/{id}/orders/` and the "buy now" page view."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import AddressFactory, UserFactory
from marketing.flash import flash_cache_forget
from marketing.flash import gate as flash_gate
from marketing.models import FlashSale
from marketing.tests.factories import FlashSaleFactory
from orders.api.flash import token_cache_clear
from orders.models import Order
from orders.tests.factories import ADDRESS
from shop.metrics import COUNTERS


@pytest.fixture(autouse=True)
def _fresh_caches():
    flash_cache_forget()
    token_cache_clear()
    yield
    flash_cache_forget()
    token_cache_clear()


@pytest.fixture
def buyer(db):
    user = UserFactory()
    user.address = AddressFactory(user=user, is_default=True)
    return user


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def url(sale) -> str:
    return f"/api/v1/flash-sales/{getattr(sale, 'pk', sale)}/orders/"


@pytest.mark.django_db
def test_buying_answers_201_with_the_order_at_the_flash_price(buyer):
    sale = FlashSaleFactory(price=Decimal("59.00"))

    response = token_client(buyer).post(url(sale), {"quantity": 1, "address": {"address_id": buyer.address.pk}},
                                        format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment"
    assert [(line["quantity"], line["unit_price"]) for line in body["lines"]] == [(1, "59.00")]
    assert body["adjustments"] == []
    assert Decimal(body["total"]) == Decimal("59.00") + Decimal(body["shipping"])


@pytest.mark.django_db
def test_an_inline_address_works_too(buyer):
    sale = FlashSaleFactory()

    response = token_client(buyer).post(url(sale), {"address": ADDRESS}, format="json")

    assert response.status_code == 201
    assert response.json()["address"]["city"] == "Shanghai"


@pytest.mark.django_db
def test_each_refusal_has_its_code_and_status(buyer):
    client = token_client(buyer)
    sold_out = FlashSaleFactory(quantity=1)
    other = UserFactory()
    assert token_client(other).post(url(sold_out), {"address": ADDRESS}, format="json").status_code == 201
    running = FlashSaleFactory(per_customer_limit=1)
    assert client.post(url(running), {"address": ADDRESS}, format="json").status_code == 201
    now = timezone.now()
    upcoming = FlashSaleFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    body = {"address": ADDRESS}

    cases = {
        "sold_out": client.post(url(sold_out), body, format="json"),
        "limit_reached": client.post(url(running), body, format="json"),
        "not_active": client.post(url(upcoming), body, format="json"),
        "not_found": client.post(url(987654), body, format="json"),
    }

    assert {code: (r.status_code, r.json().get("code")) for code, r in cases.items()} == {
        "sold_out": (409, "sold_out"), "limit_reached": (409, "limit_reached"),
        "not_active": (400, "not_active"), "not_found": (404, "not_found"),
    }
    assert Order.objects.count() == 2


@pytest.mark.parametrize("body", [
    {"quantity": 0, "address": ADDRESS},
    {"quantity": -1, "address": ADDRESS},
    {"quantity": 10**9, "address": ADDRESS},
    {"quantity": "two", "address": ADDRESS},
    {"quantity": 1},
    {"quantity": 1, "address": {"name": "Li Lei"}},
    {"quantity": 1, "address": {"address_id": "x"}},
    {"quantity": 1, "address": ADDRESS, "address_id": 3},
])
@pytest.mark.django_db
def test_bad_input_is_a_400_and_takes_nothing(buyer, body):
    sale = FlashSaleFactory(quantity=5)

    response = token_client(buyer).post(url(sale), body, format="json")

    assert response.status_code == 400, response.json()
    sale.refresh_from_db()
    assert sale.sold == 0 and not Order.objects.exists()
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk)[0] in (None, 5)


@pytest.mark.django_db
def test_someone_elses_address_is_refused_and_the_unit_goes_back(buyer):
    sale = FlashSaleFactory(quantity=1)

    response = token_client(buyer).post(url(sale), {"address_id": AddressFactory().pk}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_address")
    sale.refresh_from_db()
    assert sale.sold == 0
    assert token_client(UserFactory()).post(url(sale), {"address": ADDRESS}, format="json").status_code == 201


@pytest.mark.django_db
def test_buying_needs_a_signed_in_shopper():
    sale = FlashSaleFactory()

    response = APIClient().post(url(sale), {"address": ADDRESS}, format="json")

    assert response.status_code == 401


@pytest.mark.redis
@pytest.mark.django_db
def test_a_refused_attempt_touches_no_table(buyer, django_assert_num_queries):
    sale = FlashSaleFactory(quantity=1)
    client = token_client(buyer)
    assert token_client(UserFactory()).post(url(sale), {"address": ADDRESS}, format="json").status_code == 201
    assert client.post(url(sale), {"address": ADDRESS}, format="json").status_code == 409  # warms the caches

    with django_assert_num_queries(0):
        response = client.post(url(sale), {"address": ADDRESS}, format="json")

    assert response.json()["code"] == "sold_out"


@pytest.mark.parametrize("revoke", ["deactivate", "delete_token"])
@pytest.mark.django_db
def test_a_cached_token_is_checked_again_once_the_gate_admits_and_a_revoked_one_is_refused(
        buyer, revoke):
    sale = FlashSaleFactory(quantity=5, per_customer_limit=3)
    client = token_client(buyer)
    assert client.post(url(sale), {"address": ADDRESS}, format="json").status_code == 201  # cached now
    if revoke == "deactivate":
        type(buyer).objects.filter(pk=buyer.pk).update(is_active=False)
    else:
        Token.objects.filter(user=buyer).delete()

    response = client.post(url(sale), {"address": ADDRESS}, format="json")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    sale.refresh_from_db()
    assert sale.sold == 1 and Order.objects.filter(user=buyer).count() == 1
    if flash_gate.enabled():
        assert flash_gate.read(sale_id=sale.pk) == (4, {buyer.pk: 1})  # the admitted unit went back


@pytest.mark.parametrize("code", ["sold_out", "limit_reached"])
@pytest.mark.django_db
def test_a_refusal_writes_no_warning_and_is_counted_instead(buyer, code, caplog):
    sale = FlashSaleFactory(quantity=1 if code == "sold_out" else 5)
    client = token_client(buyer)
    first = client if code == "limit_reached" else token_client(UserFactory())
    assert first.post(url(sale), {"address": ADDRESS}, format="json").status_code == 201
    counted = flash_attempts(code)

    with caplog.at_level(logging.DEBUG):
        response = client.post(url(sale), {"address": ADDRESS}, format="json")

    assert response.json()["code"] == code
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert flash_attempts(code) == counted + 1


def flash_attempts(outcome: str) -> float:
    return COUNTERS["flash_attempts"].labels(outcome=outcome)._value.get()


@pytest.mark.django_db
def test_placing_a_flash_order_stays_within_its_query_budget(buyer, django_assert_max_num_queries):
    sale = FlashSaleFactory()
    client = token_client(buyer)

    # 31: the order email owed is written in the placing transaction (the outbox row).
    with django_assert_max_num_queries(31):
        response = client.post(url(sale), {"address": {"address_id": buyer.address.pk}}, format="json")

    assert response.status_code == 201


# --- The "buy now" button -------------------------------------------------------------------------


@pytest.mark.django_db
def test_buy_now_places_the_order_with_the_default_address_and_goes_to_pay(client, buyer):
    sale = FlashSaleFactory(price=Decimal("59.00"))
    client.force_login(buyer)

    response = client.post(reverse("orders:flash_buy", args=[sale.pk]))

    order = Order.objects.get(user=buyer)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:pay", args=[order.number])
    assert order.address["line1"] == buyer.address.line1
    assert order.lines.get().unit_price == Decimal("59.00")


@pytest.mark.django_db
def test_buy_now_refused_says_why_on_the_flash_page(client, buyer):
    sale = FlashSaleFactory(per_customer_limit=1)
    client.force_login(buyer)
    client.post(reverse("orders:flash_buy", args=[sale.pk]))

    response = client.post(reverse("orders:flash_buy", args=[sale.pk]), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("marketing:flash_list"))
    assert "allows 1 unit per customer" in response.content.decode()
    assert Order.objects.filter(user=buyer).count() == 1


@pytest.mark.django_db
def test_buy_now_without_an_address_asks_for_one(client):
    sale = FlashSaleFactory()
    shopper = UserFactory()
    client.force_login(shopper)

    response = client.post(reverse("orders:flash_buy", args=[sale.pk]))

    assert response["Location"] == reverse("accounts:address_add")
    assert not Order.objects.exists()
    assert FlashSale.objects.get(pk=sale.pk).sold == 0


@pytest.mark.django_db
def test_buy_now_needs_a_login(client):
    sale = FlashSaleFactory()

    response = client.post(reverse("orders:flash_buy", args=[sale.pk]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The plain view: a token and a saved address's id (the stampede's request) --------------


def saved(user) -> dict:
    return {"quantity": 1, "address": {"address_id": user.address.pk}}


@pytest.mark.django_db
def test_the_plain_view_answers_each_refusal_as_the_drf_view_does(buyer):
    client = token_client(buyer)
    sold_out = FlashSaleFactory(quantity=1)
    assert token_client(UserFactory()).post(url(sold_out), {"address": ADDRESS}, format="json").status_code == 201
    running = FlashSaleFactory(per_customer_limit=1)
    assert client.post(url(running), saved(buyer), format="json").status_code == 201
    now = timezone.now()
    upcoming = FlashSaleFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))

    for sale, expected in [(sold_out, (409, "sold_out")), (running, (409, "limit_reached")),
                           (upcoming, (400, "not_active")), (987654, (404, "not_found"))]:
        plain = client.post(url(sale), saved(buyer), format="json")
        full = client.post(url(sale), {"quantity": 1, "address": ADDRESS}, format="json")
        assert (plain.status_code, plain.json()["code"]) == expected == (full.status_code, full.json()["code"])
        assert plain.json() == full.json()
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_the_plain_view_places_the_order_with_the_same_body_as_the_drf_view(buyer):
    first, second = FlashSaleFactory(), FlashSaleFactory()
    client = token_client(buyer)
    plain = client.post(url(first), saved(buyer), format="json").json()
    full = client.post(url(second), {"quantity": 1, "address_id": buyer.address.pk, "note": "x"},
                       format="json").json()  # a key the plain view leaves to DRF
    assert set(plain) == set(full) and plain["status"] == full["status"] == "pending_payment"
    assert plain["lines"][0]["unit_price"] == str(first.price)


@pytest.mark.parametrize("code", ["sold_out", "limit_reached"])
@pytest.mark.django_db
def test_a_plain_refusal_writes_no_warning_and_is_counted_instead(buyer, code, caplog):
    sale = FlashSaleFactory(quantity=1 if code == "sold_out" else 5)
    client = token_client(buyer)
    first = client if code == "limit_reached" else token_client(UserFactory())
    assert first.post(url(sale), {"address": ADDRESS}, format="json").status_code == 201
    counted = flash_attempts(code)

    with caplog.at_level(logging.DEBUG):
        response = client.post(url(sale), saved(buyer), format="json")

    assert response.json()["code"] == code
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert flash_attempts(code) == counted + 1


@pytest.mark.redis
@pytest.mark.django_db
def test_a_plain_refusal_touches_no_table(buyer, django_assert_num_queries):
    sale = FlashSaleFactory(quantity=1)
    client = token_client(buyer)
    assert token_client(UserFactory()).post(url(sale), {"address": ADDRESS}, format="json").status_code == 201
    assert client.post(url(sale), saved(buyer), format="json").status_code == 409  # warms the caches

    with django_assert_num_queries(0):
        response = client.post(url(sale), saved(buyer), format="json")

    assert response.json()["code"] == "sold_out"


@pytest.mark.django_db
def test_a_revoked_token_is_refused_by_the_plain_view_once_the_gate_admits(buyer):
    sale = FlashSaleFactory(quantity=5, per_customer_limit=3)
    client = token_client(buyer)
    assert client.post(url(sale), saved(buyer), format="json").status_code == 201  # cached now
    Token.objects.filter(user=buyer).delete()

    response = client.post(url(sale), saved(buyer), format="json")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"
    assert Order.objects.filter(user=buyer).count() == 1
