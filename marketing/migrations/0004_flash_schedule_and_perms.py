"""Schedule the flash-sale sweeps in django-celery-beat; give Marketing staff the flash perms."""

from django.db import migrations

from shop.migration_ops import (
    grant_group_permissions,
    revoke_group_permissions,
    schedule_interval_tasks,
    unschedule_tasks,
)

# Frozen here: a migration must not change meaning if marketing.tasks is edited later.
SCHEDULE = [
    # (name, task, every, period)
    ("marketing: end flash sales", "marketing.tasks.flash_sales_end_due_task", 1, "minutes"),
    ("marketing: reconcile flash-sale gates", "marketing.tasks.flash_sales_reconcile_running_task",
     1, "minutes"),
]
GRANTS = {
    "Marketing staff": [f"{action}_{model}" for action in ("add", "change", "delete", "view")
                        for model in ("flashsale", "flashpurchase")],
}


def schedule(apps, schema_editor):
    schedule_interval_tasks(apps, SCHEDULE)


def unschedule(apps, schema_editor):
    unschedule_tasks(apps, [name for name, *_ in SCHEDULE])


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="marketing", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="marketing", grants=GRANTS)


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
