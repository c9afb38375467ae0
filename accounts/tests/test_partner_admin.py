"""The partner screens: a webhook's secret shown once, the delivery log and its redeliver action."""

import uuid

import pytest

from accounts.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from accounts.webhooks import subscription_create, webhook_dispatch

pytestmark = pytest.mark.django_db


def test_adding_a_webhook_in_the_admin_shows_its_secret_once(admin_client, settings):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True

    response = admin_client.post("/admin/accounts/webhooksubscription/add/", {
        "url": "http://127.0.0.1:9/hooks", "events": ["order.paid", "stock.low"],
        "is_active": "on"}, follow=True)

    subscription = WebhookSubscription.objects.get()
    shown = [str(m) for m in response.context["messages"] if "signing secret" in str(m)]
    assert len(shown) == 1 and subscription.secret in shown[0]
    assert subscription.events == ["order.paid", "stock.low"]
    page = admin_client.get(f"/admin/accounts/webhooksubscription/{subscription.pk}/change/")
    assert subscription.secret not in page.content.decode()


def test_the_admin_refuses_a_private_webhook_url(admin_client):
    response = admin_client.post("/admin/accounts/webhooksubscription/add/", {
        "url": "https://10.0.0.1/hooks", "events": ["order.paid"], "is_active": "on"})

    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_lists_deliveries_and_redelivers_them(admin_client, settings,
                                                               django_capture_on_commit_callbacks):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True
    subscription = subscription_create(url="http://127.0.0.1:9/hooks", events=["stock.low"])
    event = WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low", stream="sku:1",
                                        data={"sku": "A", "stock": 1})
    webhook_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=30)

    listing = admin_client.get("/admin/accounts/webhookdelivery/")
    detail = admin_client.get(f"/admin/accounts/webhookdelivery/{delivery.pk}/change/")
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post("/admin/accounts/webhookdelivery/", {
            "action": "redeliver", "_selected_action": [delivery.pk]})

    assert str(event.uuid) in listing.content.decode()
    assert detail.status_code == 200
    assert WebhookDelivery.objects.get().status == "pending"
    assert queued  # the delivery task goes out after commit
    assert subscription.deliveries.count() == 1
