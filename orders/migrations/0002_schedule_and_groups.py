"""Schedule the order sweeps in django-celery-beat; give the duty groups their order perms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in SCHEDULE:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True},
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now so the
    # groups can be given them in a fresh database too.
    app_config = apps.get_app_config("orders")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="orders", codename__in=codenames
        ))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="orders", codename__in=codenames
            ))


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
