"""Marketing's steps of the pricing pipeline: discounts (1), promotions (3), coupons (4).

Called by catalog.pricing (through settings.SHOP_PRICE_RULES) and orders/pricing.py.
Each works on a whole cart or listing page in a fixed number of queries.

Category scopes cover a category and everything below it: with treebeard's materialised
path, a category is in scope when its `path` starts with the path of a scoped category.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Product
from marketing.errors import CouponInvalid, coupon_not_claimed
from marketing.models import Coupon, CouponClaim, CouponRedemption, Discount, Kind, Promotion
from shop.money import ZERO, format_money, money
from shop.pricing import PricedLine, PriceOffer, PromotionHint, Reduction, without_flash


def in_scope(path: str, scope_paths: Iterable[str]) -> bool:
    """Return whether a category path lies in (or below) any of the scope paths."""
    return any(path.startswith(scope) for scope in scope_paths)


def category_paths(category_ids: Iterable[int]) -> dict[int, str]:
    """Return `{category_id: path}` in one query."""
    return dict(Category.objects.filter(pk__in=set(category_ids)).values_list("pk", "path"))


def scope_paths_by_owner(through_model, owner_field: str, owner_ids: Iterable[int]) -> dict[int, list[str]]:
    """Return `{owner_id: [category path, …]}` from an M2M through table, in one query."""
    paths: dict[int, list[str]] = {}
    rows = through_model.objects.filter(**{f"{owner_field}__in": list(owner_ids)}).values_list(
        owner_field, "category__path"
    )
    for owner_id, path in rows:
        paths.setdefault(owner_id, []).append(path)
    return paths


def apply_cut(*, kind: str, value: Decimal, price: Decimal) -> Decimal:
    """Return `price` after a percent or fixed cut, rounded half-up, never below 0.00."""
    if kind == Kind.PERCENT:
        cut = money(price * value / 100)
    else:
        cut = money(value)
    return max(money(price) - cut, ZERO)


# --- Step 1: time-limited discounts ------------------------------------------------------


def discount_offers(skus: Sequence, *, user, at: datetime) -> dict[int, PriceOffer]:
    """Return the best active time-limited discount price per SKU id (step 1).

    At most four queries for any number of SKUs: the running discounts, their products,
    their categories' paths, and the SKUs' product categories. Only offers below the base
    price are returned. `user` is unused: discounts are for everyone.
    """
    skus = list(skus)
    if not skus:
        return {}
    discounts = {d.pk: d for d in Discount.objects.running(at).order_by("pk")}
    if not discounts:
        return {}
    product_ids_by_discount: dict[int, set[int]] = {}
    for discount_id, product_id in Discount.products.through.objects.filter(
        discount_id__in=discounts
    ).values_list("discount_id", "product_id"):
        product_ids_by_discount.setdefault(discount_id, set()).add(product_id)
    paths_by_discount = scope_paths_by_owner(Discount.categories.through, "discount_id", discounts)
    product_paths = dict(
        Product.objects.filter(pk__in={sku.product_id for sku in skus}).values_list("pk", "category__path")
    )

    offers: dict[int, PriceOffer] = {}
    for sku in skus:
        path = product_paths.get(sku.product_id, "")
        base = money(sku.price)
        for discount in discounts.values():
            applies = sku.product_id in product_ids_by_discount.get(discount.pk, ()) or in_scope(
                path, paths_by_discount.get(discount.pk, ())
            )
            if not applies:
                continue
            price = apply_cut(kind=discount.kind, value=discount.value, price=base)
            best = offers.get(sku.pk)
            if price < base and (best is None or price < best.price):
                offers[sku.pk] = PriceOffer(
                    price=price, kind="discount", label=f"{discount.name} {discount.value_label}"
                )
    return offers


def price_windows(*, at: datetime) -> tuple[datetime | None, datetime | None]:
    """Return the last moment at or before `at` and the next after it when a discount or
    promotion starts or ends (None: there is none).

    Shop pages cache prices and offers until the next such moment (catalog/pagecache.py);
    the last one dates a read for conditional GET. Two queries.
    """
    last = upcoming = None
    for model in (Discount, Promotion):
        active = model.objects.filter(is_active=True)
        edges = active.aggregate(
            last_start=Max("starts_at", filter=Q(starts_at__lte=at)),
            last_end=Max("ends_at", filter=Q(ends_at__lte=at)),
            next_start=Min("starts_at", filter=Q(starts_at__gt=at)),
            next_end=Min("ends_at", filter=Q(ends_at__gt=at)),
        )
        for moment in (edges["last_start"], edges["last_end"]):
            if moment is not None and (last is None or moment > last):
                last = moment
        for moment in (edges["next_start"], edges["next_end"]):
            if moment is not None and (upcoming is None or moment < upcoming):
                upcoming = moment
    return last, upcoming


# --- Step 3: threshold promotions (满减) ---------------------------------------------------


def _tier_allows(tiers: list, tier_code: str) -> bool:
    return not tiers or tier_code in tiers


def _eligible_subtotal(lines: Sequence[PricedLine], scope: list[str], paths: dict[int, str]) -> Decimal:
    """Σ line totals of the non-flash lines in scope (no scope: every non-flash line)."""
    total = ZERO
    for line in lines:
        if line.is_flash:
            continue
        if scope and not in_scope(paths.get(line.category_id, ""), scope):
            continue
        total += line.line_total
    return money(total)


def promotion_for(
    *, lines: Sequence[PricedLine], tier_code: str, at: datetime
) -> tuple[Reduction | None, PromotionHint | None]:
    """Return the best threshold promotion the eligible subtotal meets, and the next one (step 3).

    The best is the largest amount off (never more than its eligible subtotal; ties go to
    the older promotion). The hint is the promotion not yet met that needs the least more
    spending, among those that would take off more than the one applied. Flash lines are
    never eligible. At most three queries.
    """
    promotions = [p for p in Promotion.objects.running(at).order_by("pk") if _tier_allows(p.tiers, tier_code)]
    if not promotions:
        return None, None
    scopes = scope_paths_by_owner(Promotion.categories.through, "promotion_id", [p.pk for p in promotions])
    paths = category_paths(line.category_id for line in lines) if scopes and lines else {}

    best: Reduction | None = None
    unmet: list[tuple[Decimal, Promotion]] = []
    for promotion in promotions:
        eligible = _eligible_subtotal(lines, scopes.get(promotion.pk, []), paths)
        if eligible >= promotion.threshold:
            amount = min(money(promotion.amount_off), eligible)
            if best is None or amount > best.amount:
                best = Reduction(amount=amount, label=promotion.name, source_id=promotion.pk)
        else:
            unmet.append((money(promotion.threshold - eligible), promotion))

    applied = best.amount if best else ZERO
    better = [(missing, p) for missing, p in unmet if p.amount_off > applied]
    hint = None
    if better:
        missing, promotion = min(better, key=lambda item: (item[0], -item[1].amount_off, item[1].pk))
        hint = PromotionHint(missing=missing, amount_off=money(promotion.amount_off), label=promotion.name)
    return best, hint


# --- Step 4: coupons -----------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def coupon_find(code: str) -> Coupon:
    """Return the coupon for `code` (case-insensitive, surrounding spaces ignored) or refuse."""
    cleaned = (code or "").strip()
    coupon = Coupon.objects.filter(code__iexact=cleaned).first() if cleaned else None
    if coupon is None:
        raise CouponInvalid(_("Unknown coupon code “%(cleaned)s”.") % {"cleaned": cleaned}, reason="unknown")
    return coupon


@dataclass(frozen=True)
class _CouponFacts:
    """What the coupon checks read besides the coupons, for a batch of coupons and one shopper.

    `uses`: the shopper's unreleased uses per coupon id (coupons with a per-customer limit);
    `held`: the shopper's available claims per coupon id (claimable coupons); `scopes`: the
    category paths per scoped coupon id; `paths`: the lines' category paths (scoped only).
    """

    uses: dict[int, int]
    held: dict[int, int]
    scopes: dict[int, list[str]]
    paths: dict[int, str]


def _shopper(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _coupon_facts(coupons: Sequence[Coupon], *, user, lines: Sequence[PricedLine]) -> _CouponFacts:
    """Return the facts for `coupons` in at most four queries, however many coupons."""
    shopper = _shopper(user)
    limited = [c.pk for c in coupons if c.per_customer_limit is not None]
    claimable = [c.pk for c in coupons if c.claimable]
    uses = held = {}
    if shopper is not None and limited:
        uses = dict(CouponRedemption.objects.filter(
            coupon_id__in=limited, user=shopper, released_at__isnull=True,
        ).values("coupon_id").annotate(n=Count("pk")).values_list("coupon_id", "n"))
    if shopper is not None and claimable:
        held = dict(CouponClaim.objects.filter(
            coupon_id__in=claimable, user=shopper, redemption__isnull=True,
        ).values("coupon_id").annotate(n=Count("pk")).values_list("coupon_id", "n"))
    scopes = scope_paths_by_owner(Coupon.categories.through, "coupon_id", [c.pk for c in coupons])
    paths = category_paths(line.category_id for line in lines) if scopes and lines else {}
    return _CouponFacts(uses=uses, held=held, scopes=scopes, paths=paths)


def _check_coupon_itself(coupon: Coupon, *, facts: _CouponFacts, tier_code: str, at: datetime) -> None:
    """Refuse for the coupon's own state and the shopper: window, claim, limits, tier."""
    if at < coupon.starts_at:
        raise CouponInvalid(_("Coupon %(code)s is not valid until %(when)s.") % {"code": coupon.code, "when": _when(coupon.starts_at)},
                            reason="not_started")
    if at >= coupon.ends_at:
        raise CouponInvalid(_("Coupon %(code)s expired on %(when)s.") % {"code": coupon.code, "when": _when(coupon.ends_at)}, reason="expired")
    # A claimable coupon is only for the shoppers holding an unspent claim of it (领券).
    if coupon.claimable and not facts.held.get(coupon.pk):
        raise coupon_not_claimed(coupon.code)
    if coupon.usage_limit is not None and coupon.used >= coupon.usage_limit:
        raise CouponInvalid(_("Coupon %(code)s has been used up.") % {"code": coupon.code}, reason="used_up")
    if coupon.per_customer_limit is not None and facts.uses.get(coupon.pk, 0) >= coupon.per_customer_limit:
        raise CouponInvalid(_("You have already used coupon %(code)s.") % {"code": coupon.code}, reason="already_used")
    if not _tier_allows(coupon.tiers, tier_code):
        raise CouponInvalid(_("Coupon %(code)s is not available for your membership tier.") % {"code": coupon.code},
                            reason="wrong_tier")


