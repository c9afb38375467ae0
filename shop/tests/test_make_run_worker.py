"""`make run`'s worker with beat does the timed work on the embedded default (SQLite, no Redis).

The test runs what `make run` runs, as separate processes against a SQLite file of its own:
`migrate`, a web-like process placing orders, then the worker line of Procfile.dev, with the
environment the Makefile gives it. Nothing else is started; the worker's beat must install
the schedule and its sweep must cancel the order left unpaid.
"""

import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shop.tests.subprocesses import BASE_DIR, child_env, manage, python_json
from shop.tests.test_beat_schedule import readme_periodic_tasks

# Run in a process of its own, as the web server would: one order placed two minutes ago
# (past its one-minute payment time) and one placed now.
PLACE_ORDERS = """
from datetime import timedelta

import time_machine
from django.utils import timezone

from catalog.tests.factories import SkuFactory
from orders.tests.factories import place

sku = SkuFactory(stock=5)
with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
    overdue = place(skus=[sku], quantity=2)
fresh = place(skus=[sku], quantity=1)
result = {"sku": sku.pk, "overdue": overdue.number, "fresh": fresh.number}
"""


def procfile_command(name: str) -> list[str]:
    """Return the command of process `name` in Procfile.dev, with this venv's executables."""
    for line in (BASE_DIR / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            argv = shlex.split(line.split(":", 1)[1])
            if argv[0].startswith(".venv/bin/"):
                argv[0] = str(Path(sys.executable).with_name(Path(argv[0]).name))
            return argv
    raise AssertionError(f"Procfile.dev has no {name!r} process")


def make_run_environment(tmp_path: Path) -> dict[str, str]:
    """Return `make run`'s environment, on a fresh SQLite file, with a 1-minute payment time."""
    return child_env(
        DJANGO_DEBUG="1",
        DJANGO_SECURE="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SHOP_BROKER_DIR=str(tmp_path / "broker"),
        ORDER_PAYMENT_TIMEOUT="1",
        # The sweep's period, shortened so that the test waits seconds, not a minute.
        ORDER_UNPAID_SWEEP_SECONDS="2",
    )


def query(db: Path, sql: str, *params):
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


@pytest.mark.slow
def test_make_run_cancels_an_unpaid_order_and_returns_its_stock_with_no_other_command(tmp_path):
    env = make_run_environment(tmp_path)
    db = tmp_path / "db.sqlite3"
    migrated = manage("migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    ids = python_json(PLACE_ORDERS, env)
    placed_at = time.monotonic()
    assert query(db, "SELECT stock FROM catalog_sku WHERE id = ?", ids["sku"]) == [(2,)]
    assert query(db, "SELECT count(*) FROM django_celery_beat_periodictask") == [(0,)]

    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(procfile_command("worker"), cwd=BASE_DIR, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status = None
        while time.monotonic() - placed_at < 45:
            assert worker.poll() is None, log_path.read_text()
            [(status,)] = query(db, "SELECT status FROM orders_order WHERE number = ?",
                                ids["overdue"])
            if status == "cancelled":
                break
            time.sleep(0.5)
        assert status == "cancelled", log_path.read_text()
        assert query(db, "SELECT stock FROM catalog_sku WHERE id = ?", ids["sku"]) == [(4,)]
        # Its payment time has not passed: the sweep leaves it alone.
        assert query(db, "SELECT status FROM orders_order WHERE number = ?", ids["fresh"]) == [
            ("pending_payment",)]
        installed = dict(query(db, "SELECT name, task FROM django_celery_beat_periodictask "
                                   "WHERE task != 'celery.backend_cleanup'"))
        assert installed == readme_periodic_tasks()
    finally:
        stop(worker)


def stop(worker: subprocess.Popen) -> None:
    """Stop the worker and its embedded beat (one process group): warm, then by force."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(5)
    try:
        os.killpg(worker.pid, signal.SIGKILL)  # a beat child left behind
    except ProcessLookupError:
        pass
