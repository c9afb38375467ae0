"""Membership's write API: spend records and tier evaluation."""

from datetime import datetime
from decimal import Decimal


def spend_record(*, user, reference: str, amount: Decimal, at: datetime | None = None) -> None:
    """Record spend for an order (idempotent per reference) and upgrade at once.

    Placeholder until issue #5.
    """


def spend_reverse(*, reference: str) -> None:
    """Reverse the spend of a refunded order and re-evaluate the tier. Placeholder until #5."""
