"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import os

from celery import Celery
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

# Options of every shop task: acknowledged after it ran (a worker lost mid-task leaves it to
# be redelivered), retried with backoff while the database is briefly unreachable. The
# tasks themselves are safe to run twice.
RETRYING = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True,
            "max_retries": 5}

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="shop.ping")
def ping(value: int = 1) -> int:
    """Return `value + 1`: proves a worker (or the eager path) runs tasks."""
    return value + 1
