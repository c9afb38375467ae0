"""Schedule the flash-sale sweeps in django-celery-beat; give Marketing staff the flash perms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: a migration must not change meaning if marketing.tasks is edited later.
SCHEDULE = [
    # (name, task, every, period)
    ("marketing: end flash sales", "marketing.tasks.flash_sales_end_due_task", 1, "minutes"),
    ("marketing: reconcile flash-sale gates", "marketing.tasks.flash_sales_reconcile_running_task",
     1, "minutes"),
]
MARKETING_STAFF = "Marketing staff"
MODELS = ["flashsale", "flashpurchase"]


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


def _perms(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="marketing",
                                     content_type__model__in=MODELS)


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now.
    app_config = apps.get_app_config("marketing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=MARKETING_STAFF)
    group.permissions.add(*_perms(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=MARKETING_STAFF).first()
    if group:
        group.permissions.remove(*_perms(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("marketing", "0003_flash_sales"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(grant, revoke),
    ]
