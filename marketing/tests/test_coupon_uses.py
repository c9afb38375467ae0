"""Coupon uses: counted atomically when an order is placed, given back once on cancel."""

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import UserFactory
from marketing.errors import CouponInvalid
from marketing.models import Coupon, CouponRedemption
from marketing.services import coupon_redeem, coupon_release, coupon_save
from marketing.tests.factories import CouponFactory
from shop.testing import run_concurrently


def outcome(fn) -> str:
    try:
        fn()
    except CouponInvalid as exc:
        return exc.extra["reason"]
    return "redeemed"


@pytest.mark.django_db
def test_redeeming_counts_a_use_and_records_it():
    coupon, user = CouponFactory(usage_limit=2), UserFactory()

    redemption = coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO1")

    coupon.refresh_from_db()
    assert coupon.used == 1
    assert (redemption.coupon_id, redemption.user_id, redemption.reference) == (coupon.pk, user.pk, "SO1")


@pytest.mark.django_db
def test_a_used_up_coupon_is_refused_and_nothing_is_recorded():
    coupon = CouponFactory(usage_limit=1)
    coupon_redeem(coupon_id=coupon.pk, user=UserFactory(), reference="SO1")

    assert outcome(lambda: coupon_redeem(coupon_id=coupon.pk, user=UserFactory(), reference="SO2")) == "used_up"
    assert Coupon.objects.get(pk=coupon.pk).used == 1
    assert CouponRedemption.objects.count() == 1


@pytest.mark.django_db
def test_the_per_customer_limit_refuses_and_rolls_the_count_back():
    coupon, user = CouponFactory(per_customer_limit=2), UserFactory()
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO1")
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO2")

    assert outcome(lambda: coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO3")) == "already_used"
    assert Coupon.objects.get(pk=coupon.pk).used == 2


@pytest.mark.django_db
def test_an_unknown_coupon_id_is_refused():
    assert outcome(lambda: coupon_redeem(coupon_id=987654, user=UserFactory(), reference="SO1")) == "unknown"


@pytest.mark.django_db
def test_releasing_gives_the_use_back_once():
    coupon, user = CouponFactory(usage_limit=1, per_customer_limit=1), UserFactory()
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO1")

    coupon_release(reference="SO1")
    coupon_release(reference="SO1")

    coupon.refresh_from_db()
    assert coupon.used == 0
    assert CouponRedemption.objects.get(reference="SO1").released_at is not None
    # The use is back for everyone, the shopper included.
    coupon_redeem(coupon_id=coupon.pk, user=user, reference="SO2")
    assert Coupon.objects.get(pk=coupon.pk).used == 1


@pytest.mark.django_db
def test_releasing_an_order_without_a_coupon_is_a_no_op():
    coupon = CouponFactory(used=0)

    coupon_release(reference="SO-NONE")

    assert Coupon.objects.get(pk=coupon.pk).used == 0


@pytest.mark.django_db
def test_the_database_refuses_more_uses_than_the_limit_even_for_a_raw_update():
    coupon = CouponFactory(usage_limit=1, used=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon.pk).update(used=2)


# --- Under concurrency (PostgreSQL) -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_orders_racing_for_a_single_use_coupon_get_exactly_one_use():
    coupon = CouponFactory(usage_limit=1, per_customer_limit=None)
    users = [UserFactory() for _ in range(50)]

    results = run_concurrently(
        50, lambda i: outcome(lambda: coupon_redeem(coupon_id=coupon.pk, user=users[i], reference=f"SO{i}"))
    )

    assert sorted(set(results)) == ["redeemed", "used_up"]
    assert results.count("redeemed") == 1
    assert Coupon.objects.get(pk=coupon.pk).used == 1
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_shopper_racing_fifty_orders_gets_only_the_per_customer_limit():
    coupon, user = CouponFactory(usage_limit=None, per_customer_limit=2), UserFactory()

    results = run_concurrently(
        50, lambda i: outcome(lambda: coupon_redeem(coupon_id=coupon.pk, user=user, reference=f"SO{i}"))
    )

    assert results.count("redeemed") == 2
    assert results.count("already_used") == 48
    assert Coupon.objects.get(pk=coupon.pk).used == 2
    assert CouponRedemption.objects.filter(coupon=coupon, user=user).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_cancellations_give_the_use_back_once():
    coupon = CouponFactory(usage_limit=5)
    coupon_redeem(coupon_id=coupon.pk, user=UserFactory(), reference="SO1")
    coupon_redeem(coupon_id=coupon.pk, user=UserFactory(), reference="SO2")

    run_concurrently(10, lambda i: coupon_release(reference="SO1"))

    assert Coupon.objects.get(pk=coupon.pk).used == 1
    assert CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_an_edit_from_a_stale_form_keeps_the_uses_counted_meanwhile():
    coupon = CouponFactory(code="EDITME", usage_limit=10)
    stale = Coupon.objects.get(pk=coupon.pk)  # what a form loaded before the use
    coupon_redeem(coupon_id=coupon.pk, user=UserFactory(), reference="order:SO1")

    coupon_save(coupon=stale, value=stale.value + 1)

    assert Coupon.objects.get(pk=coupon.pk).used == 1
