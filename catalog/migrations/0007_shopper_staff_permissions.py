"""Give "Catalog staff" the moderation of reviews and a read-only view of wishlists and alerts.

Partners get nothing of these: reviews, wishlists and alerts are shoppers' own data.
"""

from django.db import migrations

from shop.migration_ops import grant_group_permissions, revoke_group_permissions

# Frozen here: a migration must not change meaning if accounts.groups is edited later.
GRANTS = {"Catalog staff": ["change_review", "view_review", "view_wishlistitem",
                            "view_stockalert"]}


def grant(apps, schema_editor):
    grant_group_permissions(apps, app_label="catalog", grants=GRANTS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, app_label="catalog", grants=GRANTS)


class Migration(migrations.Migration):

    dependencies = [("catalog", "0006_reviews_wishlist_stock_alerts")]

    operations = [migrations.RunPython(grant, revoke)]
