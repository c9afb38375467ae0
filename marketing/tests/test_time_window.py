"""Discounts, promotions, coupons and flash sales share one time window and its rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketing.models import Coupon, Discount, FlashSale, Promotion, TimeWindow
from marketing.tests.factories import (
    CouponFactory,
    DiscountFactory,
    FlashSaleFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = [DiscountFactory, PromotionFactory, CouponFactory, FlashSaleFactory]


def test_every_offer_runs_in_the_one_time_window():
    assert all(issubclass(model, TimeWindow) for model in (Discount, Promotion, Coupon, FlashSale))


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_the_window_starts_inclusive_and_ends_exclusive_in_python_and_in_sql(factory):
    offer = factory()
    model = type(offer)
    for at, running in [(offer.starts_at - timedelta(microseconds=1), False),
                        (offer.starts_at, True), (offer.ends_at - timedelta(microseconds=1), True),
                        (offer.ends_at, False)]:
        assert offer.is_running(at) is running
        assert model.objects.running(at).filter(pk=offer.pk).exists() is running


@pytest.mark.parametrize("factory", [DiscountFactory, PromotionFactory],
                         ids=lambda f: f._meta.model.__name__)
def test_a_switched_off_offer_is_not_running_inside_its_window(factory):
    offer = factory(is_active=False)
    now = timezone.now()
    assert not offer.is_running(now)
    assert not type(offer).objects.running(now).filter(pk=offer.pk).exists()


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_a_window_that_ends_before_it_starts_is_refused_by_clean_and_the_database(factory):
    offer = factory()
    offer.ends_at = offer.starts_at
    with pytest.raises(ValidationError) as refused:
        offer.clean()
    assert refused.value.message_dict["ends_at"] == ["The end must be after the start."]
    with pytest.raises(IntegrityError, match="ends_after_start"), transaction.atomic():
        type(offer).objects.filter(pk=offer.pk).update(ends_at=offer.starts_at)
