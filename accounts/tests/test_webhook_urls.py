"""Webhook URLs: https to a public address only, checked again at delivery after DNS."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts import webhook_http
from accounts.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from accounts.tests.factories import UserFactory
from accounts.webhooks import subscription_create, webhook_deliver, webhook_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_dns(monkeypatch):
    """Names resolve to what the test says (no network): `public_dns["host"] = "1.2.3.4"`."""
    answers = {}
    monkeypatch.setattr(webhook_http, "resolve_host",
                        lambda host, port: [answers.get(host, host)])
    return answers


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hooks", "https://10.0.0.1/hooks", "http://127.0.0.1:8000/hooks",
    "https://[::1]/hooks", "https://169.254.169.254/latest", "https://192.168.1.5/",
    "https://100.64.0.1/",
])
def test_loopback_private_and_link_local_targets_are_refused(url, public_dns):
    with pytest.raises(ValidationError) as refused:
        subscription_create(url=url, events=["order.paid"])

    assert "url" in refused.value.message_dict


def test_the_api_answers_a_private_url_with_a_field_error(public_dns):
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))

    for url in ("https://127.0.0.1/hooks", "https://10.0.0.1/hooks"):
        response = client.post("/api/v1/webhooks/", {"url": url, "events": ["order.paid"]},
                               format="json")
        assert response.status_code == 400
        assert "not a public address" in response.json()["url"][0]


def test_plain_http_is_refused_even_to_a_public_address(public_dns):
    public_dns["partner.example"] = "93.184.216.34"

    with pytest.raises(ValidationError):
        subscription_create(url="http://partner.example/hooks", events=["order.paid"])
    assert subscription_create(url="https://partner.example/hooks", events=["order.paid"])


def test_a_name_resolving_to_a_private_address_is_refused(public_dns):
    public_dns["sneaky.example"] = "10.1.2.3"

    with pytest.raises(ValidationError):
        subscription_create(url="https://sneaky.example/hooks", events=["order.paid"])


def test_the_allow_setting_admits_loopback_and_http(public_dns, settings):
    settings.SHOP_WEBHOOK_ALLOW_PRIVATE = True

    made = subscription_create(url="http://127.0.0.1:8000/hooks", events=["order.paid"])

    assert made.pk


def test_dns_turning_private_after_subscribing_is_refused_at_delivery(public_dns, monkeypatch):
    public_dns["partner.example"] = "93.184.216.34"
    subscription = subscription_create(url="https://partner.example/hooks", events=["stock.low"])
    event = WebhookEvent.objects.create(uuid=uuid.uuid4(), type="stock.low", stream="sku:1",
                                        data={"sku": "A", "stock": 1})
    public_dns["partner.example"] = "127.0.0.1"  # the name now points inside
    connections = []
    monkeypatch.setattr(webhook_http.socket, "create_connection",
                        lambda *args, **kwargs: connections.append(args))

    webhook_dispatch(event_id=event.pk)
    outcome = webhook_deliver(delivery_id=WebhookDelivery.objects.get(subscription=subscription).pk)

    assert outcome == "pending"  # retried later, in case the name is fixed
    assert connections == []
    assert WebhookAttempt.objects.get().error.startswith("refused: ")


def test_an_unknown_event_type_is_a_field_error():
    with pytest.raises(ValidationError) as refused:
        subscription_create(url="https://partner.example/h", events=["order.exploded"])

    assert "events" in refused.value.message_dict