def _coupon_base(coupon: Coupon, *, facts: _CouponFacts, lines: Sequence[PricedLine],
                 amount: Decimal) -> Decimal:
    """Return what the coupon applies to: the non-flash amount, limited to its scope.

    `amount` is the order's amount after step 3 over all lines, flash lines included. A
    category-scoped coupon applies to at most the subtotal of its lines.
    """
    base = without_flash(amount, lines)
    scope = facts.scopes.get(coupon.pk, [])
    if scope:
        scoped = _eligible_subtotal(lines, scope, facts.paths)
        if scoped <= 0:
            raise CouponInvalid(_("Nothing in your cart is eligible for coupon %(code)s.") % {"code": coupon.code},
                                reason="nothing_in_scope")
        base = min(base, scoped)
    return base


def _coupon_cut(
    coupon: Coupon, *, facts: _CouponFacts, lines: Sequence[PricedLine], amount: Decimal,
    promotion_applied: bool, tier_code: str, at: datetime,
) -> Reduction:
    """Return what `coupon` takes off `amount` (after step 3), or raise CouponInvalid why not.

    `facts` hold what the checks read about the shopper (their uses and claims).
    """
    _check_coupon_itself(coupon, facts=facts, tier_code=tier_code, at=at)
    if promotion_applied and not coupon.combinable_with_promotions:
        raise CouponInvalid(
            _("Coupon %(code)s can't be combined with the promotion applied to your order.") % {"code": coupon.code},
            reason="not_combinable",
        )
    base = _coupon_base(coupon, facts=facts, lines=lines, amount=amount)
    # Minimum spend counts what was bought at shop prices after the promotion; flash-sale
    # units, sold at their own price, don't help reach it.
    spend = without_flash(amount, lines)
    if spend < coupon.min_spend:
        raise CouponInvalid(
            _("Coupon %(code)s needs a spend of %(min_spend)s after promotions; spend %(missing)s more.")
            % {"code": coupon.code, "min_spend": format_money(coupon.min_spend),
               "missing": format_money(coupon.min_spend - spend)},
            reason="min_spend",
        )
    if coupon.kind == Kind.PERCENT:
        cut = money(base * coupon.value / 100)
        if coupon.max_discount is not None:
            cut = min(cut, money(coupon.max_discount))
    else:
        cut = money(coupon.value)
    return Reduction(
        amount=min(cut, base),
        label=_("Coupon %(code)s (%(cut)s)") % {"code": coupon.code, "cut": coupon.value_label},
        source_id=coupon.pk, code=coupon.code,
    )


