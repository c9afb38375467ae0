"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app.

Imports run one way: an app's tasks.py imports its services, and services never import tasks.
A service queues work with `enqueue_on_commit("<app>.tasks.<name>", ...)`, naming the task as
registered, so the graph stays free of cycles (shop/tests/test_import_cycles.py checks it).
"""

import os

from celery import Celery
from django.db import OperationalError, transaction

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


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task registered as `task_name` once the current transaction commits.

    Services name their tasks instead of importing them: the tasks module imports the
    services, so the dependency runs one way (tasks -> services) and a rolled-back
    transaction never leaves a message behind.
    """
    transaction.on_commit(lambda: task_named(task_name).delay(*args))


def task_named(task_name: str):
    """Return the registered task `task_name`, importing the apps' task modules if needed."""
    if task_name not in app.tasks:
        # autodiscover_tasks() is lazy: a web process imports the task modules on first use.
        app.loader.import_default_modules()
    return app.tasks[task_name]
