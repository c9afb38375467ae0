"""Webhooks: the outbox, subscriptions, and delivering events in order with retries.

1. A change writes one `WebhookEvent` row in its own transaction (`event_record`: one INSERT)
   and, after commit, queues the dispatch task.
2. Dispatch renders the event's `data` (for order events, the order as the API shows it,
   through SHOP_WEBHOOK_PAYLOADS) and makes one `WebhookDelivery` per subscription that wants
   the event type; then queues the deliveries.
3. A delivery is POSTed (accounts/webhook_http.py); a 2xx is delivered, anything else is
   retried with exponential backoff (RETRY_FIRST, doubling, at most RETRY_MAX apart) until
   SHOP_WEBHOOK_RETRY_HOURS have passed, then marked failed. Every POST is logged.
4. Deliveries of one stream (one order, one SKU) to one subscription go out in event order:
   a delivery waits while an earlier one of its stream is pending, and each finished
   delivery queues the next.
5. `webhooks_sweep` (beat) dispatches events and sends deliveries whose task was lost: a
   broker outage at commit, a killed worker. Claiming an attempt is a conditional UPDATE,
   so a sweep racing a queued task sends once.
"""

import json
import logging
import secrets
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts import webhook_http
from accounts.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from shop.celery import app, publish, task_named

log = logging.getLogger(__name__)

EVENT_TYPES = (
    "order.placed", "order.paid", "order.cancelled", "order.shipped", "order.delivered",
    "order.completed", "order.refunded", "stock.low",
)
RETRY_FIRST = timedelta(seconds=15)
RETRY_MAX = timedelta(hours=1)
# While a POST is in flight its delivery is not due: a second task or the sweep leaves it.
ATTEMPT_LEASE = timedelta(seconds=webhook_http.TIMEOUT_SECONDS * 6)
# The sweep leaves fresh work to the tasks queued for it.
SWEEP_GRACE = timedelta(seconds=10)

DISPATCH_TASK = "accounts.tasks.webhook_dispatch_task"
DELIVER_TASK = "accounts.tasks.webhook_deliver_task"


def _enqueue(task_name: str, *args, countdown: float | None = None) -> None:
    """Send a task now; a broker that does not answer is logged and counted, not raised.

    Eager mode (no broker configured) runs only immediate tasks: a retry later is the
    sweep's job there, since an eager countdown would run at once.
    """
    if countdown is not None and app.conf.task_always_eager:
        return
    # publish logs and counts a broker failure (the sweep finds the work in the tables);
    # in eager mode the task's own errors propagate, as every other task's do.
    publish(task_named(task_name), args, {}, countdown=countdown)


def _enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(partial(_enqueue, task_name, *args))


# --- 1. The outbox ------------------------------------------------------------------------


