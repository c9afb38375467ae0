"""Give the "Marketing staff" group every marketing permission (created if missing)."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
GRANTS = {"Marketing staff": None}  # None: every permission of the app (at this point)


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="marketing", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="marketing", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("marketing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
