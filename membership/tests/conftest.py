"""Fixtures for membership's tests."""

import pytest

from membership.tests.factories import tier_ladder


@pytest.fixture
def tiers(db):
    """The four seeded tiers by code: regular, silver, gold, platinum."""
    return tier_ladder()