def event_record(*, type: str, stream: str, subject_id: int | None = None,
                 data: dict | None = None) -> WebhookEvent:
    """Write an event in the caller's transaction (one INSERT); dispatch it after commit.

    `stream` groups events that must reach a receiver in order ("order:12"); `data` is the
    body's `data`, or None to have it rendered at dispatch by SHOP_WEBHOOK_PAYLOADS.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {type!r}")
    event = WebhookEvent.objects.create(uuid=uuid.uuid4(), type=type, stream=stream,
                                        subject_id=subject_id, data=data,
                                        created_at=timezone.now())
    _enqueue_on_commit(DISPATCH_TASK, event.pk)
    return event


# --- Subscriptions ------------------------------------------------------------------------


def _clean_events(events) -> list[str]:
    if not isinstance(events, (list, tuple)) or not events:
        raise ValidationError({"events": ["Name at least one event type."]})
    unknown = sorted({str(event) for event in events} - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"events": [f"Unknown event type(s): {', '.join(unknown)}. "
                                          f"Known: {', '.join(EVENT_TYPES)}."]})
    return sorted(set(events))


def webhook_url_check(url: str) -> str:
    """Return `url` if webhooks may go there; raise ValidationError (field `url`) if not."""
    try:
        webhook_http.target_check(url)
    except webhook_http.UrlRefused as refused:
        raise ValidationError({"url": [str(refused)]}) from None
    return url


@transaction.atomic
def subscription_create(*, url: str, events, api_key=None) -> WebhookSubscription:
    """Subscribe `url` to `events`; the returned row's `secret` is shown to its maker once."""
    events = _clean_events(events)
    webhook_url_check(url)
    return WebhookSubscription.objects.create(
        url=url, events=events, api_key=api_key,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
    )


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Remove a subscription with its delivery log."""
    subscription.delete()


# --- 2. Dispatch --------------------------------------------------------------------------


def _render(event: WebhookEvent) -> dict:
    kind = event.stream.split(":", 1)[0]
    renderer = settings.SHOP_WEBHOOK_PAYLOADS.get(kind)
    if renderer is None or event.subject_id is None:
        return {}
    return import_string(renderer)(event.subject_id, event.type)


def webhook_dispatch(*, event_id: int) -> list[int]:
    """Dispatch `event_id` and every earlier undispatched event of its stream, in order.

    Return the ids of the deliveries made. Safe to run twice: a dispatched event is skipped,
    and a delivery exists once per event and subscription.
    """
    event = WebhookEvent.objects.filter(pk=event_id).only("stream").first()
    if event is None:
        return []
    made: list[int] = []
    with transaction.atomic():
        # Locked in id order, so two dispatches of one stream take turns.
        todo = list(WebhookEvent.objects.select_for_update().filter(
            stream=event.stream, pk__lte=event_id, dispatched_at__isnull=True).order_by("pk"))
        if not todo:
            return []
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
        now = timezone.now()
        for pending in todo:
            if pending.data is None:
                pending.data = _render(pending)
            wanted = [s for s in subscriptions if pending.type in s.events]
            WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(event=pending, subscription=s, stream=pending.stream,
                                 next_attempt_at=now, retry_until=now + _retry_window())
                 for s in wanted],
                ignore_conflicts=True,
            )
            pending.dispatched_at = now
        WebhookEvent.objects.bulk_update(todo, ["data", "dispatched_at"])
        made = list(WebhookDelivery.objects.filter(event__in=todo).values_list("pk", flat=True))
        for delivery_id in made:
            _enqueue_on_commit(DELIVER_TASK, delivery_id)
    return made


def _retry_window() -> timedelta:
    return timedelta(hours=settings.SHOP_WEBHOOK_RETRY_HOURS)


# --- 3. Delivery --------------------------------------------------------------------------


def body_of(event: WebhookEvent) -> bytes:
    """Return the POST body: `{"id", "type", "created_at", "data"}` as UTF-8 JSON."""
    return json.dumps({
        "id": str(event.uuid), "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data or {},
    }, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after `attempts` failed attempts: 15 s, 30 s, 1 min … at most 1 h."""
    return min(RETRY_FIRST * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def _earlier_pending(delivery: WebhookDelivery) -> bool:
    return WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id, stream=delivery.stream,
        event_id__lt=delivery.event_id, status=WebhookDelivery.Status.PENDING,
    ).exists()


def _queue_next_in_stream(delivery: WebhookDelivery) -> None:
    following = (WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id, stream=delivery.stream,
        event_id__gt=delivery.event_id, status=WebhookDelivery.Status.PENDING)
        .order_by("event_id").values_list("pk", flat=True).first())
    if following is not None:
        _enqueue_on_commit(DELIVER_TASK, following)