def coupon_evaluate(
    *, code: str, user, lines: Sequence[PricedLine], amount: Decimal,
    promotion_applied: bool, tier_code: str, at: datetime,
) -> Reduction:
    """Return what coupon `code` takes off `amount` (after step 3), or raise CouponInvalid why not.

    The refusal's `reason` (extra field) is one of: unknown, not_started, expired,
    not_claimed, used_up, already_used, wrong_tier, not_combinable, nothing_in_scope,
    min_spend. A coupon never takes off more than the amount it applies to.
    """
    coupon = coupon_find(code)
    facts = _coupon_facts([coupon], user=user, lines=lines)
    return _coupon_cut(coupon, facts=facts, lines=lines, amount=amount,
                       promotion_applied=promotion_applied, tier_code=tier_code, at=at)


def coupons_held_evaluate(
    *, user, lines: Sequence[PricedLine], amount: Decimal, promotion_applied: bool,
    tier_code: str, at: datetime,
) -> list[Reduction]:
    """Return what each coupon in the shopper's wallet would take off `amount`, where it applies.

    The wallet is the running coupons the shopper holds an unspent claim of; each is judged
    by the same checks as a typed code (coupon_evaluate), and the ones refused are left out.
    Five queries at most, however many coupons the shopper holds.
    """
    shopper = _shopper(user)
    if shopper is None or not lines:
        return []
    coupons = list(Coupon.objects.running(at).filter(
        claimable=True, claims__user=shopper, claims__redemption__isnull=True,
    ).distinct().order_by("ends_at", "pk"))
    if not coupons:
        return []
    facts = _coupon_facts(coupons, user=shopper, lines=lines)
    found = []
    for coupon in coupons:
        try:
            found.append(_coupon_cut(coupon, facts=facts, lines=lines, amount=amount,
                                     promotion_applied=promotion_applied, tier_code=tier_code, at=at))
        except CouponInvalid:
            continue
    return found
