"""The price a shopper pays for a SKU today: the lowest of its base price and every rule's offer.

The rules live in the apps above catalog (marketing's discounts, membership's member price)
and are named in settings.SHOP_PRICE_RULES, so they plug in without catalog importing them and
without any catalog view changing. Pages and the API show `effective_prices` and nothing else.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from shop.money import ZERO, money
from shop.pricing import PriceOffer

PriceRule = Callable[..., dict[int, PriceOffer]]


@lru_cache(maxsize=8)
def _load_rules(paths: tuple[str, ...]) -> tuple[PriceRule, ...]:
    # Imported once per process (per distinct setting, so tests may override it).
    return tuple(import_string(path) for path in paths)


def price_rules() -> tuple[PriceRule, ...]:
    """Return the configured rules, each `rule(skus, *, user, at) -> {sku_id: PriceOffer}`."""
    return _load_rules(tuple(settings.SHOP_PRICE_RULES))


def base_offer(sku) -> PriceOffer:
    return PriceOffer(price=money(sku.price), kind="base", label="")


def effective_prices(skus: Sequence, *, user=None, at: datetime | None = None
                     ) -> dict[int, PriceOffer]:
    """Return the best offer per SKU id: the base price unless a rule is strictly lower.

    Each rule sees the whole batch once (a fixed number of queries per rule, however many
    SKUs); an offer below zero counts as 0.00. `user` is the shopper or None (an anonymous
    visitor is passed as None), `at` defaults to now.
    """
    skus = list(skus)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    at = at or timezone.now()
    best = {sku.pk: base_offer(sku) for sku in skus}
    if not skus:
        return best
    for rule in price_rules():
        for sku_id, offer in rule(skus, user=user, at=at).items():
            current = best.get(sku_id)
            if current is None:
                continue  # a rule may not price a SKU it was not asked about
            price = max(money(offer.price), ZERO)
            if price < current.price:
                best[sku_id] = PriceOffer(price=price, kind=offer.kind, label=offer.label)
    return best


def price_products(products: Iterable, *, user=None, at: datetime | None = None) -> None:
    """Price the prefetched `active_skus` of each product in one batch.

    Sets `sku.offer` (the PriceOffer) on every SKU and `product.effective_price_from` (the
    lowest offer, None without active SKUs) on every product.
    """
    products = list(products)
    skus = [sku for product in products for sku in product.active_skus]
    offers = effective_prices(skus, user=user, at=at)
    for product in products:
        for sku in product.active_skus:
            sku.offer = offers[sku.pk]
        product.effective_price_from = min(
            (sku.offer.price for sku in product.active_skus), default=None
        )
