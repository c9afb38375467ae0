"""Create the staff duty groups; later apps add their permissions to them by name."""

from django.db import migrations

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
STAFF_GROUPS = ("Catalog staff", "Fulfilment staff", "Marketing staff", "Partners")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=STAFF_GROUPS, permissions__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_address_validators"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
