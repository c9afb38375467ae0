"""Template tags for the flash-sale snippets other apps' pages include (product page, home)."""

from django import template
from django.core.cache import cache
from django.utils import timezone

from marketing.flash import flash_sale_for_product, flash_sales_listed

register = template.Library()

HOME_LIMIT = 4
# The home page is the busiest page, busiest of all while a flash sale runs: its list of sales
# is shared through the cache for a few seconds (units left may lag that long there; the
# flash page and the API read them live).
HOME_CACHE_SECONDS = 5


@register.simple_tag
def flash_sale_for(product):
    """Return the product's running flash sale, else its next upcoming one, else None (1 query)."""
    if product is None or not getattr(product, "pk", None):
        return None
    return flash_sale_for_product(product_id=product.pk, at=timezone.now())


@register.simple_tag
def flash_sales_now(limit: int = HOME_LIMIT) -> dict:
    """Return `{"running", "upcoming"}` flash sales, at most `limit` of each (one query, cached)."""
    now = timezone.now()
    key = f"marketing:flash:home:{limit}"
    sales = cache.get(key)
    if sales is None:
        sales = list(flash_sales_listed(at=now)[: limit * 4])
        cache.set(key, sales, HOME_CACHE_SECONDS)
    running, upcoming = [], []
    for sale in sales:
        if sale.ends_at <= now:
            continue
        bucket = running if sale.starts_at <= now else upcoming
        if len(bucket) < limit:
            bucket.append(sale)
    return {"running": running, "upcoming": upcoming, "now": now}
