"""Marketing reads for pages and the API: what runs now, and whether a coupon applies."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from catalog.models import Category, Product
from marketing.errors import CouponInvalid
from marketing.models import Discount, Promotion
from marketing.pricing import coupon_evaluate
from shop.money import ZERO
from shop.pricing import PricedLine


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


def coupon_check(
    *, code: str, user, lines: Sequence[PricedLine], amount: Decimal,
    promotion_applied: bool, tier_code: str, at: datetime,
) -> dict:
    """Return `{applies, amount, reason, reason_code}`: whether `code` applies to these cart lines and why not.

    The cart belongs to orders, so orders computes `lines` and `amount` (after step 3) and
    serves `GET /api/v1/coupons/{code}/check/`; this answers the question for it.
    """
    try:
        reduction = coupon_evaluate(
            code=code, user=user, lines=lines, amount=amount,
            promotion_applied=promotion_applied, tier_code=tier_code, at=at,
        )
    except CouponInvalid as refusal:
        return {"applies": False, "amount": ZERO, "reason": refusal.detail,
                "reason_code": refusal.extra.get("reason", "")}
    return {"applies": True, "amount": reduction.amount, "reason": "", "reason_code": ""}
