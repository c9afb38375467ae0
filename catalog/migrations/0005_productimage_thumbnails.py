"""Page thumbnails kept on the image row; images stored before get theirs made here."""

import logging

from django.db import migrations, models

log = logging.getLogger(__name__)


def make_thumbnails(apps, schema_editor):
    # The current code makes them: the sizes are a property of the pages, not of this state.
    from catalog.thumbnails import thumbnails_make

    ProductImage = apps.get_model("catalog", "ProductImage")
    for image in ProductImage.objects.filter(thumbnails={}).iterator():
        try:
            image.thumbnails = thumbnails_make(image.image)
        except Exception:  # noqa: BLE001 - a missing file must not stop the migration
            log.warning("no thumbnails for image %s (%s): file unreadable", image.pk, image.image)
            continue
        image.save(update_fields=["thumbnails"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_names_per_language")]

    operations = [
        migrations.AddField(
            model_name="productimage",
            name="thumbnails",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(make_thumbnails, migrations.RunPython.noop),
    ]
