"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app.

Imports run one way: an app's tasks.py imports its services, and services never import tasks.
A service queues work with `enqueue_on_commit("<app>.tasks.<name>", ...)`, naming the task as
registered, so the graph stays free of cycles (shop/tests/test_import_cycles.py checks it).

Besides the app this module holds what every task shares: queueing after commit that never
fails a request (`enqueue_on_commit`), the request id carried from the request into the task
(signals below), and task failures counted for /metrics.
"""

import logging
import logging.config
import os
import threading
import time

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import OperationalError, transaction

from shop import context
from shop.metrics import count, task_failure_record

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

log = logging.getLogger(__name__)

# Options of every shop task: acknowledged after it ran (a worker lost mid-task leaves it to
# be redelivered), retried with backoff while the database is briefly unreachable. The
# tasks themselves are safe to run twice.
RETRYING = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True,
            "max_retries": 5}

# The message header that carries the request id of whoever queued a task.
REQUEST_ID_HEADER = "shop_request_id"


class ShopTask(DjangoTask):
    """A task whose `delay_on_commit` never raises into the request that committed."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(lambda: publish(self, args, kwargs))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(lambda: publish(self, args or (), kwargs or {}, **options))


app = Celery("shop", task_cls=ShopTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="shop.ping")
def ping(value: int = 1) -> int:
    """Return `value + 1`: proves a worker (or the eager path) runs tasks."""
    return value + 1


@app.task(name="shop.request_id")
def request_id_task() -> str | None:
    """Return the request id this task runs under: proves a worker receives the caller's."""
    return context.request_id.get()


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task registered as `task_name` once the current transaction commits.

    Services name their tasks instead of importing them: the tasks module imports the
    services, so the dependency runs one way (tasks -> services) and a rolled-back
    transaction never leaves a message behind. A broker that is down is logged and counted,
    never raised (see `publish`).
    """
    transaction.on_commit(lambda: publish(task_named(task_name), args, {}))


def publish(task, args, kwargs, **options) -> bool:
    """Send `task` to its queue; on a broker failure log it, count it and return False.

    The work was committed already, so the request must still answer with its result: the
    sweeps find what a lost message left undone. Nobody waits for the result of work queued
    after a commit, so none is subscribed to (that subscription is a second Redis round
    trip that can hang); the broker timeouts in settings bound the rest. In eager mode
    (tests, the embedded default) the task runs here and its own errors propagate as usual.
    """
    options = {"ignore_result": True, **options}
    if app.conf.task_always_eager:
        task.apply_async(args, kwargs, **options)
        return True
    try:
        task.apply_async(args, kwargs, **options)
    except Exception:  # noqa: BLE001 - kombu, redis and socket errors all mean "not queued"
        log.exception("queueing %s failed; the sweep will do the work", task.name)
        count("enqueue_failures", task=task.name)
        return False
    return True


_import_lock = threading.Lock()


def task_named(task_name: str):
    """Return the registered task `task_name`, importing the apps' task modules if needed."""
    if task_name not in app.tasks:
        # autodiscover_tasks() is lazy: a web process imports the task modules on first use.
        # One thread imports; another asking meanwhile would see a half-imported module
        # and a task not yet registered.
        with _import_lock:
            app.loader.import_default_modules()
    return app.tasks[task_name]


# --- Logs: Django's configuration, and the request id inside tasks ---------------------------


@signals.setup_logging.connect
def keep_django_logging(**kwargs) -> None:
    """Let the worker and beat log through settings.LOGGING (JSON lines), not Celery's format."""
    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def pass_request_id(headers=None, **kwargs) -> None:
    """Put the current request id into the message, so the task logs under it."""
    request_id = context.request_id.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def request_id_of(task_request) -> str | None:
    """Return the request id a task message carries (a protocol-2 header), if any."""
    value = getattr(task_request, REQUEST_ID_HEADER, None)
    if value is None:
        value = (getattr(task_request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    return value


_task_context: dict[str, tuple[list, float]] = {}


@signals.task_prerun.connect
def bind_request_id(task_id=None, task=None, **kwargs) -> None:
    """Log the task under the request id of whoever queued it (its own id when beat did)."""
    request_id = request_id_of(task.request) or context.request_id.get() or task_id
    tokens = [(context.request_id, context.request_id.set(request_id)),
              (context.order_number, context.order_number.set(None))]
    _task_context[task_id] = (tokens, time.monotonic())


@signals.task_postrun.connect
def unbind_request_id(task_id=None, task=None, state=None, **kwargs) -> None:
    """Log one line per task run, then restore the context it ran in."""
    tokens, started = _task_context.pop(task_id, ([], time.monotonic()))
    state = state or "FAILURE"  # an eager task whose error propagated has no state yet
    log.info("task %s %s", task.name, state,
             extra={"task": task.name, "task_id": task_id, "state": state,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1)})
    for variable, token in reversed(tokens):
        try:
            variable.reset(token)
        except ValueError:  # set in another context (a thread pool): nothing to restore
            pass


@signals.task_failure.connect
def count_task_failure(sender=None, task_id=None, exception=None, **kwargs) -> None:
    """Count a task that failed for good (retries are not failures) and log why."""
    name = getattr(sender, "name", str(sender))
    log.error("task %s failed: %r", name, exception, extra={"task": name, "task_id": task_id})
    task_failure_record(name)
