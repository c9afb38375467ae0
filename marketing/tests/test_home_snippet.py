"""The home page snippet: current promotions and discounts, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from catalog.tests.factories import CategoryFactory, ProductFactory
from marketing.tests.factories import DiscountFactory, PromotionFactory

pytestmark = pytest.mark.django_db


def render() -> str:
    return render_to_string("marketing/_home_promotions.html", {})


def test_it_shows_running_promotions_and_discounts_only():
    electronics = CategoryFactory(name="Electronics", slug="electronics")
    PromotionFactory(name="Spend 200 save 30", threshold=Decimal("200.00"), amount_off=Decimal("30.00"))
    PromotionFactory(name="Gold treat", tiers=["gold"])
    DiscountFactory(name="Electronics week", value=Decimal("15.00"), categories=[electronics])
    DiscountFactory(name="Next month", starts_at=timezone.now() + timedelta(days=30),
                    ends_at=timezone.now() + timedelta(days=40))

    html = render()

    assert "Spend ¥200.00, get ¥30.00 off." in html
    assert "for Gold members" in html
    assert "Electronics week" in html and "−15 %" in html
    assert 'href="/c/electronics/"' in html
    assert "Next month" not in html


def test_it_renders_nothing_when_nothing_runs():
    assert "Offers now" not in render()


@pytest.mark.parametrize("count", [1, 6])
def test_it_takes_five_queries_however_many_offers_run(count, django_assert_num_queries):
    for _ in range(count):
        PromotionFactory(categories=[CategoryFactory()])
        DiscountFactory(categories=[CategoryFactory()], products=[ProductFactory(), ProductFactory()])

    with django_assert_num_queries(5):
        render()
