"""Give the "Catalog staff" and "Partners" groups the catalogue's add, change and view perms.

Deleting stays with superusers: a deleted SKU or product takes its history with it, and
staff and partner systems hide things with `is_active` instead.
"""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
CODENAMES = [f"{action}_{model}" for action in ("add", "change", "view")
             for model in ("category", "product", "productimage", "sku")]
GRANTS = {"Catalog staff": CODENAMES, "Partners": CODENAMES}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="catalog", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="catalog", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("accounts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
