"""Catalogue reads: the product listing (filters, search, ordering), a product, the category tree.

Every listing runs a fixed number of queries whatever the page size: the from-price, the
total stock and the first image are subqueries on the product row, the active SKUs one
prefetch query.

Search (catalog/search.py): every word as a substring of the name, description, spec values or
category names in any language, plus English full-text on PostgreSQL; ranked by where it
matched.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, ProductImage, Sku
from catalog.search import products_search, search_suggestions

ORDERINGS = {
    "price": (F("price_from").asc(nulls_last=True), "pk"),
    "-price": (F("price_from").desc(nulls_last=True), "pk"),
    "name": ("name", "pk"),
    "-created": ("-created_at", "-pk"),
    # Best average first; more reviews break a tie; unrated products last.
    "-rating": (F("rating_average").desc(nulls_last=True), "-rating_count", "-pk"),
}
ORDERING_CHOICES = [
    ("-created", _("Newest")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("name", _("Name")),
    ("-rating", _("Top rated")),
]


def _active_skus() -> QuerySet:
    return Sku.objects.filter(is_active=True).order_by("price", "pk")


def in_inactive_branch(path) -> Exists:
    """True when `path` (an expression, e.g. OuterRef("category__path")) lies in a hidden branch.

    Hiding a category hides everything under it: a materialised path starts with the path of
    each of its ancestors, so one EXISTS over the inactive categories (few) finds an inactive
    ancestor, or the category itself, inside the same query.
    """
    return Exists(
        Category.objects.filter(is_active=False, path=Substr(path, 1, Length("path")))
    )


def products_base(*, for_sale: bool = True) -> QuerySet:
    """Products with `price_from` and `total_stock` annotated and the category joined.

    `price_from` is the lowest active SKU price (before discounts), `total_stock` the units
    of all active SKUs. `for_sale` (the shop's view) keeps only active products with at
    least one active SKU whose category and every ancestor of it are active; staff screens
    pass False to see everything.
    """
    active = Sku.objects.filter(product=OuterRef("pk"), is_active=True)
    price_from = active.order_by("price").values("price")[:1]
    total_stock = active.values("product").annotate(total=Sum("stock")).values("total")
    queryset = Product.objects.annotate(
        price_from=Subquery(price_from),
        total_stock=Coalesce(Subquery(total_stock, output_field=IntegerField()), 0),
    ).select_related("category")
    if for_sale:
        queryset = queryset.filter(is_active=True, price_from__isnull=False).exclude(
            in_inactive_branch(OuterRef("category__path"))
        )
    return queryset


def _for_listing(queryset: QuerySet) -> QuerySet:
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "pk")
    return queryset.annotate(
        # The file name of the first image (a storage path), for the API's image URL.
        first_image=Subquery(first_image.values("image")[:1]),
        # Its thumbnails as stored with it, for the card: no thumbnail store at render time.
        first_thumbnails=Subquery(first_image.values("thumbnails")[:1],
                                  output_field=models.JSONField()),
    ).prefetch_related(Prefetch("skus", queryset=_active_skus(), to_attr="active_skus"))


def listing_ready(queryset: QuerySet) -> QuerySet:
    """Return `queryset` (from products_base) with what a product card shows, as listings do."""
    return _for_listing(queryset)


def product_list(filters: Mapping | None = None) -> QuerySet:
    """Return the products matching `filters`, ordered, ready for a listing page.

    `filters` (all optional): `category` (a Category: it and its descendants), `q` (search
    text), `min_price` / `max_price` (Decimals on the from-price), `in_stock` (True: only
    products with an active SKU in stock), `ordering` (a key of ORDERINGS; default newest
    first, or relevance when searching on PostgreSQL).
    """
    filters = filters or {}
    queryset = products_base()
    category = filters.get("category")
    if category is not None:
        # Materialised path: a category's descendants share its path as a prefix.
        queryset = queryset.filter(category__path__startswith=category.path)
    ranked = False
    if filters.get("q"):
        queryset = products_search(queryset, filters["q"])
        ranked = "rank" in queryset.query.annotations
    if filters.get("min_price") is not None:
        queryset = queryset.filter(price_from__gte=filters["min_price"])
    if filters.get("max_price") is not None:
        queryset = queryset.filter(price_from__lte=filters["max_price"])
    if filters.get("in_stock"):
        queryset = queryset.filter(
            Exists(Sku.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0))
        )
    if filters.get("updated_since") is not None:
        queryset = queryset.filter(products_updated_since(filters["updated_since"]))
    ordering = filters.get("ordering")
    if ordering:
        queryset = queryset.order_by(*ORDERINGS[ordering])
    elif ranked:
        queryset = queryset.order_by("-rank", "-created_at", "-pk")
    else:
        queryset = queryset.order_by(*ORDERINGS["-created"])
    return _for_listing(queryset)


def products_for_sale_by_ids(ids) -> list[Product]:
    """Return the products for sale among `ids`, in the order given, ready for cards.

    Two queries (the products with their from-price, stock and first image; their active
    SKUs) however many ids; ids of products not for sale are left out.
    """
    ids = list(ids)
    found = {product.pk: product for product in _for_listing(products_base().filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def products_updated_since(since) -> Q:
    """Return the condition "changed at or after `since`": the product row or any of its SKUs.

    Both columns are indexed; stock and price writes stamp the SKU in the same UPDATE, and
    image writes stamp the product, so no write pays for keeping a product's stamp current.
    """
    return Q(updated_at__gte=since) | Exists(
        Sku.objects.filter(product=OuterRef("pk"), updated_at__gte=since))


def product_suggestions(q: str) -> dict:
    """Return the products and categories for sale whose names are closest to `q`.

    {"products": [...], "categories": [...], "roots": [...]}: `roots`, the top-level
    categories, only when no name is close, so the page always offers a way on.
    """
    found = search_suggestions(q, products=products_base())
    no_match = not (found["products"] or found["categories"])
    return {**found, "roots": list(category_roots()) if no_match else []}


def sku_codes_existing(codes) -> set[str]:
    """Return which of `codes` are SKU codes in use (on any product)."""
    return set(Sku.objects.filter(code__in=list(codes)).values_list("code", flat=True))


def product_detail(slug: str, *, for_sale: bool = True) -> Product | None:
    """Return product `slug` with its active SKUs, images and category, or None.

    `for_sale=False` finds a hidden product too (staff and partner writes).
    """
    return (
        products_base(for_sale=for_sale)
        .filter(slug=slug)
        .prefetch_related(
            Prefetch("skus", queryset=_active_skus(), to_attr="active_skus"),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"),
                     to_attr="all_images"),
        )
        .first()
    )


# --- Category tree ---------------------------------------------------------------------


def category_roots() -> QuerySet:
    """Return the active top-level categories."""
    return Category.objects.filter(depth=1, is_active=True).order_by("path")


@dataclass(frozen=True)
class CategoryContext:
    category: Category
    ancestors: list[Category]  # root first, the category itself excluded
    children: list[Category]  # active direct children


def category_context(slug: str) -> CategoryContext | None:
    """Return active category `slug` with its breadcrumb trail and sub-categories, or None.

    None too when an ancestor is inactive: hiding a category hides its whole branch.

    One query: the rows whose path is a prefix of the category's (itself and its ancestors)
    and its active children (its path plus one step).
    """
    target = Category.objects.filter(slug=slug, is_active=True)
    rows = list(
        Category.objects.annotate(
            target_path=Subquery(target.values("path")[:1]),
            target_depth=Subquery(target.values("depth")[:1]),
        )
        .filter(
            Q(target_path__startswith=F("path"))
            | Q(path__startswith=F("target_path"), depth=F("target_depth") + 1, is_active=True)
        )
        .order_by("path")
    )
    category = next((row for row in rows if row.slug == slug), None)
    if category is None:
        return None
    ancestors = [row for row in rows if row.depth < category.depth]
    if not all(row.is_active for row in ancestors):
        return None
    return CategoryContext(
        category=category,
        ancestors=ancestors,
        children=[row for row in rows if row.depth > category.depth],
    )


def category_trail(category: Category) -> list[Category]:
    """Return the category's ancestors root first, then the category (one query)."""
    steplen = category.steplen
    paths = [category.path[:end] for end in range(steplen, len(category.path) + 1, steplen)]
    return list(Category.objects.filter(path__in=paths).order_by("path"))


def categories_flat(*, visible: bool = False) -> QuerySet:
    """Return every category in tree order with `parent_slug` annotated (one query).

    `visible` keeps only the categories the shop shows: active, under active ancestors.
    """
    # A node's parent has the node's path minus its last step.
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Category.steplen)
    queryset = Category.objects.annotate(
        parent_slug=Subquery(Category.objects.filter(path=parent_path).values("slug")[:1])
    ).order_by("path")
    if visible:
        queryset = queryset.exclude(in_inactive_branch(OuterRef("path")))
    return queryset


def skus_low_stock(*, threshold: int, limit: int = 10) -> tuple[int, list[Sku]]:
    """Return how many active SKUs hold `threshold` units or fewer, and the `limit` lowest.

    Lowest stock first, with their product (two queries whatever the catalogue's size).
    """
    low = Sku.objects.filter(is_active=True, product__is_active=True, stock__lte=threshold)
    return low.count(), list(low.select_related("product").order_by("stock", "code")[:limit])
