"""Read replicas: lag-tolerant reads go to a replica, checkout and anything after a write do not.

The replica alias is a second connection to the test database (TEST MIRROR), so both hold
the same rows and each connection's captured queries show where a read went.
"""

from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order
from orders.tests.factories import ADDRESS, SkuFactory, UserFactory
from shop import context
from shop.db_router import ReplicaRouter

replicated = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.SHOP_READ_REPLICAS = ["replica"]
    return "replica"


def _tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


class Where:
    """The queries each connection ran inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections["replica"])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


@replicated
def test_catalogue_pages_and_lists_read_from_the_replica(client, replica):
    sku = SkuFactory(price=Decimal("12.00"))

    with Where() as where:
        assert client.get("/").status_code == 200
        assert client.get(f"/p/{sku.product.slug}/").status_code == 200
        assert client.get("/api/v1/products/").status_code == 200

    assert '"catalog_product"' in _tables(where.replica.captured_queries)
    assert '"catalog_product"' not in _tables(where.primary.captured_queries)


@replicated
def test_checkout_reads_and_writes_on_the_primary_only(replica):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(UserFactory())
    sku = SkuFactory(price=Decimal("12.00"), stock=5)

    with Where() as where:
        response = api.post("/api/v1/orders/", {"address": ADDRESS, "lines": [
            {"sku": sku.code, "quantity": 1}]}, format="json")
        assert response.status_code == 201
        assert api.get(f"/api/v1/orders/{response.json()['number']}/").status_code == 200

    assert where.replica.captured_queries == []
    assert '"orders_order"' in _tables(where.primary.captured_queries)
    assert Order.objects.count() == 1


@replicated
def test_the_session_and_user_are_read_from_the_primary_on_a_replica_page(client, replica):
    client.force_login(UserFactory())

    with Where() as where:
        assert client.get("/").status_code == 200

    assert where.replica.captured_queries  # the catalogue
    replica_sql = _tables(where.replica.captured_queries)
    assert '"django_session"' not in replica_sql and '"accounts_user"' not in replica_sql
    assert '"django_session"' in _tables(where.primary.captured_queries)


@pytest.mark.django_db
def test_after_a_write_and_inside_a_transaction_reads_go_to_the_primary(settings):
    settings.SHOP_READ_REPLICAS = ["replica"]
    router = ReplicaRouter()
    tokens = [context.replica_ok.set(True), context.wrote.set(False)]
    try:
        # pytest-django's test transaction is open here: the primary answers.
        assert router.db_for_read(Order) is None
        connection = connections["default"]
        atomic, connection.in_atomic_block = connection.in_atomic_block, False
        try:
            assert router.db_for_read(Order) == "replica"
            assert router.db_for_write(Order) == "default"
            assert router.db_for_read(Order) is None  # read-your-writes
        finally:
            connection.in_atomic_block = atomic
    finally:
        context.wrote.reset(tokens[1])
        context.replica_ok.reset(tokens[0])


def test_a_request_reads_from_one_replica_throughout(settings):
    settings.SHOP_READ_REPLICAS = ["replica1", "replica2", "replica3"]
    router = ReplicaRouter()
    tokens = [(var, var.set(value)) for var, value in
              [(context.replica_ok, True), (context.wrote, False), (context.replica, None)]]
    connection = connections["default"]
    atomic, connection.in_atomic_block = connection.in_atomic_block, False
    try:
        chosen = {router.db_for_read(Order) for _ in range(30)}
    finally:
        connection.in_atomic_block = atomic
        for var, token in reversed(tokens):
            var.reset(token)

    assert len(chosen) == 1 and chosen <= {"replica1", "replica2", "replica3"}


def test_without_replicas_or_outside_marked_views_nothing_is_routed(settings):
    router = ReplicaRouter()
    settings.SHOP_READ_REPLICAS = []
    token = context.replica_ok.set(True)
    try:
        assert router.db_for_read(Order) is None
    finally:
        context.replica_ok.reset(token)
    settings.SHOP_READ_REPLICAS = ["replica"]
    assert router.db_for_read(Order) is None  # no view marked this work


def test_every_view_named_for_replica_reads_exists(settings):
    for name in settings.SHOP_REPLICA_VIEWS:
        kwargs = {"slug": "x"} if name in {"catalog:category", "catalog:product",
                                           "api-product"} else {}
        reverse(name, kwargs=kwargs)
