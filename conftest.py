"""Fixtures and switches for the whole suite.

Tests marked `postgres`, `redis` or `browser` need that service. They skip with a reason
when it is absent, unless SHOP_REQUIRE_SERVICES=1 (set by .ci/run), which turns every such
skip into a failure: CI must run the whole suite against the real services.

Celery tasks run in-process during tests whatever REDIS_URL says, so a test behaves the same
on SQLite and in CI; the `celery_worker_process` fixture switches its test to the real broker
and a real worker.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made in the
# same tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("SHOP_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")


def _missing(marker: str) -> str | None:
    """Return why the service behind `marker` is unavailable, or None."""
    from django.conf import settings

    if marker == "postgres":
        if not settings.USES_POSTGRES:
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        except redis.RedisError as exc:
            return f"Redis at REDIS_URL does not answer: {exc}"
    elif marker == "browser":
        if not shutil.which(CHROMIUM):
            return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"SHOP_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that flush the database after the others, as Django does.

    A transactional test (`transaction=True`, `transactional_db`, `live_server`) ends by
    emptying every table, rows made by data migrations (staff groups, beat schedules)
    included. pytest-django orders such tests last, but pytest's regrouping of
    session-parametrized tests (Playwright's `[chromium]`) undoes that, so it is done again
    here, last. The sort is stable: the order within each group is kept.
    """

    def flushes(item) -> bool:
        marker = item.get_closest_marker("django_db")
        if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
            return True
        return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))

    items.sort(key=flushes)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Under SHOP_REQUIRE_SERVICES=1 a skipped test, whatever skipped it, fails the run."""
    if not REQUIRE_SERVICES or session.exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"SHOP_REQUIRE_SERVICES=1: {len(skipped)} test(s) skipped; every test must run",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive the system Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _every_page_has_a_script_policy(monkeypatch):
    """Every HTML page a test fetches with the test client carries a Content-Security-Policy
    that runs no inline script (docs/security.md)."""
    from django.test.client import Client

    from shop.testing import script_policy_problem

    request = Client.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        if response.get("Content-Type", "").startswith("text/html"):
            problem = script_policy_problem(response)
            assert problem is None, f"{kwargs.get('PATH_INFO')}: {problem}"
        return response

    monkeypatch.setattr(Client, "request", checked_request)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters, flash-sale gates)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language.

    The test client runs LocaleMiddleware in the test's own thread, and Django never
    deactivates the language a request activated: after a request in Chinese, a factory's
    `name=` would fill the Chinese column only and an English page would show no name.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# --- Celery ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run `.delay()` in-process: a queued task must not wait in Redis for a worker no one started."""
    from celery.result import allow_join_result

    from shop.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    # Celery's "inside a task" flag is one global: eager tasks run in threads by a
    # concurrency test can leave it set, and `.get()` would then refuse in later tests.
    with allow_join_result():
        yield
    app.conf.task_always_eager = previous


def worker_database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL for another process to reach the database of `settings_dict`."""
    engine = settings_dict["ENGINE"]
    name = settings_dict["NAME"]
    if engine.endswith("postgresql"):
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    if engine.endswith("sqlite3") and "memory" not in str(name):
        return f"sqlite:///{name}"
    raise RuntimeError(
        f"a worker process cannot reach the test database {name!r} ({engine}); "
        "mark the test @pytest.mark.postgres"
    )


class CeleryWorker:
    """A `celery worker` child process; `output()` is what it printed so far."""

    def __init__(self, process: subprocess.Popen, log_path: Path, nodename: str):
        self.process = process
        self.log_path = log_path
        self.nodename = nodename

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM: finish the current task), then SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _wait_until_worker_answers(app, worker: CeleryWorker, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with {worker.process.returncode}:\n{worker.output()}",
                pytrace=False,
            )
        if app.control.ping(destination=[worker.nodename], timeout=0.5):
            return
    worker.stop()
    pytest.fail(f"the Celery worker did not answer within {timeout:.0f} s:\n{worker.output()}",
                pytrace=False)


@pytest.fixture
def celery_worker_process(transactional_db, _celery_eager):
    """Start a real `celery worker` against the test database and Redis; yield it; stop it.

    Needs `@pytest.mark.redis` and `@pytest.mark.postgres` on the test (the worker is another
    process: it sees only committed rows, hence `transactional_db`). `.delay()` goes through
    the broker for the test's duration; read results with `.get(timeout=...)`.
    """
    from django.conf import settings
    from django.db import connection

    from shop.celery import app

    if not settings.REDIS_URL:
        pytest.fail("celery_worker_process needs REDIS_URL (mark the test @pytest.mark.redis)")
    nodename = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": worker_database_url(connection.settings_dict),
        "SHOP_TESTING": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    app.control.purge()  # a message left by an earlier, interrupted run must not run now
    log_file = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)
    log_path = Path(log_file.name)
    process = subprocess.Popen(
        [str(celery), "-A", "shop", "worker", "--pool", "solo", "-l", "WARNING",
         "-n", nodename, "--without-gossip", "--without-mingle",
         "-Q", ",".join(settings.SHOP_CELERY_QUEUES)],  # every queue: tasks are routed
        cwd=Path(__file__).resolve().parent,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    worker = CeleryWorker(process, log_path, nodename)
    app.conf.task_always_eager = False
    try:
        _wait_until_worker_answers(app, worker, timeout=30)
        yield worker
    finally:
        app.conf.task_always_eager = True
        worker.stop()
        # Captured output: pytest shows it when the test failed.
        sys.stdout.write(f"--- celery worker output ---\n{worker.output()}")
        log_path.unlink(missing_ok=True)
