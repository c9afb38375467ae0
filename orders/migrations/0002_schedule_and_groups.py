"""Give the duty groups their order permissions (the sweeps' schedule is in settings)."""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

FULFILMENT_STAFF = "Fulfilment staff"
PARTNERS = "Partners"
ORDER_PERMS = ["view_order", "change_order", "add_shipment"]
GROUP_PERMS = {
    PARTNERS: ORDER_PERMS,
    # Staff also read an order's parts in the admin and refund.
    FULFILMENT_STAFF: ORDER_PERMS + [
        "refund_order", "view_orderline", "view_orderadjustment", "view_orderevent",
        "view_payment", "view_settlement", "view_shipment", "change_shipment",
    ],
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="orders", grants=GROUP_PERMS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="orders", grants=GROUP_PERMS)


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The sweeps this migration once scheduled are in settings (CELERY_BEAT_SCHEDULE),
        # which beat installs when it starts.
        migrations.RunPython(grant, revoke),
    ]
