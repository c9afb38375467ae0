"""Storefront pages: home, category, search, product. Thin: selectors read, pricing prices.

What many shoppers see alike (a listing's results, the product page's body, the home
blocks) is rendered once per cache key (catalog/pagecache.py) and framed per request by the
header and what else is the shopper's own. For an anonymous visitor the whole page is kept
(`page_response`), the flash-sale blocks and the CSRF token put in per request.
"""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.filters import ProductFilter
from catalog.forms import ReviewForm
from catalog.models import Product, Sku
from catalog.pagecache import cached_part, page_response, shared_block
from catalog.pricing import price_products
from catalog.recommendations import product_recommendations, recently_viewed_record
from catalog.shoppers.reviews import author_name, review_exists, reviews_visible
from catalog.shoppers.stock_alerts import stock_alert_subscribe
from catalog.shoppers.wishlist import (
    wishlist_add,
    wishlist_product_ids,
    wishlist_products,
    wishlist_remove,
    wishlist_toggle,
)
from catalog.spec_names import spec_name
from shop.money import format_money
from shop.pages import flash_errors
from shop.shopper import shopper_figure

PAGE_SIZE = 24
NEW_ARRIVALS = 8
# The product page shows the latest reviews; the API lists them all, page by page.
REVIEWS_SHOWN = 20
# Where the flash-sale block (units left, countdown: per request) goes into a cached page.
FLASH_MARK = "<!--flash-sale-->"
# Where "bought together" and "recently viewed" (per request) go into a product page.
RECOMMENDATIONS_MARK = "<!--recommendations-->"
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
        blocks = _with_hearts(request, cached_part(request, "home", (), make))
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
        return _listing(request, "catalog/search.html", suggest=True, context={
            "q": request.GET.get("q", "").strip(),
            "subcategories": list(selectors.category_roots()),
        })

    return page_response(request, "search", (), frame)


def _listing(request, template, *, context, category=None, suggest=False) -> tuple[str, None]:
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
        # Nothing found: offer the closest names ("did you mean"), cached with the page.
        suggestions = (selectors.product_suggestions(filters["q"])
                       if suggest and not products and filters.get("q") else None)
        return render_to_string("catalog/_listing_results.html", {
            "page": page, "products": products, "low_stock": settings.SHOP_LOW_STOCK,
            "suggestions": suggestions,
        }, request)

    # The page links repeat the query string, so it is part of the key as a whole.
    args = (category.pk if category else None, sorted(request.GET.lists()))
    results = _with_hearts(request, cached_part(request, "listing", args, make))
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
        return {"pk": item.pk, "slug": item.slug, "title": item.name,
                "body": render_to_string("catalog/product.html",
                                         _product_context(item, request.user, chosen_code),
                                         request)}

    def frame():
        part = cached_part(request, "product", (slug, chosen_code), make)
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                           get_token(request))
        # Every form of the body gets the token (escaped shop text cannot hold the comment).
        # The wishlist button and the review form are the shopper's own, the same for every
        # visitor: the whole page is kept for visitors only.
        body = (part["body"].replace("<!--csrf-token-->", csrf)
                .replace("<!--wishlist-button-->", _wishlist_button(request, part), 1)
                .replace("<!--review-form-->", _review_form(request, part), 1))
        return render_to_string("catalog/product_page.html", {
            "title": part["title"], "body": mark_safe(body),  # nosec B308 B703 - HTML the shop rendered from its own templates
            "recommendations": mark_safe(RECOMMENDATIONS_MARK),  # nosec B308 B703 - a constant
        }, request), part["pk"]

    def fill(html, pk):
        flash = render_to_string("marketing/_product_flash.html",
                                 {"product": SimpleNamespace(pk=pk)}, request)
        return (html.replace(FLASH_MARK, flash, 1)
                .replace(RECOMMENDATIONS_MARK, _recommendations(request, product_id=pk, slug=slug), 1))

    return page_response(request, "product", (slug, chosen_code), frame, fill)


