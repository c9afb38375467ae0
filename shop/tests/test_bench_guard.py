"""`make bench` refuses a Redis db that holds keys unless told to empty it."""

import pytest
import redis
from django.conf import settings

from bench import run


@pytest.fixture
def redis_with_a_key(monkeypatch):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.set("bench-guard-test", "1")
    monkeypatch.setattr(run, "REDIS_URL", settings.REDIS_URL)
    yield client
    client.delete("bench-guard-test")


def test_the_benchmark_refuses_a_redis_db_holding_keys(redis_with_a_key, monkeypatch):
    monkeypatch.delenv("BENCH_FLUSH_REDIS", raising=False)
    with pytest.raises(SystemExit, match="holds 1 keys"):
        run.check_redis_empty()
    assert redis_with_a_key.get("bench-guard-test") == b"1"


def test_the_benchmark_empties_it_when_told(redis_with_a_key, monkeypatch):
    monkeypatch.setenv("BENCH_FLUSH_REDIS", "1")
    run.check_redis_empty()
    assert redis_with_a_key.dbsize() == 0
