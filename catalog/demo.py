"""Demo data for `manage.py seed_demo`: idempotent, reports what it made."""


def seed(*, out) -> None:
    """Create this app's demo rows once; `out(message)` reports progress."""
