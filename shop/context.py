"""What the current request (or task) is about, for logs, tasks and the database router.

Context variables, not thread-locals: each request and each task sees its own values, under
threads and under async alike. The request-id middleware sets them and resets them when the
response leaves; a Celery task gets the request id of whoever queued it (shop.celery).
"""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("shop_request_id", default=None)
user_id: ContextVar[int | None] = ContextVar("shop_user_id", default=None)
order_number: ContextVar[str | None] = ContextVar("shop_order_number", default=None)
# The database router's switches (shop.db_router): reads may go to a replica; a write happened.
replica_ok: ContextVar[bool] = ContextVar("shop_replica_ok", default=False)
wrote: ContextVar[bool] = ContextVar("shop_wrote", default=False)
# The replica this request reads from: one per request, so its pages agree with each other.
replica: ContextVar[str | None] = ContextVar("shop_replica", default=None)


def order_number_bind(number: str | None) -> None:
    """Name the order the current request or task is about in every log line that follows."""
    if number:
        order_number.set(str(number))
