"""Orders reads: carts for a request, orders a user may see, the numbers pages show, and
"bought together" (the product page's recommendation from the shop's own orders)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.selectors import products_base
from orders.models import Cart, CartLine, Order, OrderEvent, OrderLine
from orders.pricing import Item
from orders.services import cart_get_or_create
from shop.money import ZERO

# The session key holding a visitor's cart token (survives the session key change at login).
CART_TOKEN = "cart_token"


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    """Return the cart of the signed-in shopper or of this visitor's session.

    With create=True a missing cart is made (a visitor's token kept in the session).
    """
    if request.user.is_authenticated:
        cart = Cart.objects.filter(user=request.user).first()
        if cart is None and create:
            cart = cart_get_or_create(user=request.user)
        return cart
    token = request.session.get(CART_TOKEN)
    cart = Cart.objects.filter(token=token, user__isnull=True).first() if token else None
    if cart is None and create:
        cart = cart_get_or_create(token=None)
        request.session[CART_TOKEN] = cart.token
    return cart


def cart_lines(cart: Cart | None) -> list[CartLine]:
    """Return the cart's lines with SKU, product and images loaded (fixed query count)."""
    if cart is None:
        return []
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product")
        .prefetch_related("sku__product__images")
    )


def cart_count(request) -> int:
    """Return how many items are in the request's cart (for the header)."""
    if request.user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=request.user)
    else:
        token = request.session.get(CART_TOKEN)
        if not token:
            return 0
        lines = CartLine.objects.filter(cart__token=token, cart__user__isnull=True)
    return sum(lines.values_list("quantity", flat=True))


def items_of(lines: list[CartLine]) -> list[Item]:
    return [Item(sku=line.sku, quantity=line.quantity) for line in lines]


def orders_visible_to(user) -> QuerySet[Order]:
    """Return the orders `user` may read: their own, or all with the order view permission."""
    if not user.is_authenticated:
        return Order.objects.none()
    if user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.filter(user=user)


def order_detail_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Load everything an order page or JSON shows, in a fixed number of queries."""
    return queryset.select_related("user").prefetch_related(
        "lines", "adjustments", "shipments__events",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
    )


# What each step means to the shopper. The stored notes are for staff: they name the gateway
# and its reference ("Paid through dummy (dummy_…)") and the bookkeeping ("Settled").
SHOPPER_EVENT_NOTES = {
    Order.Status.PAID: _("Payment received"),
    Order.Status.PROCESSING: _("Preparing your order"),
    Order.Status.REFUNDED: _("Your payment is on its way back to you"),
}


def order_paid_at(order: Order) -> datetime | None:
    """Return when the order was paid (its prefetched events), or None if it never was."""
    return next((event.created_at for event in order.events.all()
                 if event.to_status == Order.Status.PAID), None)


def event_note_for_shopper(event: OrderEvent) -> str:
    """Return the line the shopper's order page shows under a status change."""
    if not event.from_status:
        return gettext("Order placed")
    if event.to_status in SHOPPER_EVENT_NOTES:
        return str(SHOPPER_EVENT_NOTES[event.to_status])
    # Cancellations and completions keep their (marked) reason; a shipment its carrier and
    # tracking number.
    return gettext(event.note) if event.note else ""


# --- Sales figures (the admin dashboard and the sales report API) --------------------------

S = Order.Status
# The event that makes a sale: the payment moved the order to paid (once per order).
PAID_EVENT = Q(to_status=S.PAID)
# The events that give the money back: a refund, or staff cancelling a paid order.
REFUND_EVENT = Q(to_status=S.REFUNDED) | Q(
    to_status=S.CANCELLED, from_status__in=[S.PAID, S.PROCESSING])
# Orders still waiting for their parcel: paid, or settled and being packed.
TO_SHIP = [S.PAID, S.PROCESSING]


