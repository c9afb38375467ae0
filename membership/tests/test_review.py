"""Spend ages out of the 365-day window; the daily task downgrades."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from accounts.tests.factories import UserFactory
from membership.models import TierChange
from membership.selectors import spend_in_window
from membership.services import membership_get, membership_review_due, spend_record, tier_save
from membership.tasks import membership_review_due_task
from shop.testing import beat_schedule_install

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=dt_timezone.utc)


def test_spend_older_than_365_days_stops_counting_and_the_daily_task_downgrades(tiers):
    with time_machine.travel(T0, tick=False):
        user = UserFactory()
        spend_record(user=user, reference="order:SO1", amount=Decimal("5200.00"))
    with time_machine.travel(T0 + timedelta(days=200), tick=False):
        spend_record(user=user, reference="order:SO2", amount=Decimal("1100.00"))
        assert membership_get(user).tier == tiers["gold"]

    with time_machine.travel(T0 + timedelta(days=364), tick=False):
        assert membership_review_due_task.delay().get() == 0
        assert membership_get(user).tier == tiers["gold"]

    with time_machine.travel(T0 + timedelta(days=366), tick=False):
        assert spend_in_window(user=user) == Decimal("1100.00")
        assert membership_review_due_task.delay().get() == 1

        membership = membership_get(user)
        assert membership.tier == tiers["silver"]
        change = membership.changes.first()
        assert (change.from_tier, change.to_tier, change.reason, change.spend) == (
            tiers["gold"], tiers["silver"], TierChange.Reason.AGED, Decimal("1100.00")
        )
        assert change.created_at == T0 + timedelta(days=366)


def test_running_the_daily_task_twice_downgrades_once(tiers):
    with time_machine.travel(T0, tick=False):
        user = UserFactory()
        spend_record(user=user, reference="order:SO1", amount=Decimal("1500.00"))

    with time_machine.travel(T0 + timedelta(days=400), tick=False):
        assert membership_review_due() == 1
        assert membership_review_due() == 0

    membership = membership_get(user)
    assert membership.tier == tiers["regular"]
    assert membership.changes.filter(reason=TierChange.Reason.AGED).count() == 1
    assert membership.review_at is None


def test_the_daily_task_leaves_members_whose_spend_has_not_aged_alone(tiers):
    with time_machine.travel(T0, tick=False):
        aged, fresh = UserFactory(), UserFactory()
        spend_record(user=aged, reference="order:SO1", amount=Decimal("1500.00"))
    with time_machine.travel(T0 + timedelta(days=300), tick=False):
        spend_record(user=fresh, reference="order:SO2", amount=Decimal("1500.00"))

    with time_machine.travel(T0 + timedelta(days=370), tick=False):
        assert membership_review_due() == 1

    assert membership_get(aged).tier == tiers["regular"]
    fresh_membership = membership_get(fresh)
    assert fresh_membership.tier == tiers["silver"]
    assert fresh_membership.evaluated_at == T0 + timedelta(days=300)


def test_the_daily_task_works_through_members_in_batches(tiers):
    with time_machine.travel(T0, tick=False):
        users = UserFactory.create_batch(3)
        for number, user in enumerate(users):
            spend_record(user=user, reference=f"order:SO{number}", amount=Decimal("1000.00"))

    with time_machine.travel(T0 + timedelta(days=366), tick=False):
        assert membership_review_due(batch_size=2) == 3

    assert {membership_get(user).tier.code for user in users} == {"regular"}


def test_beat_schedules_the_daily_review_at_a_quiet_hour_in_shanghai():
    beat_schedule_install()
    task = PeriodicTask.objects.get(task="membership.tasks.membership_review_due_task")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("15", "3", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


# --- A changed ladder reaches every member at the next daily run -------------------------------


def test_raising_a_threshold_above_a_members_spend_downgrades_them_at_the_next_daily_run(tiers):
    with time_machine.travel(T0, tick=False):
        user = UserFactory()
        spend_record(user=user, reference="order:SO1", amount=Decimal("5200.00"))
        assert membership_get(user).tier == tiers["gold"]
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        gold = tiers["gold"]
        gold.threshold = Decimal("6000.00")
        tier_save(tier=gold)

        assert membership_review_due_task.delay().get() == 1

        membership = membership_get(user)
        assert membership.tier == tiers["silver"]
        assert membership.changes.first().from_tier == tiers["gold"]


def test_lowering_a_threshold_upgrades_members_who_now_reach_it_at_the_next_daily_run(tiers):
    with time_machine.travel(T0, tick=False):
        user, newcomer = UserFactory(), UserFactory()
        spend_record(user=user, reference="order:SO1", amount=Decimal("4000.00"))
        membership_get(newcomer)  # no spend: no review time of its own
        assert membership_get(user).tier == tiers["silver"]
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        gold = tiers["gold"]
        gold.threshold = Decimal("3500.00")
        tier_save(tier=gold)

        assert membership_review_due_task.delay().get() == 2  # everyone, the newcomer too
        assert membership_get(user).tier == tiers["gold"]
        assert membership_get(newcomer).tier == tiers["regular"]
        assert membership_review_due_task.delay().get() == 0


def test_a_tier_saved_in_the_admin_marks_every_member_due(client, tiers):
    with time_machine.travel(T0, tick=False):
        user = UserFactory()
        spend_record(user=user, reference="order:SO1", amount=Decimal("5200.00"))
    client.force_login(User.objects.create_superuser("admin@example.com", "pw-12345678"))
    gold = tiers["gold"]
    response = client.post(reverse("admin:membership_tier_change", args=[gold.pk]), {
        "code": "gold", "name": "Gold", "rank": gold.rank, "threshold": "6000.00",
        "discount_percent": gold.discount_percent, "points_multiplier": gold.points_multiplier,
        "free_shipping": "on" if gold.free_shipping else "",
    })

    assert response.status_code == 302
    assert membership_review_due_task.delay().get() == 1
    assert membership_get(user).tier == tiers["silver"]
