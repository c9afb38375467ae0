"""Points reads."""


def balance_for(user) -> int:
    """Return the user's points balance (0 for anonymous visitors). Placeholder until #6."""
    return 0