@dataclass(frozen=True)
class SalesDay:
    """One day of sales in the shop's time zone; `revenue` = `paid` − `refunded`."""

    date: date
    orders: int
    paid: Decimal
    refunded: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.paid - self.refunded


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the instants the shop's days `start` to `end` (inclusive) begin and stop at."""
    tz = timezone.get_default_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def sales_by_day(*, start: date, end: date) -> list[SalesDay]:
    """Return every day from `start` to `end` (inclusive, shop's time zone), empty days too.

    A paid order counts on the day it was paid, with its total; a refund (or a paid order
    cancelled by staff) subtracts that total on the day of the refund, whenever the order
    was paid. One query: the order events of the range grouped by local day.
    """
    since, until = day_bounds(start, end)
    tz = timezone.get_default_timezone()
    rows = (
        OrderEvent.objects.filter(PAID_EVENT | REFUND_EVENT, created_at__gte=since,
                                  created_at__lt=until)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            orders=Count("pk", filter=PAID_EVENT),
            paid=Sum("order__total", filter=PAID_EVENT),
            refunded=Sum("order__total", filter=REFUND_EVENT),
        )
        .order_by("day")
    )
    found = {row["day"]: row for row in rows}
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        row = found.get(day, {})
        days.append(SalesDay(date=day, orders=row.get("orders") or 0,
                             paid=row.get("paid") or ZERO, refunded=row.get("refunded") or ZERO))
    return days


def orders_to_ship(*, limit: int = 10) -> tuple[int, list[Order]]:
    """Return how many paid orders wait to be shipped, and the `limit` oldest (two queries)."""
    waiting = Order.objects.filter(status__in=TO_SHIP)
    return waiting.count(), list(waiting.select_related("user").order_by("created_at", "pk")[:limit])


def top_products(*, start: date, end: date, limit: int = 10) -> list[dict]:
    """Return the best-selling products by line revenue among orders paid in the range.

    `[{product_id, name, units, revenue}]`, highest revenue first (one query). Revenue is
    the lines' total before order-level reductions (promotions, coupons, points); orders
    since cancelled or refunded do not count; lines whose SKU was deleted name no product.
    """
    since, until = day_bounds(start, end)
    # From the range's payment events (indexed) to their orders' lines, not the other way.
    paid_in_range = OrderEvent.objects.filter(
        PAID_EVENT, created_at__gte=since, created_at__lt=until
    ).values("order_id")
    rows = (
        OrderLine.objects.filter(order_id__in=paid_in_range, sku__isnull=False)
        .exclude(order__status__in=[S.CANCELLED, S.REFUNDED])
        .values("sku__product_id", "sku__product__name")
        .annotate(units=Sum("quantity"), revenue=Sum("line_total"))
        .order_by("-revenue", "sku__product__name")[:limit]
    )
    return [
        {"product_id": row["sku__product_id"], "name": row["sku__product__name"],
         "units": row["units"], "revenue": row["revenue"]}
        for row in rows
    ]


# --- Bought together (the product page, through settings.SHOP_BOUGHT_TOGETHER) -------------

# Orders that were paid and stand: not awaiting payment, cancelled or refunded.
BOUGHT_STATUSES = [S.PAID, S.PROCESSING, S.SHIPPED, S.COMPLETED]
# A new paid order shows within this many seconds (the answer is cached per product).
BOUGHT_TOGETHER_SECONDS = 60


def bought_together_ids(slug: str, *, limit: int = 8) -> list[int]:
    """Return the products for sale most often in the same paid orders as product `slug`.

    Their ids, most orders in common first (ties: the older product first), at most
    `limit`. One aggregate query whatever the number of orders: the order lines of the
    standing paid orders joined to the lines of the same order that hold the product,
    counted per other product; the product-for-sale rule (catalog's) is a subquery of it.
    The answer is kept BOUGHT_TOGETHER_SECONDS in the cache, by slug, so the product API's
    revalidation reads no table.
    """
    key = f"orders:bought-together:{limit}:{slug}"
    found = cache.get(key)
    if found is not None:
        return found
    rows = (
        OrderLine.objects.filter(
            order__status__in=BOUGHT_STATUSES,
            order__lines__sku__product__slug=slug,  # the self-join: same order, this product
            sku__product_id__in=products_base().exclude(slug=slug).values("pk"),
        )
        .values("sku__product_id")
        .annotate(orders=Count("order_id", distinct=True))
        .order_by("-orders", "sku__product_id")[:limit]
    )
    found = [row["sku__product_id"] for row in rows]
    cache.set(key, found, BOUGHT_TOGETHER_SECONDS)
    return found
