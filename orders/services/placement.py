"""Placing an order: re-price, reserve, redeem, write, in one transaction; idempotent per key."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import ADDRESS_FIELDS, Address, User
from catalog.models import Sku
from catalog.services import stock_reserve
from marketing.services import coupon_redeem
from orders.errors import CartEmpty, IdempotencyConflict, InvalidAddress, TooManyUnpaidOrders
from orders.models import CartLine, Order, OrderAdjustment, OrderEvent, OrderLine
from orders.pricing import Item, Quote, quote_build
from orders.services.cart import quantity_check, sku_for_sale_check
from orders.services.lifecycle import order_transition
from orders.services.mail import order_email_queue
from orders.webhooks import order_event_record
from points.services import points_redeem
from shop.celery import enqueue_on_commit
from shop.shopper import shopper_changed

# The snapshot keeps accounts.models.ADDRESS_FIELDS; these must not be empty.
ADDRESS_REQUIRED = ("name", "phone", "line1", "city", "postcode", "country")


def address_snapshot(address: Mapping) -> dict:
    """Return the address fields an order keeps; raise InvalidAddress if one is missing."""
    if not isinstance(address, Mapping):
        raise InvalidAddress()
    snapshot = {name: str(address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    missing = [name for name in ADDRESS_REQUIRED if not snapshot[name]]
    if missing:
        raise InvalidAddress(_("The address lacks: %(fields)s.") % {"fields": ', '.join(missing)}, fields=missing)
    return snapshot


def address_resolve(*, user, address_id=None, inline: Mapping | None = None) -> dict:
    """Return the snapshot of the delivery address: `user`'s saved `address_id` or `inline`.

    Exactly one must be given; the id must be a whole number (not a bool, a float or a
    string) of one of the user's own addresses. Raise InvalidAddress otherwise.
    """
    if (address_id is None) == (inline is None):
        raise InvalidAddress(_("Give either address_id (a saved address) or an inline address."))
    if inline is not None:
        return address_snapshot(inline)
    if isinstance(address_id, bool) or not isinstance(address_id, int):
        raise InvalidAddress(_("address_id must be a positive whole number."), fields=["address_id"])
    address = Address.objects.filter(pk=address_id, user=user).first()
    if address is None:
        raise InvalidAddress(_("No such address in your address book."), fields=["address_id"])
    return address_snapshot(address.as_snapshot())


def items_for_skus(*, pairs: Sequence[tuple[Sku, int]]) -> list[Item]:
    """Return pricing items for (sku, quantity) pairs, one item per SKU (quantities added)."""
    merged: dict[int, list] = {}
    for sku, quantity in pairs:
        quantity = quantity_check(quantity)
        if sku.pk in merged:
            merged[sku.pk][1] += quantity
            quantity_check(merged[sku.pk][1])
        else:
            merged[sku.pk] = [sku, quantity]
    return [Item(sku=sku, quantity=quantity) for sku, quantity in merged.values()]


def cart_items(*, user) -> list[Item]:
    """Return the user's cart as pricing items (one query)."""
    lines = CartLine.objects.filter(cart__user=user).select_related("sku__product")
    return [Item(sku=line.sku, quantity=line.quantity) for line in lines]


def order_place(
    *, user, address: Mapping, items: Sequence[Item] | None = None, coupon_code: str = "",
    points: int = 0, idempotency_key: str = "", request_hash: str = "",
) -> tuple[Order, bool]:
    """Place an order from `items` (or, when None, the user's cart); return (order, created).

    All or nothing: the re-priced quote, stock, the coupon use, the points, the order with
    its lines, adjustments and first event, and (from the cart) the removal of the ordered
    cart lines commit together. The same `idempotency_key` with the same `request_hash`
    returns the first order (created=False); with another hash it raises
    IdempotencyConflict. Flash lines (Item.flash_price) are not taken from stock here:
    their units were set aside by the flash sale.
    """
    if idempotency_key:
        replay = _replay(user=user, key=idempotency_key, request_hash=request_hash)
        if replay is not None:
            return replay, False
    snapshot = address_snapshot(address)
    from_cart = items is None
    items = cart_items(user=user) if from_cart else list(items)
    if not items:
        raise CartEmpty()
    for item in items:
        quantity_check(item.quantity)
        sku_for_sale_check(item.sku)
    quote = quote_build(user=user, items=items, coupon_code=coupon_code, points=points)
    try:
        order = _write(user=user, quote=quote, address=snapshot, from_cart=from_cart,
                       idempotency_key=idempotency_key, request_hash=request_hash)
    except IntegrityError:
        # Two requests with one key raced: the loser's INSERT hit the unique constraint and
        # its whole transaction (stock included) rolled back. Answer with the winner.
        if not idempotency_key:
            raise
        replay = _replay(user=user, key=idempotency_key, request_hash=request_hash)
        if replay is None:
            raise
        return replay, False
    return order, True


def _replay(*, user, key: str, request_hash: str) -> Order | None:
    order = Order.objects.filter(user=user, idempotency_key=key).first()
    if order is not None and order.request_hash != request_hash:
        raise IdempotencyConflict()
    return order