def _recommendations(request, *, product_id: int, slug: str) -> str:
    """Render the page's "bought together" and "recently viewed", then record the view.

    Per request, outside every cached part, the whole visitor page included: they change
    with new orders (within a minute) and per shopper.
    """
    found = product_recommendations(request, product_id=product_id, slug=slug)
    price_products([*found["bought_together"], *found["recently_viewed"]], user=request.user)
    recently_viewed_record(request, product_id)
    return _with_hearts(request, render_to_string("catalog/_recommendations.html", {
        **found, "low_stock": settings.SHOP_LOW_STOCK}, request))


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
            spec_name(key) for key in (chosen.attributes if chosen else {})) or _("Option"),
        "chosen_state": stock_state(chosen.stock) if chosen else None,
        "sku_data": {str(sku.pk): _sku_json(sku) for sku in skus},
        "specs": sorted((spec_name(key), value) for key, value in item.specs.items())
        if isinstance(item.specs, dict) else [],
        "reviews": _reviews_shown(item.pk),
    }


def _reviews_shown(product_id: int) -> list:
    reviews = list(reviews_visible(product_id)[:REVIEWS_SHOWN])
    for review in reviews:
        review.author_name = author_name(review.user)
    return reviews


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


# --- What is the shopper's own on product pages and cards: outside the cached parts -------


def _with_hearts(request, html: str) -> str:
    """Put the CSRF token into the cards' wishlist forms and add the shopper's saved ids.

    The cards are cached alike for everyone; a small script (wishlist.js) fills the hearts
    of the products this shopper saved, listed per request in a JSON block.
    """
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                       get_token(request))
    state = render_to_string("catalog/_wishlist_state.html", {"saved": _saved_ids(request)})
    return html.replace("<!--csrf-token-->", csrf) + state


def _saved_ids(request) -> list[int]:
    """The ids of the products the signed-in shopper saved: one of their cached figures."""
    if not request.user.is_authenticated:
        return []
    return shopper_figure(request, "wishlist", lambda: wishlist_product_ids(request.user))


def _wishlist_button(request, part) -> str:
    saved = part["pk"] in _saved_ids(request)
    return render_to_string("catalog/_wishlist_button.html",
                            {"product_slug": part["slug"], "saved": saved}, request)


def _review_form(request, part) -> str:
    """The review form for a shopper who received the product and has not reviewed it."""
    user = request.user
    if not user.is_authenticated:
        state = "anonymous"
    elif review_exists(user=user, product_id=part["pk"]):
        state = "reviewed"
    elif not import_string(settings.SHOP_REVIEW_PURCHASE_CHECK)(user, part["pk"]):
        state = "not_a_buyer"
    else:
        state = "form"
    return render_to_string("catalog/_review_form.html", {
        "state": state, "form": ReviewForm() if state == "form" else None,
        "product_slug": part["slug"], "next": request.get_full_path(),
    }, request)


def _back(request, fallback: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def wishlist_toggle_view(request, slug):
    """Save or unsave a product (the hearts' form: works without script)."""
    product = get_object_or_404(Product, slug=slug, is_active=True)
    if not request.user.is_authenticated:
        return redirect_to_login(product.get_absolute_url())
    # The wishlist page says what it wants ("remove"): a second click must not save it again.
    action = request.POST.get("action")
    if action == "remove":
        wishlist_remove(user=request.user, product=product)
        saved = False
    elif action == "add":
        wishlist_add(user=request.user, product=product)
        saved = True
    else:
        saved = wishlist_toggle(user=request.user, product=product)
    if saved:
        messages.success(request, _("Saved %(name)s to your wishlist.") % {"name": product.name})
    else:
        messages.info(request, _("Removed %(name)s from your wishlist.") % {"name": product.name})
    return _back(request, product.get_absolute_url())


@login_required
def wishlist(request):
    products = wishlist_products(request.user)
    price_products(products, user=request.user)
    return render(request, "catalog/wishlist.html", {
        "products": products, "low_stock": settings.SHOP_LOW_STOCK,
    })


@require_POST
def stock_alert_view(request, code):
    """Ask to be told when a sold-out SKU is back (the product page's form)."""
    sku = get_object_or_404(Sku.objects.select_related("product"), code=code, is_active=True,
                            product__is_active=True)
    if not request.user.is_authenticated:
        return redirect_to_login(sku.product.get_absolute_url())
    with flash_errors(request):
        stock_alert_subscribe(user=request.user, sku=sku)
        messages.success(request, _("We will email you once when %(name)s is back in stock.")
                         % {"name": sku.product.name})
    return _back(request, sku.product.get_absolute_url())
