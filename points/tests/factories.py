"""Factories for the points ledger: accounts, and balances built through the services."""

import factory

from accounts.tests.factories import UserFactory
from points.models import PointsAccount
from points.services import points_award


class PointsAccountFactory(factory.django.DjangoModelFactory):
    """An empty account; give it points with `earned(user, points)` so lots stay consistent."""

    class Meta:
        model = PointsAccount

    user = factory.SubFactory(UserFactory)
    balance = 0


def earned(user, points: int, *, reference: str | None = None, at=None):
    """Award `points` to `user` through the ledger (opens a lot); return the entry."""
    earned.counter += 1
    return points_award(user=user, points=points,
                        reference=reference or f"order:SOTEST{earned.counter:05d}", at=at)


earned.counter = 0
