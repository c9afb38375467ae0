"""Cart writes: add, change, remove, and the merge of a visitor's cart at login.

Every write locks the cart row first, so two tabs adding the same SKU at once run one
after the other instead of tripping the one-line-per-SKU constraint.
"""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog.errors import OutOfStock
from catalog.models import Sku
from orders.errors import InvalidQuantity, SkuUnavailable
from orders.models import Cart, CartLine
from shop.shopper import shopper_changed

# The most of one SKU a line (cart or order) may hold; a setting like every rule amount.
MAX_QUANTITY = getattr(settings, "SHOP_MAX_LINE_QUANTITY", 99)


def quantity_check(quantity) -> int:
    """Return `quantity` as an int in 1..MAX_QUANTITY or raise InvalidQuantity."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        try:
            quantity = int(str(quantity).strip())
        except (TypeError, ValueError):
            raise InvalidQuantity() from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity(_("Choose a quantity between 1 and %(max)s.") % {"max": MAX_QUANTITY})
    return quantity


def sku_for_sale_check(sku: Sku) -> None:
    """Raise SkuUnavailable unless the SKU and its product are on sale."""
    if not (sku.is_active and sku.product.is_active):
        raise SkuUnavailable(_("%(name)s (%(code)s) is not for sale.") % {"name": sku.product.name, "code": sku.code}, sku=sku.code)


def _stock_check(sku: Sku, quantity: int) -> None:
    if sku.stock <= 0:
        raise OutOfStock(sku.code, _("%(name)s is out of stock.") % {"name": sku.product.name})
    if quantity > sku.stock:
        raise OutOfStock(
            sku.code,
            _("Only %(stock)s of %(name)s left: choose at most %(stock)s.")
            % {"stock": sku.stock, "name": sku.product.name},
        )


def cart_get_or_create(*, user=None, token: str | None = None) -> Cart:
    """Return the user's cart (or the visitor cart with `token`), creating it if missing.

    A visitor cart without a token gets a new one; the caller keeps `cart.token` in the
    session.
    """
    if user is not None:
        cart = Cart.objects.filter(user=user).first()
        if cart is not None:
            return cart
        try:
            with transaction.atomic():
                return Cart.objects.create(user=user)
        except IntegrityError:  # another request created it first
            return Cart.objects.get(user=user)
    if token:
        cart = Cart.objects.filter(token=token, user__isnull=True).first()
        if cart is not None:
            return cart
    return Cart.objects.create(token=secrets.token_urlsafe(32))


@transaction.atomic
def cart_add(*, cart: Cart, sku: Sku, quantity) -> CartLine:
    """Put `quantity` more of `sku` in the cart; the line may not exceed the stock.

    Raise InvalidQuantity, SkuUnavailable, or OutOfStock saying how many are left.
    """
    quantity = quantity_check(quantity)
    sku_for_sale_check(sku)
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    line = CartLine.objects.filter(cart=cart, sku=sku).first()
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > MAX_QUANTITY:
        raise InvalidQuantity(_("At most %(max)s of one item per order.") % {"max": MAX_QUANTITY})
    _stock_check(sku, new_quantity)
    shopper_changed(user_id=cart.user_id)  # the header's cart count
    if line is None:
        return CartLine.objects.create(cart=cart, sku=sku, quantity=new_quantity)
    line.quantity = new_quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_set_quantity(*, line: CartLine, quantity) -> CartLine:
    """Change a line's quantity (1..99, at most the stock)."""
    quantity = quantity_check(quantity)
    cart = Cart.objects.select_for_update().filter(pk=line.cart_id).first()
    sku = Sku.objects.select_related("product").get(pk=line.sku_id)
    sku_for_sale_check(sku)
    _stock_check(sku, quantity)
    shopper_changed(user_id=cart.user_id if cart else None)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_remove(*, line: CartLine) -> None:
    user_id = Cart.objects.filter(pk=line.cart_id).values_list("user_id", flat=True).first()
    line.delete()
    shopper_changed(user_id=user_id)  # after the delete: outside a transaction it moves at once


@transaction.atomic
def cart_merge(*, token: str, user) -> list[str]:
    """Move a visitor's cart into the user's at login; return notes for what was capped.

    Quantities of the same SKU are added, then capped by stock (and the per-line maximum);
    SKUs no longer for sale are dropped. The visitor cart is deleted.
    """
    source = Cart.objects.select_for_update().filter(token=token, user__isnull=True).first()
    if source is None:
        return []
    target = cart_get_or_create(user=user)
    Cart.objects.select_for_update().filter(pk=target.pk).first()
    existing = {line.sku_id: line for line in target.lines.all()}
    notes = []
    for line in source.lines.select_related("sku__product"):
        sku = line.sku
        name = sku.product.name
        if not (sku.is_active and sku.product.is_active) or sku.stock <= 0:
            notes.append(_("%(name)s is no longer available and was left out of your cart.") % {"name": name})
            continue
        mine = existing.get(sku.pk)
        wanted = line.quantity + (mine.quantity if mine else 0)
        quantity = min(wanted, sku.stock, MAX_QUANTITY)
        if quantity < wanted:
            notes.append(_("Only %(quantity)s of %(name)s can be in your cart; the quantity was lowered.")
                         % {"quantity": quantity, "name": name})
        if mine is None:
            CartLine.objects.create(cart=target, sku=sku, quantity=quantity)
        elif mine.quantity != quantity:
            mine.quantity = quantity
            mine.save(update_fields=["quantity"])
    source.delete()
    shopper_changed(user_id=user.pk)
    return notes
