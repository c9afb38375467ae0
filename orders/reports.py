"""The staff dashboard: figures from the apps' selectors, only those the user may see.

Every figure is an aggregate or a bounded list, so the page runs the same number of queries
whatever the number of orders, SKUs or ledger entries. The chart of the last 30 days is
drawn here as SVG geometry (the template writes it out): no script, no CDN, and it scales
to any width.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from catalog.selectors import skus_low_stock
from marketing.flash import flash_sales_listed
from orders.selectors import SalesDay, day_bounds, orders_to_ship, sales_by_day, top_products
from points.selectors import points_issued_and_redeemed
from shop.money import ZERO, format_money

WINDOW_DAYS = 30
LIST_LIMIT = 10

# Which permission each part of the dashboard needs.
SALES_PERMISSION = "orders.view_order"
STOCK_PERMISSION = "catalog.view_sku"
FLASH_PERMISSION = "marketing.view_flashsale"
POINTS_PERMISSION = "points.view_ledgerentry"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    negative: bool = False


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    """Revenue per day as bars, orders per day as a line, in a WIDTH × HEIGHT viewBox."""

    width: int
    height: int
    baseline: float
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # the orders line: "x,y x,y …"
    dots: list[tuple[float, float]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    plot_left: float = 0
    plot_right: float = 0


@dataclass
class Dashboard:
    """What the admin's front page shows; a part the user may not see is None."""

    today: date
    start: date
    days: list[SalesDay] | None = None
    today_sales: SalesDay | None = None
    period_sales: SalesDay | None = None
    chart: Chart | None = None
    top_products: list[dict] | None = None
    to_ship_count: int | None = None
    to_ship: list | None = None
    low_stock_count: int | None = None
    low_stock: list | None = None
    low_stock_threshold: int = 0
    flash_sales: list | None = None
    points: dict | None = None


def dashboard_for(*, user, today: date | None = None) -> Dashboard:
    """Return the dashboard of `user`: each part needs the permission to read its data."""
    today = today or timezone.localdate()
    start = today - timedelta(days=WINDOW_DAYS - 1)
    board = Dashboard(today=today, start=start, low_stock_threshold=settings.SHOP_LOW_STOCK)
    if user.has_perm(SALES_PERMISSION):
        days = sales_by_day(start=start, end=today)
        board.days = days
        board.today_sales = days[-1]
        board.period_sales = SalesDay(
            date=start, orders=sum(d.orders for d in days),
            paid=sum((d.paid for d in days), ZERO), refunded=sum((d.refunded for d in days), ZERO),
        )
        board.chart = sales_chart(days)
        board.top_products = top_products(start=start, end=today, limit=LIST_LIMIT)
        board.to_ship_count, board.to_ship = orders_to_ship(limit=LIST_LIMIT)
    if user.has_perm(STOCK_PERMISSION):
        board.low_stock_count, board.low_stock = skus_low_stock(
            threshold=settings.SHOP_LOW_STOCK, limit=LIST_LIMIT)
    if user.has_perm(FLASH_PERMISSION):
        board.flash_sales = list(flash_sales_listed(at=timezone.now())[:LIST_LIMIT])
    if user.has_perm(POINTS_PERMISSION):
        since, until = day_bounds(start, today)
        board.points = points_issued_and_redeemed(since=since, until=until)
    return board


def sales_chart(days: list[SalesDay], *, width: int = 600, height: int = 240) -> Chart:
    """Lay out revenue bars and the orders line for `days` (at least one)."""
    left, right, top, bottom = 64, 40, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    high = max([d.revenue for d in days] + [ZERO])
    low = min([d.revenue for d in days] + [ZERO])
    span = (high - low) or 1
    baseline = top + float(high / span) * plot_h
    slot = plot_w / len(days)
    most_orders = max(d.orders for d in days) or 1
    chart = Chart(width=width, height=height, baseline=round(baseline, 1),
                  plot_left=left, plot_right=width - right)
    points = []
    for index, day in enumerate(days):
        x = left + index * slot
        bar_h = float(abs(day.revenue) / span) * plot_h
        y = baseline - bar_h if day.revenue >= 0 else baseline
        chart.bars.append(Bar(
            x=round(x + slot * 0.15, 1), y=round(y, 1), width=round(slot * 0.7, 1),
            height=round(bar_h, 1), negative=day.revenue < 0,
            title=f"{day.date:%Y-%m-%d}: {format_money(day.revenue)}, {day.orders} order(s)",
        ))
        cx = x + slot / 2
        cy = top + plot_h - (day.orders / most_orders) * plot_h
        points.append((round(cx, 1), round(cy, 1)))
    chart.line = " ".join(f"{x},{y}" for x, y in points)
    chart.dots = points
    chart.labels = [
        Label(x=left - 6, y=top + 10, text=format_money(high), anchor="end"),
        Label(x=left - 6, y=round(baseline + 4, 1), text=format_money(0), anchor="end"),
        Label(x=width - right + 6, y=top + 10, text=str(most_orders), anchor="start"),
        Label(x=left, y=height - 8, text=f"{days[0].date:%d %b}", anchor="start"),
        Label(x=width - right, y=height - 8, text=f"{days[-1].date:%d %b}", anchor="end"),
    ]
    if low < 0:
        chart.labels.append(Label(x=left - 6, y=top + plot_h, text=format_money(low), anchor="end"))
    return chart
