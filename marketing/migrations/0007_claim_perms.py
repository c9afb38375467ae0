"""Let Marketing staff see the coupon wallet's claims (claims are written by shoppers only)."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

GRANTS = {"Marketing staff": ["view_couponclaim"]}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="marketing", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="marketing", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ("marketing", "0006_coupon_wallet"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
