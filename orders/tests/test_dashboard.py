"""The admin's front page: sales figures by the shop's day, lists, and a fixed query count."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from orders.gateways.dummy import payment_simulate
from orders.models import Order
from orders.reports import dashboard_for, sales_chart
from orders.selectors import sales_by_day
from orders.services import order_cancel, order_refund, order_settle
from orders.tests.factories import SkuFactory, UserFactory, place

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 7)
NOON_TODAY = datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _shop_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of December 2026 in the shop's time zone."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


def paid_order(when: datetime, price: str, *, settle: bool = True) -> Order:
    """Place and pay an order at `when` (a minute to place, the payment at `when`)."""
    with time_machine.travel(when - timedelta(minutes=1), tick=False):
        order = place(skus=[SkuFactory(price=Decimal(price), stock=50)])
    with time_machine.travel(when, tick=False):
        payment_simulate(order=order, outcome="approve")
        if settle:
            order_settle(order_id=order.pk)
    order.refresh_from_db()
    return order


@pytest.fixture
def known_sales():
    """Paid, refunded and cancelled orders over several days (totals include ¥10 shipping)."""
    orders = {
        # Paid a few seconds before midnight: the 6th in Shanghai (and in UTC, 15:59).
        "before_midnight": paid_order(at(6, 23, 59, 50), "40.00"),          # 50.00
        # Paid just after midnight: the 7th in Shanghai, still the 6th in UTC.
        "after_midnight": paid_order(at(7, 0, 0, 30), "20.00"),             # 30.00
        "refunded_later": paid_order(at(5, 10), "150.00"),                  # 150.00
        "cancelled_paid": paid_order(at(4, 9), "60.00", settle=False),      # 70.00
        "too_old": paid_order(at(7, 9) - timedelta(days=45), "500.00"),     # 500.00
    }
    with time_machine.travel(at(7, 9), tick=False):
        order_refund(order=orders["refunded_later"])
    with time_machine.travel(at(4, 18), tick=False):
        order_cancel(order=orders["cancelled_paid"], by_staff=True)
    with time_machine.travel(at(3, 8), tick=False):
        unpaid = place(skus=[SkuFactory(price=Decimal("80.00"))])
        order_cancel(order=unpaid)  # never paid: no sale, no refund
    return orders


def test_sales_by_day_counts_payments_and_refunds_on_the_shops_days(known_sales):
    days = {d.date: d for d in sales_by_day(start=date(2026, 12, 3), end=TODAY)}

    assert list(days) == [date(2026, 12, n) for n in range(3, 8)]
    assert (days[date(2026, 12, 7)].orders, days[date(2026, 12, 7)].revenue) == (1, Decimal("-120.00"))
    assert (days[date(2026, 12, 7)].paid, days[date(2026, 12, 7)].refunded) == (
        Decimal("30.00"), Decimal("150.00"))
    assert (days[date(2026, 12, 6)].orders, days[date(2026, 12, 6)].revenue) == (1, Decimal("50.00"))
    assert (days[date(2026, 12, 5)].orders, days[date(2026, 12, 5)].revenue) == (1, Decimal("150.00"))
    # Paid and cancelled by staff the same day: counted, and given back.
    assert (days[date(2026, 12, 4)].orders, days[date(2026, 12, 4)].revenue) == (1, Decimal("0.00"))
    assert (days[date(2026, 12, 3)].orders, days[date(2026, 12, 3)].revenue) == (0, Decimal("0.00"))


def test_the_dashboard_shows_today_and_the_last_30_days(known_sales):
    board = dashboard_for(user=StaffFactory(is_superuser=True), today=TODAY)

    assert (board.today_sales.orders, board.today_sales.revenue) == (1, Decimal("-120.00"))
    # 50 + 30 + 150 + 70 paid, 150 + 70 refunded; the order 45 days old is outside.
    assert board.period_sales.orders == 4
    assert board.period_sales.paid == Decimal("300.00")
    assert board.period_sales.refunded == Decimal("220.00")
    assert board.period_sales.revenue == Decimal("80.00")
    assert len(board.days) == 30 and board.days[0].date == date(2026, 11, 8)
    # Refunded and cancelled orders sell nothing; the lines rank by their revenue.
    assert [(p["name"], p["revenue"]) for p in board.top_products] == [
        (known_sales["before_midnight"].lines.get().sku.product.name, Decimal("40.00")),
        (known_sales["after_midnight"].lines.get().sku.product.name, Decimal("20.00")),
    ]
    # Every paid order not yet shipped, refunded or cancelled waits, oldest first.
    assert board.to_ship_count == 3
    assert [o.number for o in board.to_ship] == [known_sales[name].number for name in
                                                 ("too_old", "before_midnight", "after_midnight")]


def test_the_front_page_shows_the_figures_with_the_currency(known_sales, client):
    client.force_login(StaffFactory(is_superuser=True))

    with time_machine.travel(NOON_TODAY, tick=False):
        page = client.get(reverse("admin:index")).content.decode()

    assert 'data-testid="sales-chart"' in page
    assert "−¥120.00" in page  # today's revenue after the refund
    assert "¥80.00" in page    # the 30 days
    assert known_sales["before_midnight"].number in page  # waiting to ship, linked


def test_the_chart_draws_one_bar_per_day_and_the_orders_line():
    days = sales_by_day(start=date(2026, 11, 8), end=TODAY)

    chart = sales_chart(days)

    assert len(chart.bars) == 30 and len(chart.dots) == 30
    assert all(bar.height == 0 for bar in chart.bars)
    assert all(0 <= x <= chart.width and 0 <= y <= chart.height for x, y in chart.dots)


def test_a_fulfilment_clerk_sees_sales_but_not_stock_flash_sales_or_points():
    clerk = UserFactory(is_staff=True)
    clerk.groups.add(Group.objects.get(name="Fulfilment staff"))

    board = dashboard_for(user=clerk, today=TODAY)

    assert board.days is not None and board.to_ship is not None
    assert board.low_stock is None and board.flash_sales is None and board.points is None


def test_a_catalogue_clerk_sees_low_stock_but_no_sales():
    clerk = UserFactory(is_staff=True)
    clerk.groups.add(Group.objects.get(name="Catalog staff"))
    low = SkuFactory(stock=2)
    SkuFactory(stock=50)

    board = dashboard_for(user=clerk, today=TODAY)

    assert board.days is None and board.to_ship is None
    assert (board.low_stock_count, board.low_stock) == (1, [low])


def _front_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(queries)


def test_the_dashboard_runs_a_fixed_number_of_queries(django_assert_num_queries):
    superuser = StaffFactory(is_superuser=True)
    with time_machine.travel(NOON_TODAY - timedelta(days=1), tick=False):
        paid_order(at(6, 10), "30.00")
    with django_assert_num_queries(8):
        dashboard_for(user=superuser, today=TODAY)

    for day in range(1, 7):
        for hour in (9, 15, 21):
            paid_order(at(day, hour), "25.00")
    SkuFactory.create_batch(15, stock=1)

    with django_assert_num_queries(8):
        board = dashboard_for(user=superuser, today=TODAY)
    assert board.period_sales.orders == 19


def test_the_front_page_runs_as_many_queries_for_many_orders_as_for_one(client):
    clerk = UserFactory(is_staff=True)
    clerk.groups.add(*Group.objects.filter(name__in=["Fulfilment staff", "Catalog staff"]))
    client.force_login(clerk)
    paid_order(at(6, 10), "30.00")
    with time_machine.travel(NOON_TODAY, tick=False):
        _front_page_queries(client)  # the header figures, cached per shopper from here on
        one = _front_page_queries(client)

    for day in range(1, 7):
        for hour in (9, 15):
            paid_order(at(day, hour), "25.00")

    with time_machine.travel(NOON_TODAY, tick=False):
        many = _front_page_queries(client)
    assert many == one


# --- The sales report API -----------------------------------------------------------------


def _api_as(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_sales_report_equals_the_dashboard_for_the_same_days(known_sales):
    superuser = StaffFactory(is_superuser=True)
    board = dashboard_for(user=superuser, today=TODAY)

    response = _api_as(superuser).get("/api/v1/reports/sales/",
                                      {"from": "2026-11-08", "to": "2026-12-07"})

    assert response.status_code == 200
    rows = response.json()
    assert rows == [{"date": d.date.isoformat(), "orders": d.orders, "revenue": f"{d.revenue:.2f}"}
                    for d in board.days]
    assert rows[-1] == {"date": "2026-12-07", "orders": 1, "revenue": "-120.00"}
    assert rows[-2] == {"date": "2026-12-06", "orders": 1, "revenue": "50.00"}


def test_a_fulfilment_clerk_reads_the_report_and_a_shopper_gets_403():
    clerk = UserFactory()
    clerk.groups.add(Group.objects.get(name="Fulfilment staff"))
    url = "/api/v1/reports/sales/"

    assert _api_as(clerk).get(url).status_code == 200
    refused = _api_as(UserFactory()).get(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    from rest_framework.test import APIClient
    assert APIClient().get(url).status_code == 401


def test_the_report_defaults_to_the_last_30_days():
    api = _api_as(StaffFactory(is_superuser=True))
    with time_machine.travel(NOON_TODAY, tick=False):
        rows = api.get("/api/v1/reports/sales/").json()
        blank = api.get("/api/v1/reports/sales/?from=&to=").json()

    assert [rows[0]["date"], rows[-1]["date"], len(rows)] == ["2026-11-08", "2026-12-07", 30]
    assert blank == rows


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "yesterday"}, "from"),
    ({"to": "2026-02-30"}, "to"),
    ({"from": "2026-12-07", "to": "2026-12-01"}, "from"),
    ({"from": "2025-01-01", "to": "2026-12-07"}, "to"),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
    ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
])
def test_bad_dates_are_field_errors(query, field):
    response = _api_as(StaffFactory(is_superuser=True)).get("/api/v1/reports/sales/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_marketing_staff_see_flash_sales_with_units_left_and_points_figures():
    from marketing.models import FlashSale
    from marketing.tests.factories import FlashSaleFactory
    from points.services import points_adjust, points_award, points_redeem

    running = FlashSaleFactory(quantity=20)
    FlashSale.objects.filter(pk=running.pk).update(sold=7)
    upcoming = FlashSaleFactory(starts_at=timezone.now() + timedelta(days=1),
                                ends_at=timezone.now() + timedelta(days=2))
    ended = FlashSaleFactory()
    FlashSale.objects.filter(pk=ended.pk).update(  # ended: not listed
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2))
    shopper = UserFactory()
    points_award(user=shopper, points=300, reference="order:SO1")
    points_redeem(user=shopper, points=120, reference="order:SO2")
    points_adjust(user=shopper, delta=50, reason="goodwill")  # neither issued nor redeemed
    points_award(user=shopper, points=999, reference="order:SO0",
                 at=timezone.now() - timedelta(days=40))  # before the 30 days
    clerk = UserFactory(is_staff=True)
    clerk.groups.add(Group.objects.get(name="Marketing staff"))
    clerk.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))

    board = dashboard_for(user=clerk)

    assert [(sale.pk, sale.remaining) for sale in board.flash_sales] == [(running.pk, 13),
                                                                        (upcoming.pk, 20)]
    assert board.points == {"issued": 300, "redeemed": 120}
    assert board.days is None  # marketing staff do not read orders
