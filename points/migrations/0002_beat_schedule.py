"""Empty: it once scheduled the points expiry and integrity check, which settings now schedule.

Beat installs its schedule from `CELERY_BEAT_SCHEDULE` when it starts; the migration stays
so that databases which applied it keep a consistent history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
