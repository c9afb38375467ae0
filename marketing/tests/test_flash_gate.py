"""The Redis gate alone: atomic check-and-take of sale units and per-customer counts."""

import pytest

from marketing.flash import gate as flash_gate
from shop.testing import run_concurrently

pytestmark = pytest.mark.redis

SALE = 990_001


@pytest.fixture(autouse=True)
def _clean_keys():
    flash_gate.forget(sale_id=SALE)
    yield
    flash_gate.forget(sale_id=SALE)


def test_an_unloaded_sale_asks_for_a_reconcile():
    assert flash_gate.reserve(sale_id=SALE, user_id=1, quantity=1, limit=1) == flash_gate.NOT_LOADED


def test_units_and_the_customer_count_are_taken_together():
    flash_gate.load(sale_id=SALE, left=3, held={})

    assert flash_gate.reserve(sale_id=SALE, user_id=7, quantity=2, limit=2) == flash_gate.OK
    assert flash_gate.read(sale_id=SALE) == (1, {7: 2})


def test_the_limit_is_checked_before_the_units():
    flash_gate.load(sale_id=SALE, left=5, held={7: 1})

    assert flash_gate.reserve(sale_id=SALE, user_id=7, quantity=1, limit=1) == flash_gate.LIMIT_REACHED
    assert flash_gate.reserve(sale_id=SALE, user_id=8, quantity=6, limit=10) == flash_gate.SOLD_OUT
    assert flash_gate.read(sale_id=SALE) == (5, {7: 1})


def test_release_gives_units_and_the_customer_count_back():
    flash_gate.load(sale_id=SALE, left=1, held={})
    flash_gate.reserve(sale_id=SALE, user_id=7, quantity=1, limit=1)

    flash_gate.release(sale_id=SALE, user_id=7, quantity=1)

    assert flash_gate.read(sale_id=SALE) == (1, {})
    assert flash_gate.reserve(sale_id=SALE, user_id=9, quantity=1, limit=1) == flash_gate.OK


def test_load_replaces_what_redis_had():
    flash_gate.load(sale_id=SALE, left=9, held={1: 1, 2: 1})

    flash_gate.load(sale_id=SALE, left=4, held={3: 2})

    assert flash_gate.read(sale_id=SALE) == (4, {3: 2})


def test_200_buyers_racing_for_20_units_get_exactly_20():
    flash_gate.load(sale_id=SALE, left=20, held={})

    results = run_concurrently(
        200, lambda i: flash_gate.reserve(sale_id=SALE, user_id=i, quantity=1, limit=1)
    )

    assert results.count(flash_gate.OK) == 20
    assert results.count(flash_gate.SOLD_OUT) == 180
    left, held = flash_gate.read(sale_id=SALE)
    assert left == 0 and sum(held.values()) == 20


def test_one_customer_racing_itself_stays_within_the_limit():
    flash_gate.load(sale_id=SALE, left=20, held={})

    results = run_concurrently(
        30, lambda i: flash_gate.reserve(sale_id=SALE, user_id=42, quantity=1, limit=2)
    )

    assert results.count(flash_gate.OK) == 2
    assert results.count(flash_gate.LIMIT_REACHED) == 28
    assert flash_gate.read(sale_id=SALE) == (18, {42: 2})
