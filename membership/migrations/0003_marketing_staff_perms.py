"""Let the "Marketing staff" group edit tiers and see (and re-evaluate) memberships."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
GRANTS = {
    "Marketing staff": [
        "add_tier", "change_tier", "view_tier",
        "view_membership", "change_membership", "view_spendrecord", "view_tierchange",
    ],
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="membership", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="membership", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("membership", "0002_daily_review_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
