"""What the product page recommends: "bought together" and the shopper's recently viewed products.

"Bought together" is counted from orders, which catalog may not import: the source is named
in settings.SHOP_BOUGHT_TOGETHER (a dotted path to `(slug, *, limit) -> [product ids]`,
`orders.selectors.bought_together_ids`), the way price rules plug in. Catalog turns the ids
into the products for sale, ready for cards. Recently viewed products are kept in the
signed-in shopper's session: the ids of the last few product pages, newest first.
"""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from catalog.models import Product
from catalog.selectors import products_for_sale_by_ids

BOUGHT_TOGETHER_LIMIT = 8
RECENTLY_VIEWED_LIMIT = 8
# The session key of the recently viewed product ids (one more than shown: the current
# product is left out of its own page).
RECENTLY_VIEWED = "recently_viewed"


@lru_cache(maxsize=4)
def _source(path: str):
    return import_string(path) if path else None


def bought_together_ids(slug: str) -> list[int]:
    """Return the ids the configured source ranks for product `slug` ([] with no source set)."""
    source = _source(settings.SHOP_BOUGHT_TOGETHER)
    if source is None or len(slug) > Product._meta.get_field("slug").max_length:
        return []  # no product has such a slug: nothing to ask (or to cache) for it
    return list(source(slug, limit=BOUGHT_TOGETHER_LIMIT))[:BOUGHT_TOGETHER_LIMIT]


def recently_viewed_ids(request) -> list[int]:
    """Return the signed-in shopper's recently viewed product ids, newest first."""
    if not request.user.is_authenticated:
        return []
    ids = request.session.get(RECENTLY_VIEWED, [])
    return [pk for pk in ids if isinstance(pk, int)] if isinstance(ids, list) else []


def recently_viewed_record(request, product_id: int) -> None:
    """Put `product_id` first in the signed-in shopper's recently viewed list (no-op for visitors)."""
    if not request.user.is_authenticated:
        return
    ids = recently_viewed_ids(request)
    if ids[:1] == [product_id]:
        return  # a reload writes no session
    ids = [product_id, *(pk for pk in ids if pk != product_id)]
    request.session[RECENTLY_VIEWED] = ids[: RECENTLY_VIEWED_LIMIT + 1]


def product_recommendations(request, *, product_id: int, slug: str) -> dict:
    """Return `{"bought_together", "recently_viewed"}`: products for sale, ready for cards.

    Both lists come from one products query (and its SKU prefetch) whatever their length;
    neither holds the product itself.
    """
    together = [pk for pk in bought_together_ids(slug) if pk != product_id]
    recent = [pk for pk in recently_viewed_ids(request) if pk != product_id][:RECENTLY_VIEWED_LIMIT]
    wanted = list(dict.fromkeys([*together, *recent]))
    products = {p.pk: p for p in products_for_sale_by_ids(wanted)} if wanted else {}
    return {
        "bought_together": [products[pk] for pk in together if pk in products],
        "recently_viewed": [products[pk] for pk in recent if pk in products],
    }
