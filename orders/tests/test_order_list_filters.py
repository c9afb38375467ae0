"""GET /api/v1/orders/ filters: any ISO 8601 instant is an answer or a 400, never a 500."""

import pytest

from orders.tests.factories import SkuFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(shopper):
    return place(user=shopper, skus=[SkuFactory()])


def test_an_offset_postgresql_cannot_store_still_filters_by_the_instant(api, mine):
    # +19:35 is valid ISO 8601 and valid to Python; PostgreSQL refuses offsets beyond
    # ±15:59 ("time zone displacement out of range"), so the filter compares in UTC.
    before = mine.created_at.replace(year=mine.created_at.year - 1).isoformat()
    after = mine.created_at.replace(year=mine.created_at.year + 1).isoformat()

    earlier = api.get("/api/v1/orders/", {"created_after": before.replace("+00:00", "+19:35")})
    later = api.get("/api/v1/orders/", {"created_after": after.replace("+00:00", "+19:35")})

    assert earlier.status_code == 200, earlier.content
    assert [order["number"] for order in earlier.json()["results"]] == [mine.number]
    assert later.status_code == 200, later.content
    assert later.json()["count"] == 0


@pytest.mark.parametrize("name,value", [
    ("created_after", "0001-01-01T00:00:00+05:00"),  # before year 1 in UTC
    ("created_before", "9999-12-31T23:00:00-05:00"),  # after year 9999 in UTC
    ("created_after", "0001-01-01T00:00:00"),  # naive: the shop's time zone is ahead of UTC
])
def test_an_instant_outside_the_calendar_in_utc_is_a_field_error(api, mine, name, value):
    response = api.get("/api/v1/orders/", {name: value})

    assert response.status_code == 400
    assert name in response.json()
