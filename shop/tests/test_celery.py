"""Celery: eager without Redis, a real worker with it, and safe-redelivery settings."""

import pytest
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import EagerResult

from shop.celery import app, ping
from shop.tests.subprocesses import child_env, python_json

RUN_PING = """
from django.conf import settings
from django.core.cache import caches
from shop.celery import app, ping
outcome = ping.delay(41)
result = {
    "value": outcome.get(timeout=5),
    "eager_result": type(outcome).__name__,
    "always_eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "cache": type(caches["default"]).__name__,
}
"""

READ_CONF = """
from django.core.cache import caches
from shop.celery import app
result = {
    "always_eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "backend": app.conf.result_backend,
    "cache": type(caches["default"]).__module__,
}
"""


def test_without_redis_url_tasks_run_eagerly_in_process():
    result = python_json(RUN_PING, child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0"))

    assert result == {
        "value": 42,
        "eager_result": "EagerResult",
        "always_eager": True,
        "broker": "memory://",
        "cache": "LocMemCache",
    }


def test_with_redis_url_tasks_go_to_the_redis_broker_and_cache():
    # Only the configuration is read: nothing needs to answer on this port.
    url = "redis://127.0.0.1:1/3"
    result = python_json(READ_CONF, child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0", REDIS_URL=url))

    assert result == {
        "always_eager": False,
        "broker": url,
        "backend": url,
        "cache": "django_redis.cache",
    }


def test_with_a_broker_dir_tasks_go_through_files_there_for_make_runs_worker(tmp_path):
    broker = tmp_path / "broker"
    env = child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0", SHOP_BROKER_DIR=str(broker))
    result = python_json(READ_CONF + """
result["folders"] = app.conf.broker_transport_options
""", env)

    assert result["always_eager"] is False
    assert result["broker"] == "filesystem://"
    assert result["folders"]["data_folder_in"] == result["folders"]["data_folder_out"]
    assert (broker / "queue").is_dir() and (broker / "control").is_dir()


def test_redis_url_wins_over_a_broker_dir(tmp_path):
    url = "redis://127.0.0.1:1/3"
    env = child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0", REDIS_URL=url,
                    SHOP_BROKER_DIR=str(tmp_path / "broker"))

    assert python_json(READ_CONF, env)["broker"] == url


SHOP_APPS = {"orders", "marketing", "points", "membership"}


def test_celery_is_configured_for_safe_redelivery():
    conf = app.conf

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]


def test_every_shop_task_is_acknowledged_late_and_retries_what_can_pass():
    app.loader.import_default_modules()  # autodiscovery: every app's tasks module
    shop_tasks = [t for name, t in app.tasks.items() if name.split(".")[0] in SHOP_APPS]

    assert len(shop_tasks) >= 8
    for task in shop_tasks:
        assert task.acks_late is True, task.name
        assert task.autoretry_for, task.name  # the database (or SMTP for emails) blipping


def test_tasks_run_in_process_during_tests_whatever_redis_url_says():
    outcome = ping.delay(41)

    assert isinstance(outcome, EagerResult)
    assert outcome.get() == 42


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_runs_the_task_and_its_result_comes_back(celery_worker_process):
    outcome = ping.delay(41)

    assert not isinstance(outcome, EagerResult)
    try:
        value = outcome.get(timeout=30)
    except CeleryTimeout:
        pytest.fail(f"no result in 30 s; worker said:\n{celery_worker_process.output()}")
    assert value == 42
    assert celery_worker_process.process.poll() is None  # still serving


@pytest.mark.redis
@pytest.mark.postgres
def test_the_worker_stops_cleanly_on_sigterm(celery_worker_process):
    celery_worker_process.stop()

    # A warm shutdown exits 0; a SIGKILL after the timeout would be -9.
    assert celery_worker_process.process.returncode == 0, celery_worker_process.output()
