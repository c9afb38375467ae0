"""Empty: it once scheduled the settle-stragglers sweep, which settings now schedule.

Beat installs its schedule from `CELERY_BEAT_SCHEDULE` when it starts; the migration stays
so that databases which applied it keep a consistent history.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_schedule_and_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
