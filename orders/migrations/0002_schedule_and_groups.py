"""Schedule the order sweeps in django-celery-beat; give the duty groups their order perms."""

from django.db import migrations

from shop.migration_ops import (
    grant_group_permissions,
    revoke_group_permissions,
    schedule_interval_tasks,
    unschedule_tasks,
)

# Frozen here: a migration must not change meaning if orders.beat or accounts.groups change.
SCHEDULE = [
    # (name, task, every, period)
    ("orders: cancel unpaid orders", "orders.tasks.orders_cancel_unpaid_task", 1, "minutes"),
    ("orders: complete shipped orders", "orders.tasks.orders_complete_shipped_task", 1, "hours"),
]
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


def schedule(apps, schema_editor):
    schedule_interval_tasks(apps, SCHEDULE)


def unschedule(apps, schema_editor):
    unschedule_tasks(apps, [name for name, *_ in SCHEDULE])


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
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(grant, revoke),
    ]
