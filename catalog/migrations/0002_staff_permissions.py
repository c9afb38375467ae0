"""Give the "Catalog staff" and "Partners" groups the catalogue's add, change and view perms.

Deleting stays with superusers: a deleted SKU or product takes its history with it, and
staff and partner systems hide things with `is_active` instead.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
GROUPS = ("Catalog staff", "Partners")
ACTIONS = ("add", "change", "view")
MODELS = ("category", "product", "productimage", "sku")


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for action in ACTIONS for model in MODELS]
    return Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now so the
    # groups can be given them in a fresh database too.
    app_config = apps.get_app_config("catalog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("accounts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
