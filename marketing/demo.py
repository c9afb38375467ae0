"""Demo data for `manage.py seed_demo`: idempotent, reports what it made.

A running discount on the Electronics category, a 满减 promotion (spend 200.00, get 30.00
off), the coupon WELCOME10 (10 % off, minimum spend 100.00, once per customer, for a
year) and the claimable coupon GRAB20 for the coupon centre (20.00 off from 150.00, 100
claims, one each, 30 days). Each is looked up by name or code first, so a second run changes
nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Category, Sku
from marketing import services
from marketing.flash import flash_sale_create
from marketing.models import Coupon, Discount, FlashSale, Kind, Promotion
from shop.money import money

DISCOUNT_CATEGORY = "electronics"
DISCOUNT_NAME = "Electronics week"
PROMOTION_NAME = "Spend ¥200, save ¥30"
COUPON_CODE = "WELCOME10"
CLAIMABLE_CODE = "GRAB20"


def seed(*, out) -> None:
    """Create this app's demo rows once; `out(message)` reports progress."""
    now = timezone.now()
    _discount(now, out)
    _flash_sales(now, out)
    if Promotion.objects.filter(name=PROMOTION_NAME).exists():
        out(f"promotion “{PROMOTION_NAME}” already there")
    else:
        services.promotion_save(name=PROMOTION_NAME, threshold=Decimal("200.00"), amount_off=Decimal("30.00"),
                                starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=90))
        out(f"promotion “{PROMOTION_NAME}” (满减) running for 90 days")
    if Coupon.objects.filter(code__iexact=COUPON_CODE).exists():
        out(f"coupon {COUPON_CODE} already there")
    else:
        services.coupon_save(code=COUPON_CODE, kind=Kind.PERCENT, value=Decimal("10.00"),
                             min_spend=Decimal("100.00"), per_customer_limit=1,
                             starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=365))
        out(f"coupon {COUPON_CODE}: 10 % off from ¥100.00, once per customer, for a year")
    if Coupon.objects.filter(code__iexact=CLAIMABLE_CODE).exists():
        out(f"coupon {CLAIMABLE_CODE} already there")
    else:
        services.coupon_save(code=CLAIMABLE_CODE, name="¥20 off orders from ¥150", kind=Kind.FIXED,
                             value=Decimal("20.00"), min_spend=Decimal("150.00"), per_customer_limit=None,
                             claimable=True, claims_total=100, claims_per_customer=1,
                             starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30))
        out(f"coupon {CLAIMABLE_CODE}: in the coupon centre, 100 claims of ¥20.00 off from ¥150.00")


def _discount(now, out) -> None:
    if Discount.objects.filter(name=DISCOUNT_NAME).exists():
        out(f"discount “{DISCOUNT_NAME}” already there")
        return
    category = Category.objects.filter(slug=DISCOUNT_CATEGORY).first()
    if category is None:
        out(f"no “{DISCOUNT_CATEGORY}” category yet: skipped the demo discount")
        return
    services.discount_save(name=DISCOUNT_NAME, kind=Kind.PERCENT, value=Decimal("15.00"),
                           starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
                           categories=[category])
    out(f"discount “{DISCOUNT_NAME}”: 15 % off {category.name} for 30 days")


def _flash_sales(now, out) -> None:
    """One running flash sale (limit 1) and one upcoming (tomorrow, limit 2), on well-stocked SKUs."""
    live = FlashSale.objects.filter(ends_at__gt=now, stock_returned_at__isnull=True)
    wanted = {
        "running": (not live.filter(starts_at__lte=now).exists(), timedelta(minutes=-10),
                    timedelta(days=3), 1),
        "upcoming": (not live.filter(starts_at__gt=now).exists(), timedelta(days=1),
                     timedelta(days=1, hours=2), 2),
    }
    taken = set(live.values_list("sku__product_id", flat=True))
    for kind, (needed, start, end, limit) in wanted.items():
        if not needed:
            out(f"{kind} flash sale already there")
            continue
        sku = (Sku.objects.filter(is_active=True, product__is_active=True, stock__gte=30)
               .exclude(product_id__in=taken).select_related("product").order_by("-stock", "pk").first())
        if sku is None:
            out(f"no SKU with 30 units in stock: skipped the {kind} flash sale")
            continue
        sale = flash_sale_create(sku=sku, price=money(sku.price / 2), quantity=20, per_customer_limit=limit,
                                 starts_at=now + start, ends_at=now + end)
        taken.add(sku.product_id)
        out(f"{kind} flash sale: 20 × {sku.product.name} ({sku.code}) at {sale.price} (half price)")
