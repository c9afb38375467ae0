"""Wishlists: a shopper's saved products, shown with today's effective prices and stock."""

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from catalog.models import Product, WishlistItem
from catalog.selectors import listing_ready, products_base
from shop.shopper import shopper_changed

# A wishlist is a shopper's short list, not a catalogue: pages and the API show this many.
WISHLIST_MAX = 200


@transaction.atomic
def wishlist_add(*, user, product: Product) -> tuple[WishlistItem, bool]:
    """Save `product` for `user`; return (the item, whether it is new). Saving twice is a no-op."""
    shopper_changed(user_id=user.pk)  # the hearts pages fill from the shopper's figures
    try:
        with transaction.atomic():
            return WishlistItem.objects.get_or_create(user=user, product=product)
    except IntegrityError:  # a second request of the same shopper won the insert
        return WishlistItem.objects.get(user=user, product=product), False


def wishlist_remove(*, user, product: Product) -> bool:
    """Remove `product` from `user`'s wishlist; return whether it was there."""
    deleted, _ = WishlistItem.objects.filter(user=user, product=product).delete()
    if deleted:
        shopper_changed(user_id=user.pk)
    return bool(deleted)


def wishlist_toggle(*, user, product: Product) -> bool:
    """Save `product` if it is not saved, else remove it; return whether it is saved now."""
    if wishlist_remove(user=user, product=product):
        return False
    wishlist_add(user=user, product=product)
    return True


# --- Reads -----------------------------------------------------------------------------


def wishlist_products(user) -> list[Product]:
    """Return `user`'s saved products for sale, latest saved first, ready to be priced.

    Each carries `price_from`, `total_stock`, its active SKUs and first image, as listings
    do (a fixed number of queries), and `saved_at`.
    """
    saved = WishlistItem.objects.filter(user=user, product=OuterRef("pk"))
    queryset = (products_base().filter(pk__in=WishlistItem.objects.filter(user=user)
                                       .values("product_id"))
                .annotate(saved_at=Subquery(saved.values("created_at")[:1]))
                .order_by("-saved_at", "-pk"))
    return list(listing_ready(queryset)[:WISHLIST_MAX])


def wishlist_product_ids(user) -> list[int]:
    """Return the ids of the products `user` saved (for the hearts on cards)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(WishlistItem.objects.filter(user=user).order_by("-created_at")
                .values_list("product_id", flat=True)[:WISHLIST_MAX])
