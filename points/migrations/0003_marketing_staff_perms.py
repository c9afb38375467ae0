"""Let the "Marketing staff" group (who run the loyalty programme) see ledgers and adjust points."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
GRANTS = {
    "Marketing staff": ["view_pointsaccount", "view_ledgerentry", "view_lot", "adjust_points"],
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="points", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="points", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("points", "0002_beat_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
