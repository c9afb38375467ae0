"""Marketing reads for pages and the API: what runs now, the coupon centre and wallet."""

from datetime import datetime

from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Value

from catalog.models import Category, Product
from marketing.models import Coupon, CouponClaim, Discount, Promotion


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


# --- The coupon wallet (领券) ----------------------------------------------------------------


def coupons_claimable(*, at: datetime, user=None) -> list[Coupon]:
    """Return the running claimable coupons, ending soonest first (one query).

    An exhausted coupon stays in the list (its `claims_left` is 0) until it ends. Each
    carries `claimed`: how many claims of it `user` holds (0 for a visitor).
    """
    shopper = user if user is not None and getattr(user, "is_authenticated", False) else None
    held = Count("claims", filter=Q(claims__user=shopper)) if shopper else Value(0, output_field=IntegerField())
    return list(Coupon.objects.running(at).filter(claimable=True).annotate(claimed=held)
                .order_by("ends_at", "pk"))


def coupon_claims_of(*, user) -> QuerySet[CouponClaim]:
    """Return the shopper's claims with their coupons, newest first (one query)."""
    return CouponClaim.objects.filter(user=user).select_related("coupon").order_by("-claimed_at", "-pk")


def wallet_of(*, user, at: datetime) -> dict[str, list[CouponClaim]]:
    """Return the shopper's claims grouped by status: available (ending soonest first), used, expired."""
    wallet: dict[str, list[CouponClaim]] = {status: [] for status in CouponClaim.Status.values}
    for claim in coupon_claims_of(user=user):
        claim.current_status = claim.status_at(at)
        wallet[claim.current_status].append(claim)
    wallet[CouponClaim.Status.AVAILABLE].sort(key=lambda claim: (claim.coupon.ends_at, claim.pk))
    return wallet
