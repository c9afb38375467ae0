"""pg_trgm and GIN trigram indexes on the product and category names (PostgreSQL only).

The search's "did you mean" asks for names word-similar to the query (`%>`), which these
indexes answer without reading every row. SQLite has neither; there the steps do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Frozen here: the name columns as they are at this migration (one per language).
INDEXED = [
    ("catalog_product", "name_en"), ("catalog_product", "name_zh_hans"),
    ("catalog_category", "name_en"), ("catalog_category", "name_zh_hans"),
]


def _on_postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_indexes(apps, schema_editor):
    if not _on_postgres(schema_editor):
        return
    for table, column in INDEXED:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" '  # nosec B608 - constant names
            f'ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if not _on_postgres(schema_editor):
        return
    for table, column in INDEXED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_shopper_staff_permissions")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
