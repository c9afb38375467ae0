"""Demo data for `manage.py seed_demo`: idempotent, reports what it made."""

from orders.beat import schedule_ensure


def seed(*, out) -> None:
    """Make sure the order sweeps are scheduled (the migration normally did it)."""
    created = schedule_ensure()
    out(f"scheduled {', '.join(created)}" if created else "order sweeps already scheduled")
