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



@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Clear Celery's process-wide "inside a task" flag after each test.

    Tests that run eager tasks from many threads at once (run_concurrently) can leave it
    set, and a later test's `result.get()` then refuses with "Never call result.get()
    within a task!". Observed after the 20-thread placement race and the flash-sale races.
    """
    from celery import _state

    yield
    _state._set_task_join_will_block(False)
