"""Marketing reads for pages and the API: what runs now."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from catalog.models import Category, Product
from marketing.models import Discount, Promotion


def discounts_running(*, at: datetime) -> QuerySet[Discount]:
    """Return the discounts running at `at`, with their products and categories (3 queries)."""
    return Discount.objects.running(at).order_by("ends_at", "pk").prefetch_related(
        Prefetch("products", queryset=Product.objects.only("pk", "name", "slug").order_by("name")),
        Prefetch("categories", queryset=Category.objects.only("pk", "name", "slug", "path").order_by("path")),
    )


def promotions_running(*, at: datetime) -> QuerySet[Promotion]:
    """Return the threshold promotions running at `at`, lowest threshold first (2 queries)."""
    return Promotion.objects.running(at).order_by("threshold", "pk").prefetch_related(
        Prefetch("categories", queryset=Category.objects.only("pk", "name", "slug", "path").order_by("path")),
    )
