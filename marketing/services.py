"""Marketing's write API: coupon uses and claims (flash-sale writes live in marketing/flash/).

Also the validated create/update of discounts, promotions and coupons that the admin's
forms and the API share: each runs the model's `full_clean()` so both refuse the same
bad windows and values with the same messages.
"""

import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext

from marketing.errors import AlreadyClaimed, ClaimsExhausted, CouponInvalid, coupon_not_claimed
from marketing.models import Coupon, CouponClaim, CouponRedemption, Discount, Promotion
from shop.catalogue_version import catalogue_changed
from shop.errors import Conflict, NotFound

# --- Coupon uses --------------------------------------------------------------------------


@transaction.atomic
def coupon_redeem(*, coupon_id: int, user, reference: str) -> CouponRedemption:
    """Count one use of a coupon for an order atomically; raise CouponInvalid if used up.

    The conditional UPDATE (`used < usage_limit`) both counts the use and takes the coupon
    row's lock until the surrounding transaction ends, so racing orders queue on it: the
    total limit can't be exceeded, and the per-customer count read next sees every
    committed use of the racers before it. A refusal rolls the increment back.
    """
    counted = Coupon.objects.filter(
        Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit")), pk=coupon_id
    ).update(used=F("used") + 1)
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise CouponInvalid(gettext("Unknown coupon."), reason="unknown")
    if not counted:
        raise CouponInvalid(gettext("Coupon %(code)s has been used up.") % {"code": coupon.code}, reason="used_up")
    if coupon.per_customer_limit is not None:
        mine = CouponRedemption.objects.filter(coupon=coupon, user=user, released_at__isnull=True).count()
        if mine >= coupon.per_customer_limit:
            raise CouponInvalid(gettext("You have already used coupon %(code)s.") % {"code": coupon.code}, reason="already_used")
    redemption = CouponRedemption.objects.create(coupon=coupon, user=user, reference=reference)
    if coupon.claimable:
        _claim_spend(coupon=coupon, user=user, redemption=redemption)
    return redemption


def _claim_spend(*, coupon: Coupon, user, redemption: CouponRedemption) -> None:
    """Link one of the shopper's available claims to the use; refuse without one.

    The caller holds the coupon row's lock (the `used` UPDATE), so two orders of one
    shopper racing for their last claim reach this read one after the other, and the
    conditional UPDATE (`redemption IS NULL`) is the guard even so.
    """
    claim = CouponClaim.objects.filter(coupon=coupon, user=user, redemption__isnull=True).order_by("pk").first()
    linked = claim is not None and CouponClaim.objects.filter(pk=claim.pk, redemption__isnull=True).update(
        redemption=redemption, used_at=timezone.now()
    )
    if not linked:
        raise coupon_not_claimed(coupon.code)


@transaction.atomic
def coupon_release(*, reference: str) -> None:
    """Give back the coupon use of a cancelled order (once). No-op when it used none.

    Marking the redemption released is itself conditional (`released_at IS NULL`), so a
    second cancel, or two racing ones, give the use back only once.
    """
    redemptions = list(
        CouponRedemption.objects.select_for_update().filter(reference=reference, released_at__isnull=True)
    )
    for redemption in redemptions:
        released = CouponRedemption.objects.filter(pk=redemption.pk, released_at__isnull=True).update(
            released_at=timezone.now()
        )
        if released:
            Coupon.objects.filter(pk=redemption.coupon_id, used__gt=0).update(used=F("used") - 1)
            # The wallet's claim spent by this order is available again.
            CouponClaim.objects.filter(redemption=redemption).update(redemption=None, used_at=None)


# --- The coupon wallet (领券) ----------------------------------------------------------------


@transaction.atomic
def coupon_claim(*, code: str, user, at=None) -> CouponClaim:
    """Hand `user` one claim of the running claimable coupon `code`.

    Raise NotFound (no such claimable coupon running), AlreadyClaimed (the shopper holds
    `claims_per_customer` already) or ClaimsExhausted (`claims_total` are handed out). The
    per-shopper limit is checked first, so a shopper at their limit hears that, not
    "exhausted".

    Locks, in this order (order placement takes them in the same order): the shopper's
    user row, so one shopper's racing claims count one after another; then the coupon row,
    through the conditional UPDATE of `claims_used`, so exactly `claims_total` claims are
    handed out whatever the concurrency. A refusal after the UPDATE rolls it back.
    """
    at = at or timezone.now()
    cleaned = (code or "").strip()
    coupon = Coupon.objects.filter(code__iexact=cleaned, claimable=True).first() if cleaned else None
    if coupon is None or not coupon.is_running(at):
        raise NotFound(gettext("There is no coupon %(code)s to claim.") % {"code": cleaned})
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    held = CouponClaim.objects.filter(coupon=coupon, user=user).count()
    if held >= coupon.claims_per_customer:
        raise AlreadyClaimed(
            gettext("You have already claimed coupon %(code)s as often as one shopper may.") % {"code": coupon.code})
    counted = Coupon.objects.filter(
        pk=coupon.pk, claimable=True, claims_used__lt=F("claims_total")
    ).update(claims_used=F("claims_used") + 1)
    if not counted:
        raise ClaimsExhausted(gettext("Coupon %(code)s has all been claimed.") % {"code": coupon.code})
    return CouponClaim.objects.create(coupon=coupon, user=user, seq=held + 1, claimed_at=at)


