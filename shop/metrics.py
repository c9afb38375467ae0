"""Business counters and gauges for Prometheus, and the protected /metrics view.

Counters are incremented where the event happens: `count("orders_placed")` in a service, or
the receivers below for events the models already announce (an order row created, a payment
row created). Each counts after its transaction commits, so a rolled-back order is not
counted. Gauges that describe the database or the queues (settlement lag, queue depth,
failing webhook deliveries, task failures, sweep recoveries) are computed when Prometheus scrapes, by
`ShopCollector`: they are right whichever process or machine did the work.

With several processes per machine (gunicorn workers) set PROMETHEUS_MULTIPROC_DIR to an
empty directory before they start: prometheus_client then shares counters through files and
the view merges them (docs/operations.md).
"""

import hmac
import logging
import os

import redis
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Min
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY

log = logging.getLogger(__name__)

COUNTERS = {
    "orders_placed": Counter("shop_orders_placed", "Orders placed (committed)."),
    "payments": Counter("shop_payments", "Payment notices recorded, by outcome.", ["outcome"]),
    "flash_attempts": Counter("shop_flash_attempts", "Flash-sale purchase attempts, by outcome.",
                              ["outcome"]),
    "enqueue_failures": Counter("shop_enqueue_failures",
                                "Tasks that could not be queued after commit (the sweeps redo them).",
                                ["task"]),
}


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Add `amount` to the counter `name` (a key of COUNTERS) with `labels`.

    Cheap and local: no I/O. An unknown name or label is a programming error and raises.
    """
    counter = COUNTERS[name]
    (counter.labels(**labels) if labels else counter).inc(amount)


def count_on_commit(name: str, **labels: str) -> None:
    """Count once the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: count(name, **labels))


# --- Events the models announce -----------------------------------------------------------


def _order_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        count_on_commit("orders_placed")


def _payment_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    outcome = {"declined": "declined"}.get(instance.status, "approved")
    count_on_commit("payments", outcome=outcome)


def connect_receivers() -> None:
    """Listen to the order and payment rows being created (called once, at start-up)."""
    post_save.connect(_order_saved, sender="orders.Order", dispatch_uid="shop.metrics.order")
    post_save.connect(_payment_saved, sender="orders.Payment",
                      dispatch_uid="shop.metrics.payment")


# --- Counted in workers, read by every web node: kept in Redis ----------------------------

TASK_FAILURES_KEY = "shop:metrics:task_failures"
SWEEP_RECOVERED_KEY = "shop:metrics:sweep_recovered"
_local_shared: dict[str, dict[str, int]] = {TASK_FAILURES_KEY: {}, SWEEP_RECOVERED_KEY: {}}
_local_task_failures = _local_shared[TASK_FAILURES_KEY]


def _shared_count(key: str, field: str, amount: int = 1) -> None:
    """Add `amount` to `field` of the shared counter `key` (Redis when configured: the
    worker that counts is not the web process Prometheus scrapes)."""
    if settings.REDIS_URL:
        try:
            _redis().hincrby(key, field, amount)
            return
        except Exception:  # noqa: BLE001 - counting must not fail the worker
            log.warning("%s of %s not counted: Redis unreachable", key, field)
    local = _local_shared[key]
    local[field] = local.get(field, 0) + amount


def shared_counts(key: str) -> dict[str, int]:
    """Return the shared counter `key`: field -> count (this process's and Redis's)."""
    counts = dict(_local_shared[key])
    if settings.REDIS_URL:
        for name, value in _redis().hgetall(key).items():
            field = name.decode()
            counts[field] = counts.get(field, 0) + int(value)
    return counts


def task_failure_record(task_name: str) -> None:
    """Count a task that failed for good."""
    _shared_count(TASK_FAILURES_KEY, task_name)


def sweep_recovered_record(kind: str, amount: int) -> None:
    """Count `amount` pieces of work of `kind` a lost message left undone and a sweep did."""
    _shared_count(SWEEP_RECOVERED_KEY, kind, amount)


def _task_failures() -> dict[str, int]:
    return shared_counts(TASK_FAILURES_KEY)


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


# --- Read at scrape time ---------------------------------------------------------------------

