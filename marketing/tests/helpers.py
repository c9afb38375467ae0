"""Test helpers for marketing: priced cart lines as orders passes them."""

from decimal import Decimal

from shop.money import money
from shop.pricing import PricedLine

_next_id = iter(range(1, 10_000_000))


def line(*, category, unit_price: str | Decimal, quantity: int = 1, flash: bool = False) -> PricedLine:
    """Return a PricedLine in `category` (a Category or its id)."""
    unit = money(Decimal(unit_price))
    sku_id = next(_next_id)
    return PricedLine(
        sku_id=sku_id, product_id=sku_id, category_id=getattr(category, "pk", category),
        quantity=quantity, unit_price=unit, line_total=money(unit * quantity), is_flash=flash,
    )
