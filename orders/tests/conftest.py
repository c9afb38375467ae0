"""Fixtures for the orders tests."""

import pytest
from rest_framework.test import APIClient

from orders.tests.factories import UserFactory


@pytest.fixture
def shopper(db):
    return UserFactory()


@pytest.fixture
def api(shopper):
    """An API client signed in as `shopper`."""
    client = APIClient()
    client.force_authenticate(shopper)
    return client


@pytest.fixture
def shopper_client(client, shopper):
    """The Django test client logged in as `shopper`."""
    client.force_login(shopper)
    return client


