"""Give Marketing staff the flash-sale permissions (the sweeps' schedule is in settings)."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

GRANTS = {
    "Marketing staff": [f"{action}_{model}" for action in ("add", "change", "delete", "view")
                        for model in ("flashsale", "flashpurchase")],
}


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
        # The sweeps this migration once scheduled are in settings (CELERY_BEAT_SCHEDULE),
        # which beat installs when it starts.
        migrations.RunPython(grant, revoke),
    ]
