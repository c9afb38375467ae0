"""Placing a flash-sale order: marketing's gate and reservation around orders' own placement.

orders calls marketing, never the reverse. The order is written by `order_place` like any
other, from one flash item (orders/pricing.py: the fixed flash price, no discount, promotion,
coupon or points, shipping as usual; placement takes no stock for it, the sale set its units
aside) with the short flash payment timeout (FLASH_SALE_PAYMENT_TIMEOUT). The steps are
ordered so a refusal in a stampede stays cheap:

1. the sale from marketing's short-lived process cache — unknown id → 404, no query;
2. `flash_admit`: the window, then the Redis gate (one Lua call) — `not_active`, `sold_out`
   and `limit_reached` end here, before the database;
3. one transaction: the saved address, `order_place`, then `flash_reserve` — the conditional
   UPDATE on the sale's units comes last so the sale row stays locked only until commit;
4. if anything in 3 fails, the gate's units are given back (`Admission.give_back`).

A cancelled or unpaid flash order gives its units back through orders' cancel path
(`release_flash_units` → `marketing.flash.flash_release`); the unpaid-timeout sweep
(`orders_cancel_unpaid`) is that path too.
"""

from collections.abc import Mapping

from django.db import transaction

from accounts.models import Address
from catalog.models import Sku
from marketing.flash import flash_admit, flash_reserve, flash_sale_cached
from orders.errors import InvalidAddress
from orders.models import Order
from orders.pricing import Item
from orders.services.cart import quantity_check
from orders.services.placement import address_resolve, order_place
from shop.errors import NotFound


def flash_sale_get(*, sale_id: int):
    """Return the flash sale (cached copy) or raise NotFound (404)."""
    sale = flash_sale_cached(sale_id=sale_id)
    if sale is None:
        raise NotFound("No such flash sale.")
    return sale


def flash_order_place(
    *, user, sale_id: int, quantity, address: Mapping | None = None, address_id: int | None = None,
) -> Order:
    """Place an order for `quantity` units of a flash sale; return it (pending payment).

    Deliver to `address` (inline fields) or the user's saved address `address_id`. Raise
    NotFound, InvalidQuantity, InvalidAddress, NotActive (400), SoldOut, LimitReached (409).
    """
    sale = flash_sale_get(sale_id=sale_id)
    quantity = quantity_check(quantity)
    if address is None and address_id is None:
        raise InvalidAddress()
    admission = flash_admit(sale=sale, user=user, quantity=quantity)
    try:
        with transaction.atomic():
            address = address_resolve(user=user, address_id=address_id, inline=address)
            # The SKU fresh from the database: the cached copy may be seconds old.
            sku = Sku.objects.select_related("product").get(pk=sale.sku_id)
            item = Item(sku=sku, quantity=quantity, flash_price=sale.price, flash_sale_id=sale.pk)
            order, _ = order_place(user=user, address=address, items=[item])
            flash_reserve(sale=sale, user=user, quantity=quantity, reference=order.reference,
                          admission=admission)
    except BaseException:
        admission.give_back()  # a no-op when flash_reserve gave back or reconciled already
        raise
    return order


def default_address_id(*, user) -> int | None:
    """Return the id of the user's default address (else their newest), or None."""
    return Address.objects.filter(user=user).values_list("pk", flat=True).first()
