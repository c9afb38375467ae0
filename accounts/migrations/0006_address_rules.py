"""Addresses checked per country (accounts/addresses.py); saved Chinese provinces normalised.

A province saved as "上海" or "上海市" becomes "Shanghai", the name the rules now store, so
an address saved before stays valid when it is next edited. Rows the rules would refuse
otherwise (a made-up country, say) are left as they are: an order already copied them, and
the shopper sees the error when they next edit the address.
"""

from django.db import migrations, models

from accounts.addresses import province_normalise


def normalise_provinces(apps, schema_editor):
    Address = apps.get_model("accounts", "Address")
    for address in Address.objects.filter(country__iexact="CN").exclude(province=""):
        known = province_normalise(address.province)
        if known and known != address.province:
            Address.objects.filter(pk=address.pk).update(province=known)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_user_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="address",
            name="country",
            field=models.CharField(default="CN", help_text="ISO 3166-1 code, e.g. CN.", max_length=2),
        ),
        migrations.AlterField(
            model_name="address",
            name="postcode",
            field=models.CharField(max_length=20),
        ),
        migrations.RunPython(normalise_provinces, migrations.RunPython.noop),
    ]
