"""Schedule the sweep that re-queues settlement for orders left paid (a lost settle task)."""

from django.db import migrations

from shop.migration_ops import schedule_interval_tasks, unschedule_tasks

# Frozen here: a migration must not change meaning if orders.beat changes.
SCHEDULE = [
    # (name, task, every, period)
    ("orders: settle stragglers", "orders.tasks.orders_settle_stragglers_task", 5, "minutes"),
]


def schedule(apps, schema_editor):
    schedule_interval_tasks(apps, SCHEDULE)


def unschedule(apps, schema_editor):
    unschedule_tasks(apps, [name for name, *_ in SCHEDULE])


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_schedule_and_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule, unschedule),
    ]
