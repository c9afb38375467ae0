"""Test helpers shared by every app (imported by tests only)."""

import threading
from collections.abc import Callable
from unittest import mock

from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

from shop.celery import app


def run_concurrently(count: int, fn: Callable[[int], object], timeout: float = 60) -> list:
    """Run `fn(i)` in `count` real threads released together; return results in order.

    Each thread has its own database connection (closed at the end), so the calls race
    against PostgreSQL as separate requests would. An exception is returned as its result,
    so a test can assert on the exact mix of outcomes.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = fn(index)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def beat_schedule_install() -> DatabaseScheduler:
    """Install the settings' beat schedule into the database, as beat does when it starts.

    Return the scheduler; nothing is sent. A fresh database has no periodic task until then.
    """
    # The scheduler closes "old" connections before it reads, and a connection inside a
    # test's transaction looks old to Django: keep it open, now and when the scheduler is
    # collected (its finaliser syncs again).
    with mock.patch("django_celery_beat.schedulers.close_old_connections"):
        scheduler = DatabaseScheduler(app=app)
    scheduler._finalize.cancel()
    return scheduler


def script_policy_problem(response) -> str | None:
    """Return why `response`'s Content-Security-Policy lets inline scripts run, or None.

    Scripts are governed by `script-src`, else `default-src`; a `sandbox` without
    `allow-scripts` runs none at all.
    """
    header = response.get("Content-Security-Policy")
    if not header:
        return "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.split()
    if "sandbox" in directives and "allow-scripts" not in directives["sandbox"]:
        return None
    sources = directives.get("script-src", directives.get("default-src"))
    if sources is None:
        return f"no script-src or default-src in {header!r}"
    if "'unsafe-inline'" in sources:
        return f"script-src allows 'unsafe-inline': {header!r}"
    return None
