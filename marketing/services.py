"""Marketing's write API: coupon uses (flash-sale writes live in marketing/flash/).

Also the validated create/update of discounts, promotions and coupons that the admin's
forms and the API share: each runs the model's `full_clean()` so both refuse the same
bad windows and values with the same messages.
"""

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext

from marketing.errors import CouponInvalid
from marketing.models import Coupon, CouponRedemption, Discount, Promotion
from shop.catalogue_version import catalogue_changed
from shop.errors import Conflict

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
    return CouponRedemption.objects.create(coupon=coupon, user=user, reference=reference)


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
    return _save(coupon, m2m=m2m, counters=("used",))


@transaction.atomic
def coupon_delete(*, coupon: Coupon) -> None:
    """Delete an unused coupon; a coupon with uses is history: end its window instead."""
    if coupon.redemptions.exists():
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
