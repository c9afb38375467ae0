"""Schedule the points tasks in django-celery-beat: expiry daily, the integrity check nightly."""

from django.db import migrations

# (task name, task path, minute, hour), in UTC: 16:10 and 17:30 UTC are 00:10 and 01:30 in
# Shanghai, quiet hours; the sweep runs first so the check sees the ledger after expiry.
SCHEDULE = [
    ("points: expire lots past their date", "points.tasks.points_expire_task", "10", "16"),
    ("points: integrity check", "points.tasks.points_integrity_check_task", "30", "17"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True},
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
