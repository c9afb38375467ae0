"""Let the "Marketing staff" group edit tiers and see (and re-evaluate) memberships."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
MARKETING_STAFF = "Marketing staff"
CODENAMES = [
    "add_tier", "change_tier", "view_tier",
    "view_membership", "change_membership", "view_spendrecord", "view_tierchange",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("membership")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MARKETING_STAFF)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="membership",
                                                     codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=MARKETING_STAFF).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="membership",
                                                            codename__in=CODENAMES))


class Migration(migrations.Migration):

    dependencies = [
        ("membership", "0002_daily_review_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