def webhook_deliver(*, delivery_id: int) -> str:
    """Make one attempt at a due delivery; return what happened (for logs and tests).

    "waiting": an earlier event of the stream is still pending; "not_due": not pending,
    not yet due, or another worker claimed it; else the delivery's new status.
    """
    delivery = (WebhookDelivery.objects.select_related("event", "subscription")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "not_due"
    if _earlier_pending(delivery):
        return "waiting"
    now = timezone.now()
    # The claim: of two tasks (or a task and the sweep) for one delivery, one attempts it.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return "not_due"

    subscription, event = delivery.subscription, delivery.event
    if not subscription.is_active:
        outcome = webhook_http.Outcome(None, "subscription inactive", 0)
    else:
        body = body_of(event)
        outcome = webhook_http.post(url=subscription.url, body=body, headers={
            "X-Shop-Event": event.type,
            "X-Shop-Delivery": str(event.uuid),
            "X-Shop-Signature": webhook_http.signature(
                secret=subscription.secret, timestamp=int(now.timestamp()), body=body),
        })
    return _record_attempt(delivery, outcome, at=now,
                           give_up=not subscription.is_active)


@transaction.atomic
def _record_attempt(delivery: WebhookDelivery, outcome, *, at, give_up: bool) -> str:
    WebhookAttempt.objects.create(delivery=delivery, at=at, status_code=outcome.status_code,
                                  error=outcome.error, duration_ms=outcome.duration_ms)
    attempts = delivery.attempts + 1
    if outcome.ok:
        status, next_at = WebhookDelivery.Status.DELIVERED, at
    elif give_up or at + retry_delay(attempts) > delivery.retry_until:
        status, next_at = WebhookDelivery.Status.FAILED, at
    else:
        status, next_at = WebhookDelivery.Status.PENDING, at + retry_delay(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=F("attempts") + 1, last_status_code=outcome.status_code,
        last_attempt_at=at, next_attempt_at=next_at)
    if status == WebhookDelivery.Status.PENDING:
        transaction.on_commit(partial(_enqueue, DELIVER_TASK, delivery.pk,
                                      countdown=(next_at - at).total_seconds()))
    else:
        _queue_next_in_stream(delivery)
    if status == WebhookDelivery.Status.FAILED:
        log.warning("webhooks: delivery %s of %s to %s failed after %s attempts",
                    delivery.pk, delivery.event.uuid, delivery.subscription.url, attempts)
    return status


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same event id, same body), with a fresh retry window."""
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now,
        retry_until=now + _retry_window())
    _enqueue_on_commit(DELIVER_TASK, delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- 5. The sweep -------------------------------------------------------------------------


def webhooks_sweep(*, limit: int = 500) -> dict[str, int]:
    """Dispatch events and send deliveries whose task was lost; drop old finished events.

    Return counts: `streams` dispatched, `queued` deliveries, `purged` rows.
    """
    now = timezone.now()
    stale = now - SWEEP_GRACE
    streams = {}
    for pk, stream in (WebhookEvent.objects.filter(dispatched_at__isnull=True, created_at__lt=stale)
                       .order_by("pk").values_list("pk", "stream")[:limit]):
        streams[stream] = pk  # the latest per stream: dispatching it dispatches the earlier
    for event_id in streams.values():
        webhook_dispatch(event_id=event_id)

    earlier = WebhookDelivery.objects.filter(
        subscription_id=OuterRef("subscription_id"), stream=OuterRef("stream"),
        event_id__lt=OuterRef("event_id"), status=WebhookDelivery.Status.PENDING)
    heads = (WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                            next_attempt_at__lte=stale)
             .exclude(Exists(earlier)).order_by("next_attempt_at")
             .values_list("pk", flat=True)[:limit])
    queued = 0
    for delivery_id in heads:
        _enqueue(DELIVER_TASK, delivery_id)
        queued += 1

    keep_until = now - timedelta(days=settings.SHOP_WEBHOOK_KEEP_DAYS)
    pending = WebhookDelivery.objects.filter(event=OuterRef("pk"),
                                             status=WebhookDelivery.Status.PENDING)
    purged, _ = (WebhookEvent.objects.filter(created_at__lt=keep_until,
                                             dispatched_at__isnull=False)
                 .exclude(Exists(pending)).delete())
    return {"streams": len(streams), "queued": queued, "purged": purged}