class ShopCollector:
    """Gauges computed from the database and Redis when Prometheus scrapes."""

    def describe(self):
        """Name the metrics without computing them (registering must not touch the database)."""
        return [
            GaugeMetricFamily("shop_settlement_lag_seconds", ""),
            GaugeMetricFamily("shop_email_outbox_age_seconds", ""),
            GaugeMetricFamily("shop_queue_depth", "", labels=["queue"]),
            CounterMetricFamily("shop_task_failures", "", labels=["task"]),
            CounterMetricFamily("shop_sweep_recovered", "", labels=["kind"]),
            GaugeMetricFamily("shop_webhook_deliveries_failing", ""),
        ]

    def collect(self):
        yield from self._settlement_lag()
        yield from self._email_outbox_age()
        yield from self._queue_depth()
        yield from self._task_failures()
        yield from self._sweep_recovered()
        yield from self._webhook_failures()

    def _settlement_lag(self):
        gauge = GaugeMetricFamily(
            "shop_settlement_lag_seconds",
            "Age of the oldest paid order not yet settled (0 when none waits).",
        )
        # A paid order leaves "paid" when it is settled: its "paid" event dates the wait.
        oldest = apps.get_model("orders", "OrderEvent").objects.filter(
            order__status="paid", to_status="paid"
        ).aggregate(oldest=Min("created_at"))["oldest"]
        lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        gauge.add_metric([], max(lag, 0.0))
        yield gauge

    def _email_outbox_age(self):
        gauge = GaugeMetricFamily(
            "shop_email_outbox_age_seconds",
            "Age of the oldest order email not yet sent (0 when none waits).",
        )
        oldest = apps.get_model("orders", "OrderEmail").objects.filter(
            status__in=("pending", "sending")
        ).aggregate(oldest=Min("created_at"))["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        gauge.add_metric([], max(age, 0.0))
        yield gauge

    def _queue_depth(self):
        if not settings.REDIS_URL:
            return
        gauge = GaugeMetricFamily("shop_queue_depth", "Messages waiting in each Celery queue.",
                                  labels=["queue"])
        try:
            client = _redis()
            for queue in settings.SHOP_CELERY_QUEUES:
                gauge.add_metric([queue], client.llen(queue))
        except Exception:  # noqa: BLE001 - Redis down: report what the up gauge says
            log.warning("metrics: queue depth unknown, Redis unreachable")
            return
        yield gauge

    def _task_failures(self):
        counter = CounterMetricFamily("shop_task_failures", "Tasks that failed for good, by task.",
                                      labels=["task"])
        try:
            failures = _task_failures()
        except Exception:  # noqa: BLE001
            log.warning("metrics: task failures unknown, Redis unreachable")
            failures = dict(_local_task_failures)
        for name, value in sorted(failures.items()):
            counter.add_metric([name], value)
        yield counter

    def _sweep_recovered(self):
        counter = CounterMetricFamily(
            "shop_sweep_recovered", "Work a lost message left undone, found and done by a sweep.",
            labels=["kind"])
        try:
            recovered = shared_counts(SWEEP_RECOVERED_KEY)
        except Exception:  # noqa: BLE001
            log.warning("metrics: sweep recoveries unknown, Redis unreachable")
            recovered = dict(_local_shared[SWEEP_RECOVERED_KEY])
        for kind, value in sorted(recovered.items()):
            counter.add_metric([kind], value)
        yield counter

    def _webhook_failures(self):
        """Failing webhook deliveries, once a delivery table with a `status` column exists."""
        table = getattr(settings, "SHOP_WEBHOOK_DELIVERY_TABLE", "partners_webhookdelivery")
        if table not in connection.introspection.table_names():
            return
        gauge = GaugeMetricFamily("shop_webhook_deliveries_failing",
                                  "Webhook deliveries whose last attempt failed.")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # nosec B608 - a setting, quoted
                    "WHERE status = %s", ["failed"],
                )
                gauge.add_metric([], cursor.fetchone()[0])
        except DatabaseError:  # another shape of table: report nothing rather than fail the scrape
            log.warning("metrics: %s has no status column to count failures by", table)
            return
        yield gauge


_collector = ShopCollector()
REGISTRY.register(_collector)


def metrics_registry() -> CollectorRegistry:
    """Return the registry to expose: this process's, or every process's in multiprocess mode."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_collector)
    return registry


def _authorized(request) -> bool:
    token = settings.SHOP_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(
        header.removeprefix("Bearer ").encode(), token.encode()
    ):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    return settings.DEBUG and settings.SHOP_METRICS_OPEN_IN_DEBUG


def metrics_view(request):
    """Answer the Prometheus text format to a bearer of SHOP_METRICS_TOKEN or a staff session."""
    if not _authorized(request):
        return HttpResponse("Forbidden: metrics need a token or a staff session.\n",
                            status=403, content_type="text/plain")
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
