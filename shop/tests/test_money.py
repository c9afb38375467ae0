from decimal import Decimal

import pytest

from shop.money import format_money, money


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("2.675", "2.68"), ("-2.675", "-2.68"), (Decimal("10"), "10.00")],
)
def test_money_rounds_half_up_to_cents(value, expected):
    assert money(value) == Decimal(expected)


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1299", "¥1,299.00"), ("-30", "\u2212¥30.00"), ("0", "¥0.00")],
)
def test_amounts_read_with_the_sign_before_the_currency(value, expected):
    assert format_money(value) == expected
