"""/healthz: 200 while the database answers (Redis is reported, not required); 503 without it."""

import pytest
from django.db import OperationalError, connection, connections

import shop.views


@pytest.fixture
def unreachable_database(monkeypatch):
    """Point the health check at a real connection to a database that is not there."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens on port 1
    else:
        settings_dict.update(NAME="/nonexistent-directory/shop.sqlite3")
    broken = connections["default"].__class__(settings_dict, alias="default")
    monkeypatch.setattr(shop.views, "connection", broken)
    yield broken
    broken.close()


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] is True


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_is_200_with_the_database_and_redis_up_and_checks_both(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "redis": True}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, unreachable_database, caplog):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] is False
    failure = next(r for r in caplog.records if "database check failed" in r.getMessage())
    assert issubclass(failure.exc_info[0], OperationalError)


@pytest.mark.django_db
def test_healthz_is_503_when_a_query_fails(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


@pytest.mark.django_db
def test_healthz_stays_200_and_reports_redis_down_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded",
                               "checks": {"database": True, "redis": False}}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable_even_with_redis_up(
    client, settings, unreachable_database
):
    settings.REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_with_https_redirect_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
