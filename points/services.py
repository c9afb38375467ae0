"""The points ledger's write API: earn, redeem, refund, reverse, expire, adjust."""


def points_redeem(*, user, points: int, reference: str) -> None:
    """Debit points for an order; raise InsufficientPoints if short. Placeholder until #6."""
    from points.errors import InsufficientPoints

    raise InsufficientPoints()


def points_refund(*, reference: str) -> None:
    """Give back the points an order redeemed (cancel), once. Placeholder until #6."""


def points_award(*, user, points: int, reference: str) -> None:
    """Award points for a settled order, once per reference. Placeholder until #6."""


def points_reverse(*, reference: str) -> None:
    """Reverse the award of a refunded order, once. Placeholder until #6."""
