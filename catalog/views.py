"""Storefront pages: home, category, search, product. Thin: selectors read, pricing prices.

What many shoppers see alike (a listing's results, the product page's body, the home
blocks) is rendered once per cache key (catalog/pagecache.py) and framed per request by the
header and what else is the shopper's own. For an anonymous visitor the whole page is kept
(`page_response`), the flash-sale blocks and the CSRF token put in per request.
"""

from types import SimpleNamespace

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.pagecache import cached_part, page_response, shared_block
from catalog.pricing import price_products
from shop.money import format_money

PAGE_SIZE = 24
NEW_ARRIVALS = 8
# Where the flash-sale block (units left, countdown: per request) goes into a cached page.
FLASH_MARK = "<!--flash-sale-->"
# How long home's flash-sale block is shared once rendered (its sales list is cached 5 s).
HOME_FLASH_SECONDS = 2


def home(request):
    def make():
        arrivals = list(selectors.product_list({"ordering": "-created"})[:NEW_ARRIVALS])
        price_products(arrivals, user=request.user)
        return render_to_string("catalog/_home_blocks.html", {
            "categories": list(selectors.category_roots()),
            "arrivals": arrivals, "low_stock": settings.SHOP_LOW_STOCK,
        }, request)

    def frame():
        blocks = cached_part(request, "home", (), make)
        return render_to_string("catalog/home.html", {
            "blocks": mark_safe(blocks),  # nosec B308 B703 - HTML the shop rendered from its own templates
            "flash": mark_safe(FLASH_MARK),  # nosec B308 B703 - a constant
        }, request), None

    def fill(html, _):
        # Its list of sales is shared for seconds already (units left may lag that long):
        # rendered once per HOME_FLASH_SECONDS too, the CSRF values put in per response.
        flash = shared_block(request, "home-flash", HOME_FLASH_SECONDS, lambda: render_to_string(
            "marketing/_home_flash.html", {}, request))
        return html.replace(FLASH_MARK, flash, 1)

    return page_response(request, "home", (), frame, fill)


def category(request, slug):
    def frame():
        tree = selectors.category_context(slug)
        if tree is None:
            raise Http404("No such category.")
        return _listing(request, "catalog/category.html", category=tree.category, context={
            "category": tree.category, "ancestors": tree.ancestors, "subcategories": tree.children,
        })

    return page_response(request, "category", (slug,), frame)


def search(request):
    def frame():
        return _listing(request, "catalog/search.html", context={
            "q": request.GET.get("q", "").strip(),
            "subcategories": list(selectors.category_roots()),
        })

    return page_response(request, "search", (), frame)


def _listing(request, template, *, context, category=None) -> tuple[str, None]:
    """Render a filtered, paginated product listing; invalid filters are shown and ignored."""
    filterset = ProductFilter(request.GET, queryset=Product.objects.none())
    form = filterset.form
    form.is_valid()  # invalid fields drop out of cleaned_data and show their errors
    filters = dict(form.cleaned_data)
    if category is not None:
        filters["category"] = category

    def make():
        paginator = Paginator(selectors.product_list(filters), PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page.") from None
        products = list(page.object_list)
        price_products(products, user=request.user)
        return render_to_string("catalog/_listing_results.html", {
            "page": page, "products": products, "low_stock": settings.SHOP_LOW_STOCK,
        }, request)

    # The page links repeat the query string, so it is part of the key as a whole.
    args = (category.pk if category else None, sorted(request.GET.lists()))
    results = cached_part(request, "listing", args, make)
    return render_to_string(template, {
        **context, "form": form, "results": mark_safe(results),  # nosec B308 B703 - HTML the shop rendered from its own templates
        "orderings": selectors.ORDERING_CHOICES,
    }, request), None


def product(request, slug):
    chosen_code = request.GET.get("sku")

    def make():
        item = selectors.product_detail(slug)
        if item is None:
            raise Http404("No such product.")
        return {"pk": item.pk, "title": item.name,
                "body": render_to_string("catalog/product.html",
                                         _product_context(item, request.user, chosen_code),
                                         request)}

    def frame():
        part = cached_part(request, "product", (slug, chosen_code), make)
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                           get_token(request))
        body = part["body"].replace("<!--csrf-token-->", csrf, 1)
        return render_to_string("catalog/product_page.html", {
            "title": part["title"], "body": mark_safe(body),  # nosec B308 B703 - HTML the shop rendered from its own templates
        }, request), part["pk"]

    def fill(html, pk):
        flash = render_to_string("marketing/_product_flash.html",
                                 {"product": SimpleNamespace(pk=pk)}, request)
        return html.replace(FLASH_MARK, flash, 1)

    return page_response(request, "product", (slug, chosen_code), frame, fill)


def _product_context(item, user, chosen_code) -> dict:
    price_products([item], user=user)
    skus = item.active_skus
    chosen = _chosen_sku(skus, chosen_code)
    return {
        "product": item,
        "trail": selectors.category_trail(item.category),
        "skus": skus,
        "chosen": chosen,
        "chosen_max": shown_stock(chosen.stock) if chosen else 1,
        "picker_label": " / ".join(
            key.capitalize() for key in (chosen.attributes if chosen else {})) or _("Option"),
        "chosen_state": stock_state(chosen.stock) if chosen else None,
        "sku_data": {str(sku.pk): _sku_json(sku) for sku in skus},
        "specs": sorted(item.specs.items()) if isinstance(item.specs, dict) else [],
    }


def _chosen_sku(skus, code):
    """The SKU named by `?sku=<code>`, else the first in stock, else the first."""
    for sku in skus:
        if sku.code == code:
            return sku
    return next((sku for sku in skus if sku.stock > 0), skus[0] if skus else None)


def shown_stock(stock: int) -> int:
    """Return the stock a page may show: exact up to the low-stock mark, else a line's cap.

    Above the mark the page says only "In stock" and lets up to a cart line's maximum be
    chosen (the cart checks the real stock), so selling units there changes no cached page.
    """
    if stock <= settings.SHOP_LOW_STOCK:
        return stock
    return max(settings.SHOP_MAX_LINE_QUANTITY, settings.SHOP_LOW_STOCK + 1)


def stock_state(stock: int) -> dict:
    """Return `{"state": ok|low|out, "text": ...}` for a SKU's stock."""
    if stock <= 0:
        return {"state": "out", "text": _("Out of stock")}
    if stock <= settings.SHOP_LOW_STOCK:
        return {"state": "low", "text": _("Only %(stock)s left") % {"stock": stock}}
    return {"state": "ok", "text": _("In stock")}


def _sku_json(sku) -> dict:
    """What the SKU picker's script shows when this SKU is chosen."""
    discounted = sku.offer.price < sku.price
    return {
        "code": sku.code,
        "label": sku.label,
        "price": format_money(sku.offer.price),
        "was": format_money(sku.price) if discounted else "",
        "offer": sku.offer.label if discounted else "",
        "stock": shown_stock(sku.stock),
        **stock_state(sku.stock),
    }
