"""Factories for marketing: discounts, promotions, coupons (running now unless told otherwise)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from marketing.flash import flash_sale_create
from marketing.models import Coupon, CouponRedemption, Discount, Kind, Promotion


def _now():
    return timezone.now()


class WindowMixin(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    starts_at = factory.LazyFunction(lambda: _now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: _now() + timedelta(days=7))


class DiscountFactory(WindowMixin):
    """A running 10 % discount; pass `products=[…]` and/or `categories=[…]`."""

    class Meta:
        model = Discount
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sale {n}")
    kind = Kind.PERCENT
    value = Decimal("10.00")

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class PromotionFactory(WindowMixin):
    """A running 满减: spend 200.00, get 30.00 off."""

    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Spend and save {n}")
    threshold = Decimal("200.00")
    amount_off = Decimal("30.00")
    tiers = factory.LazyFunction(list)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class CouponFactory(WindowMixin):
    """A running 10 % coupon, no minimum, no total limit, once per customer."""

    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = Kind.PERCENT
    value = Decimal("10.00")
    min_spend = Decimal("0.00")
    usage_limit = None
    per_customer_limit = 1
    tiers = factory.LazyFunction(list)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class CouponRedemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponRedemption

    coupon = factory.SubFactory(CouponFactory)
    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    reference = factory.Sequence(lambda n: f"SO-TEST-{n}")


class FlashSaleFactory(factory.django.DjangoModelFactory):
    """A running flash sale of 20 units at 59.00, limit 1, made through flash_sale_create.

    The service sets the units aside from the SKU's stock, as in the shop; the default SKU
    (base price 100.00) has stock for them.
    """

    class Meta:
        model = "marketing.FlashSale"

    sku = factory.SubFactory("catalog.tests.factories.SkuFactory", stock=100)
    price = Decimal("59.00")
    quantity = 20
    per_customer_limit = 1
    starts_at = factory.LazyFunction(lambda: _now() - timedelta(minutes=5))
    ends_at = factory.LazyFunction(lambda: _now() + timedelta(hours=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return flash_sale_create(**kwargs)
