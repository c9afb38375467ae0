"""Marketing's write API: coupon uses (and, with issue #8, flash-sale reservations)."""

from django.db import transaction


@transaction.atomic
def coupon_redeem(*, coupon_id: int, user, reference: str) -> None:
    """Count one use of a coupon for an order atomically; raise CouponInvalid if used up.

    Placeholder until issue #7.
    """
    raise NotImplementedError("coupons arrive with issue #7")


@transaction.atomic
def coupon_release(*, reference: str) -> None:
    """Give back the coupon use of a cancelled order (once). No-op when it used none."""
