"""The order sweeps' beat schedule (also created by migrations 0002 and 0003; seed_demo repairs it)."""

from django_celery_beat.models import IntervalSchedule, PeriodicTask

SCHEDULE = [
    # (name, task, every, period)
    ("orders: cancel unpaid orders", "orders.tasks.orders_cancel_unpaid_task", 1, "minutes"),
    ("orders: complete shipped orders", "orders.tasks.orders_complete_shipped_task", 1, "hours"),
    ("orders: settle stragglers", "orders.tasks.orders_settle_stragglers_task", 5, "minutes"),
]


def schedule_ensure() -> list[str]:
    """Create the periodic tasks that are missing; return the names created."""
    created = []
    for name, task, every, period in SCHEDULE:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        _, made = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )
        if made:
            created.append(name)
    return created
