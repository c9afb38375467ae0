import pytest

from shop.celery import ping


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200


def test_ping_task_runs_eagerly_without_redis(settings):
    assert ping.delay(41).get(timeout=5) == 42
