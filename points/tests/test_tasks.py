"""Periodic work: the expiry task, the nightly integrity check and their beat rows; demo."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.tests.factories import UserFactory
from points import demo
from points.models import LedgerEntry, PointsAccount
from points.selectors import balance_for
from points.tasks import points_expire_task, points_integrity_check_task
from points.tests.factories import earned
from shop.testing import beat_schedule_install

pytestmark = pytest.mark.django_db


def test_expiry_task_expires_overdue_lots_and_is_safe_to_run_twice():
    user = UserFactory()
    earned(user, 70, at=timezone.now() - timedelta(days=366))
    earned(user, 30)
    assert points_expire_task.delay().get() == 70
    assert points_expire_task.delay().get() == 0
    assert balance_for(user) == 30


def test_integrity_check_logs_an_error_for_a_balance_that_differs_from_its_ledger(caplog):
    healthy, broken = UserFactory(), UserFactory()
    earned(healthy, 50)
    earned(broken, 80)
    PointsAccount.objects.filter(user=broken).update(balance=95)  # a write that bypassed the ledger
    with caplog.at_level(logging.INFO, logger="points.tasks"):
        assert points_integrity_check_task.delay().get() == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"user {broken.pk}" in errors[0].getMessage()
    assert "95" in errors[0].getMessage() and "80" in errors[0].getMessage()


def test_integrity_check_is_quiet_when_the_books_balance(caplog):
    earned(UserFactory(), 50)
    with caplog.at_level(logging.INFO, logger="points.tasks"):
        assert points_integrity_check_task.delay().get() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_beat_runs_expiry_daily_and_the_integrity_check_nightly():
    beat_schedule_install()
    tasks = dict(PeriodicTask.objects.filter(task__startswith="points.").values_list("task", "crontab__hour"))
    assert set(tasks) == {"points.tasks.points_expire_task", "points.tasks.points_integrity_check_task"}
    assert all(hour not in ("*", None) for hour in tasks.values())  # once a day


def test_demo_gives_the_demo_shopper_a_bonus_and_an_earned_lot_once():
    shopper = UserFactory(email="demo@example.com")
    messages = []
    demo.seed(out=messages.append)
    demo.seed(out=messages.append)
    kinds = sorted(LedgerEntry.objects.filter(account__user=shopper).values_list("kind", flat=True))
    assert kinds == ["bonus", "earn"]
    assert balance_for(shopper) > 0


def test_demo_skips_politely_without_the_demo_shopper():
    messages = []
    demo.seed(out=messages.append)
    assert "skipped" in messages[0]
    assert not LedgerEntry.objects.exists()
