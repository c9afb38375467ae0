"""Listeners for accounts' signals (accounts may not call membership directly)."""

from membership.services import membership_get


def membership_on_registered(sender, *, user, **kwargs) -> None:
    """Give a new shopper their membership on the lowest tier."""
    membership_get(user)
