"""The periodic tasks come from settings: beat installs them when it starts; no migration does."""

import re

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from shop.celery import task_named
from shop.testing import beat_schedule_install

pytestmark = pytest.mark.django_db

# A row of the README's table of timed work: | "name" | `dotted.task.path` | when |
README_ROW = re.compile(r'^\| "(?P<name>[^"]+)" \| `(?P<task>[\w.]+)` \|')


def readme_periodic_tasks() -> dict[str, str]:
    text = (settings.BASE_DIR / "README.md").read_text()
    return {m["name"]: m["task"] for m in map(README_ROW.match, text.splitlines()) if m}


def installed() -> dict[str, str]:
    rows = PeriodicTask.objects.exclude(task="celery.backend_cleanup")
    return dict(rows.values_list("name", "task"))


def test_a_migrated_database_has_no_periodic_task_until_beat_starts():
    assert not PeriodicTask.objects.exists()


def test_beat_installs_every_periodic_task_the_readme_lists():
    listed = readme_periodic_tasks()
    assert len(listed) >= 8, "the README's table of timed work was not found"

    beat_schedule_install()

    assert installed() == listed
    assert PeriodicTask.objects.filter(enabled=False).count() == 0
    for task in listed.values():
        task_named(task)  # raises KeyError for a task no app registers


def test_starting_beat_again_restores_the_schedule_and_keeps_what_staff_disabled():
    beat_schedule_install()
    unpaid = PeriodicTask.objects.get(name="orders: cancel unpaid orders")
    unpaid.interval.every = 3600
    unpaid.interval.save()
    PeriodicTask.objects.filter(name="points: integrity check").update(enabled=False)

    beat_schedule_install()

    unpaid.refresh_from_db()
    assert (unpaid.interval.every, unpaid.interval.period) == (60, "seconds")
    assert not PeriodicTask.objects.get(name="points: integrity check").enabled
    assert PeriodicTask.objects.filter(name="orders: cancel unpaid orders").count() == 1

