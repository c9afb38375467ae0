"""Placing a flash-sale order: marketing's gate and reservation around orders' own placement.

orders calls marketing, never the reverse. The order is written by `order_place` like any
other, from one flash item (the fixed flash price, no discount, promotion, coupon or points;
no stock taken, the sale set its units aside) with the short flash payment timeout. The steps
run cheapest refusal first: the cached sale, `flash_admit` (window and Redis gate, no query),
then one transaction (address, `order_place`, `flash_reserve` last so the sale row is locked
only until commit); if that fails, the gate's units go back. See docs/flash-sales.md.
"""

from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils.translation import gettext

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
        raise NotFound(gettext("No such flash sale."))
    return sale


def flash_order_place(
    *, user, sale_id: int, quantity, address: Mapping | None = None, address_id: int | None = None,
    buyer_confirm: Callable[[], object] | None = None,
) -> Order:
    """Place an order for `quantity` units of a flash sale; return it (pending payment).

    Deliver to `address` (inline fields) or the user's saved address `address_id`. Raise
    NotFound, InvalidQuantity, InvalidAddress, NotActive (400), SoldOut, LimitReached (409).
    `buyer_confirm`, if given, runs once the gate has admitted the attempt and before anything
    is written: a caller that knows the buyer from a cache checks them against the database
    there, where a refusal costs no query; whatever it raises refuses the attempt.
    """
    sale = flash_sale_get(sale_id=sale_id)
    quantity = quantity_check(quantity)
    if address is None and address_id is None:
        raise InvalidAddress()
    admission = flash_admit(sale=sale, user=user, quantity=quantity)
    try:
        if buyer_confirm is not None:
            buyer_confirm()
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
