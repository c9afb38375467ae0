"""Storefront pages: home, category, search, product. Thin: selectors read, pricing prices."""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.pricing import price_products
from shop.money import format_money

PAGE_SIZE = 24
NEW_ARRIVALS = 8


def home(request):
    arrivals = list(selectors.product_list({"ordering": "-created"})[:NEW_ARRIVALS])
    price_products(arrivals, user=request.user)
    return render(request, "catalog/home.html", {
        "categories": list(selectors.category_roots()),
        "arrivals": arrivals, "low_stock": settings.SHOP_LOW_STOCK,
    })


def category(request, slug):
    tree = selectors.category_context(slug)
    if tree is None:
        raise Http404("No such category.")
    return _listing(request, "catalog/category.html", category=tree.category, context={
        "category": tree.category, "ancestors": tree.ancestors, "subcategories": tree.children,
    })


def search(request):
    return _listing(request, "catalog/search.html", context={
        "q": request.GET.get("q", "").strip(),
        "subcategories": list(selectors.category_roots()),
    })


def _listing(request, template, *, context, category=None):
    """Render a filtered, paginated product listing; invalid filters are shown and ignored."""
    filterset = ProductFilter(request.GET, queryset=Product.objects.none())
    form = filterset.form
    form.is_valid()  # invalid fields drop out of cleaned_data and show their errors
    filters = dict(form.cleaned_data)
    if category is not None:
        filters["category"] = category
    paginator = Paginator(selectors.product_list(filters), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    products = list(page.object_list)
    price_products(products, user=request.user)
    return render(request, template, {
        **context, "form": form, "page": page, "products": products,
        "orderings": selectors.ORDERING_CHOICES, "low_stock": settings.SHOP_LOW_STOCK,
    })


def product(request, slug):
    item = selectors.product_detail(slug)
    if item is None:
        raise Http404("No such product.")
    price_products([item], user=request.user)
    skus = item.active_skus
    chosen = _chosen_sku(skus, request.GET.get("sku"))
    return render(request, "catalog/product.html", {
        "product": item,
        "trail": selectors.category_trail(item.category),
        "skus": skus,
        "chosen": chosen,
        "picker_label": " / ".join(
            key.capitalize() for key in (chosen.attributes if chosen else {})) or _("Option"),
        "chosen_state": stock_state(chosen.stock) if chosen else None,
        "sku_data": {str(sku.pk): _sku_json(sku) for sku in skus},
        "specs": sorted(item.specs.items()) if isinstance(item.specs, dict) else [],
    })


def _chosen_sku(skus, code):
    """The SKU named by `?sku=<code>`, else the first in stock, else the first."""
    for sku in skus:
        if sku.code == code:
            return sku
    return next((sku for sku in skus if sku.stock > 0), skus[0] if skus else None)


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
        "stock": sku.stock,
        **stock_state(sku.stock),
    }
