"""Schedule the sweep that re-queues settlement for orders left paid (a lost settle task)."""

from django.db import migrations

# Frozen here: a migration must not change meaning if orders.beat changes.
SCHEDULE = [
    # (name, task, every, period)
    ("orders: settle stragglers", "orders.tasks.orders_settle_stragglers_task", 5, "minutes"),
]


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in SCHEDULE:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True},
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_schedule_and_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule, unschedule),
    ]