# --- Staff writes (admin and API) ---------------------------------------------------------


def _save(instance, *, m2m: dict[str, Iterable] | None = None, counters: tuple[str, ...] = ()):
    """Validate like the admin does (`full_clean`), save, then set the many-to-many scopes.

    `counters` are columns only conditional UPDATEs write (a coupon's `used`): an update
    leaves them out, so an edit made from a form loaded a minute ago can't put back a stale
    count over the uses placed meanwhile.
    """
    instance.full_clean()
    if instance.pk is None or not counters:
        instance.save()
    else:
        instance.save(update_fields=[
            f.name for f in instance._meta.concrete_fields
            if not f.primary_key and f.name not in counters
        ])
    for field, values in (m2m or {}).items():
        if values is not None:
            getattr(instance, field).set(values)
    return instance


def _split(fields: dict, names: tuple[str, ...]) -> tuple[dict, dict]:
    plain = {k: v for k, v in fields.items() if k not in names}
    return plain, {k: fields[k] for k in names if k in fields}


@transaction.atomic
def discount_save(*, discount: Discount | None = None, **fields) -> Discount:
    """Create a discount, or update `discount` with `fields`; raise ValidationError if invalid."""
    plain, m2m = _split(fields, ("products", "categories"))
    discount = discount or Discount()
    for name, value in plain.items():
        setattr(discount, name, value)
    saved = _save(discount, m2m=m2m)
    catalogue_changed()  # prices on cached shop pages
    return saved


@transaction.atomic
def promotion_save(*, promotion: Promotion | None = None, **fields) -> Promotion:
    """Create a promotion, or update `promotion` with `fields`; raise ValidationError if invalid."""
    plain, m2m = _split(fields, ("categories",))
    promotion = promotion or Promotion()
    for name, value in plain.items():
        setattr(promotion, name, value)
    saved = _save(promotion, m2m=m2m)
    catalogue_changed()  # the offers on the cached home page
    return saved


@transaction.atomic
def offer_delete(*, offer: Discount | Promotion) -> None:
    """Delete a discount or promotion (the admin's delete); cached pages stop showing it."""
    offer.delete()
    catalogue_changed()


@transaction.atomic
def coupon_save(*, coupon: Coupon | None = None, **fields) -> Coupon:
    """Create a coupon, or update `coupon` with `fields`; raise ValidationError if invalid."""
    plain, m2m = _split(fields, ("categories",))
    coupon = coupon or Coupon()
    for name, value in plain.items():
        setattr(coupon, name, value)
    return _save(coupon, m2m=m2m, counters=("used", "claims_used"))


@transaction.atomic
def coupon_delete(*, coupon: Coupon) -> None:
    """Delete an unused coupon; a coupon with uses is history: end its window instead."""
    if coupon.redemptions.exists() or coupon.claims.exists():
        raise Conflict(gettext("Coupon %(code)s has been used; end its window instead of deleting it.") % {"code": coupon.code})
    coupon.delete()


# Unambiguous characters only: no 0/O, 1/I/L in a code read off a flyer.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@transaction.atomic
def coupon_batch_generate(*, prefix: str, count: int, length: int = 8, categories=(), **fields) -> list[Coupon]:
    """Create `count` single-use coupons `PREFIX-XXXXXXXX` sharing `fields` (kind, value, window…).

    Each is limited to one use in total and per customer. Random codes that clash with an
    existing code (case-insensitive) are drawn again.
    """
    if not 1 <= count <= 10_000:
        raise ValueError("count must be between 1 and 10000")
    prefix = prefix.strip().upper()
    fields = {**fields, "usage_limit": 1, "per_customer_limit": 1}
    # Validate the shared fields once, on a sample, so a bad window fails before any insert.
    Coupon(code=f"{prefix}-SAMPLE" if prefix else "SAMPLE", **fields).full_clean(validate_constraints=False)

    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = {
            (f"{prefix}-" if prefix else "") + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
            for _ in range(wanted)
        }
        taken = set(
            Coupon.objects.annotate(upper=Upper("code")).filter(upper__in=fresh).values_list("upper", flat=True)
        )
        codes |= fresh - taken
    coupons = Coupon.objects.bulk_create([Coupon(code=code, **fields) for code in sorted(codes)])
    if categories:
        through = Coupon.categories.through
        through.objects.bulk_create(
            [through(coupon_id=c.pk, category_id=cat.pk) for c in coupons for cat in categories]
        )
    return coupons