def _take_resources(*, order: Order, user, quote: Quote) -> None:
    """Take what the order uses up: stock (flash lines excepted), the coupon use, the points."""
    reserve = {line.sku_id: line.quantity for line in quote.lines if not line.is_flash}
    if reserve:
        stock_reserve(lines=reserve)
    if quote.coupon is not None:
        coupon_redeem(coupon_id=quote.coupon.source_id, user=user, reference=order.reference)
    if quote.points_redeemed:
        points_redeem(user=user, points=quote.points_redeemed, reference=order.reference)


def _write_lines(*, order: Order, quote: Quote) -> None:
    """Write the order's lines and adjustments from the quote, and keep them on `order`.

    The caller usually shows the new order at once: it gets its parts as a prefetch would
    leave them, instead of reading back what was just written.
    """
    lines = OrderLine.objects.bulk_create([
        OrderLine(
            order=order, sku_id=line.sku_id, sku_code=line.sku_code, name=line.name,
            attributes=line.attributes, base_price=line.base_price, unit_price=line.unit_price,
            price_label=line.price_label, quantity=line.quantity, line_total=line.line_total,
            is_flash=line.is_flash, flash_sale_id=line.flash_sale_id,
        )
        for line in quote.lines
    ])
    adjustments = OrderAdjustment.objects.bulk_create([
        OrderAdjustment(order=order, kind=adj.kind, label=adj.label, amount=adj.amount,
                        source_id=adj.source_id)
        for adj in quote.adjustments
    ]) if quote.adjustments else []
    order._prefetched_objects_cache = {
        "lines": _as_prefetched(order.lines.all(), lines),
        "adjustments": _as_prefetched(order.adjustments.all(), adjustments),
        "shipments": _as_prefetched(order.shipments.all(), []),
    }


def _as_prefetched(queryset, rows: list):
    """Return `queryset` holding `rows` as its result, the way prefetch_related leaves it."""
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


def unpaid_orders_check(*, user, new_order: Order) -> None:
    """Raise TooManyUnpaidOrders if `user` holds SHOP_MAX_UNPAID_ORDERS unpaid orders besides
    `new_order`.

    Unpaid orders hold stock until they time out, so one shopper may not hold many. Call it
    inside the placing transaction, after the new order's row is written: the user's row is
    locked first, so one shopper's concurrent checkouts count one after another (each
    count, a new statement, sees the orders committed before it got the lock) and never
    pass the cap together. The order row comes before the lock so that a replayed
    Idempotency-Key still meets the first order's unique index first and is answered with
    that order, even at the cap.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.SHOP_MAX_UNPAID_ORDERS
    unpaid = Order.objects.filter(user=user, status=Order.Status.PENDING_PAYMENT).exclude(
        pk=new_order.pk
    )
    if unpaid.count() >= limit:
        waiting = ngettext("You have %(n)d order waiting for payment.",
                           "You have %(n)d orders waiting for payment.", limit) % {"n": limit}
        raise TooManyUnpaidOrders(f"{waiting} Pay or cancel one before placing another.")


def payment_timeout(*, items) -> timedelta:
    """Return how long the shopper has to pay: shorter when a flash-sale line is in it."""
    if any(getattr(line, "is_flash", False) for line in items):
        return settings.FLASH_SALE_PAYMENT_TIMEOUT
    return settings.ORDER_PAYMENT_TIMEOUT


@transaction.atomic
def _write(*, user, quote: Quote, address: dict, from_cart: bool, idempotency_key: str,
           request_hash: str) -> Order:
    now = timezone.now()
    # The order row first: a second request with the same Idempotency-Key waits here on the
    # unique index, before it has taken any stock.
    order = Order.objects.create(
        user=user, address=address, subtotal=quote.subtotal, shipping=quote.shipping,
        points_redeemed=quote.points_redeemed, total=quote.total, currency=quote.currency,
        coupon_code=quote.coupon.code if quote.coupon else "",
        pay_by=now + payment_timeout(items=quote.lines),
        idempotency_key=idempotency_key, request_hash=request_hash,
    )
    # The number comes from the row id, which needs no lock shared between checkouts.
    order.number = f"SO{timezone.localdate(now):%Y%m%d}{order.pk:06d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)
    if order.total > 0:  # an order with nothing to pay is paid below, never held unpaid
        unpaid_orders_check(user=user, new_order=order)

    _take_resources(order=order, user=user, quote=quote)
    _write_lines(order=order, quote=quote)
    OrderEvent.objects.create(order=order, from_status="", to_status=order.status, actor=user,
                              note=gettext_noop("Order placed"))
    order_event_record(order=order, type="order.placed")
    if from_cart:
        CartLine.objects.filter(cart__user=user, sku_id__in=[line.sku_id for line in quote.lines]).delete()
        shopper_changed(user_id=user.pk)  # the header's cart count

    order_email_queue(order=order, kind="placed")
    if order.total == 0:
        # Nothing to pay (coupon and points covered it): paid at once.
        order_transition(order=order, action="pay", actor=user, note=gettext_noop("Nothing to pay"))
        enqueue_on_commit("orders.tasks.order_settle_task", order.pk)
    return order
