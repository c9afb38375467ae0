"""The Redis gate in front of flash-sale orders: one atomic script per attempt.

Refusals end here, without a query; what passes is confirmed by the database, which stays the
source of truth (how the two stay in step: docs/flash-sales.md).

Keys per sale (`{sale}` is a hash tag, so both live in one Redis Cluster slot):
  flash:{<id>}:left    units the gate still lets through
  flash:{<id>}:bought  hash user id -> units the user holds (paid or awaiting payment)
"""

from functools import lru_cache

import redis
from django.conf import settings

OK = "ok"
SOLD_OUT = "sold_out"
LIMIT_REACHED = "limit_reached"
NOT_LOADED = "not_loaded"

# KEYS: left, bought. ARGV: user id, quantity, per-customer limit.
# Checks and takes both counters in one step: no other command runs in between.
_RESERVE = """
local left = redis.call('GET', KEYS[1])
if not left then return -1 end
local qty = tonumber(ARGV[2])
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held + qty > tonumber(ARGV[3]) then return -2 end
if tonumber(left) < qty then return 0 end
redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[1], qty)
return 1
"""

# KEYS: left, bought. ARGV: user id, quantity. Gives units back (never below zero held).
_RELEASE = """
if not redis.call('GET', KEYS[1]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[2])
local held = redis.call('HINCRBY', KEYS[2], ARGV[1], -tonumber(ARGV[2]))
if held <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
"""

# KEYS: left, bought. ARGV: left, then user id / units pairs. Replaces both counters at once.
_LOAD = """
redis.call('DEL', KEYS[2])
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

_ANSWERS = {1: OK, 0: SOLD_OUT, -1: NOT_LOADED, -2: LIMIT_REACHED}


def enabled() -> bool:
    """Return whether the gate is in use (REDIS_URL set); without it the database decides alone."""
    return bool(settings.REDIS_URL)


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # A blocking pool: a burst of threads waits for a free connection instead of failing.
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=50, timeout=5, socket_timeout=2, socket_connect_timeout=2
    )
    return redis.Redis(connection_pool=pool)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


@lru_cache(maxsize=None)
def _script(source: str):
    return client().register_script(source)


def _keys(sale_id: int) -> list[str]:
    return [f"flash:{{{sale_id}}}:left", f"flash:{{{sale_id}}}:bought"]


def reserve(*, sale_id: int, user_id: int, quantity: int, limit: int) -> str:
    """Take `quantity` units for a user if both the sale and the user's limit allow.

    Return OK, SOLD_OUT, LIMIT_REACHED, or NOT_LOADED when the sale's counters are missing
    (never loaded, or Redis lost them): the caller reconciles and asks again.
    """
    answer = _script(_RESERVE)(keys=_keys(sale_id), args=[user_id, quantity, limit])
    return _ANSWERS[int(answer)]


def release(*, sale_id: int, user_id: int, quantity: int) -> None:
    """Give back units the database did not sell (failed order, unpaid timeout)."""
    _script(_RELEASE)(keys=_keys(sale_id), args=[user_id, quantity])


def load(*, sale_id: int, left: int, held: dict[int, int]) -> None:
    """Replace the sale's counters with the database's figures (reconcile)."""
    args: list = [max(left, 0)]
    for user_id, units in held.items():
        if units > 0:
            args += [user_id, units]
    _script(_LOAD)(keys=_keys(sale_id), args=args)


def read(*, sale_id: int) -> tuple[int | None, dict[int, int]]:
    """Return (units left, units held per user) as Redis has them; left is None if not loaded."""
    left_key, bought_key = _keys(sale_id)
    pipe = client().pipeline(transaction=False)
    pipe.get(left_key)
    pipe.hgetall(bought_key)
    left, bought = pipe.execute()
    return (
        None if left is None else int(left),
        {int(user): int(units) for user, units in bought.items()},
    )


def forget(*, sale_id: int) -> None:
    """Drop the sale's counters (sale ended or deleted)."""
    client().delete(*_keys(sale_id))
