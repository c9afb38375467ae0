"""Order emails: text and HTML, in the shopper's language, with a link to the order page."""

import pytest
from django.core import mail

from catalog.tests.factories import SkuFactory
from orders.emails import KINDS, order_email_send
from orders.models import Shipment
from orders.tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db

# A phrase each kind's message says, per language (the order's own text aside).
SAYS = {
    "en": {
        "placed": "Thank you for your order", "paid": "We have received your payment",
        "shipped": "Your order is on its way", "cancelled": "Your order has been cancelled",
        "refunded": "Your order has been refunded",
    },
    "zh-hans": {
        "placed": "感谢您", "paid": "我们已收到您的付款", "shipped": "您的订单已发货",
        "cancelled": "您的订单已取消", "refunded": "您的订单已退款",
    },
}
SUBJECT = {"en": "order", "zh-hans": "订单"}
LINK_TEXT = {"en": "See your order", "zh-hans": "查看订单"}


@pytest.fixture
def order_in(settings):
    settings.SHOP_BASE_URL = "https://shop.example.cn/"

    def make(language):
        order = place(user=UserFactory(language=language), skus=[SkuFactory()])
        Shipment.objects.create(order=order, carrier="SF Express", tracking_number="SF1234567")
        return order
    return make


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_order_email_is_text_and_html_in_the_shoppers_language_with_the_order_link(
    order_in, kind, language, mailoutbox
):
    order = order_in(language)
    mailoutbox.clear()

    order_email_send(order_id=order.pk, kind=kind)

    [message] = mailoutbox
    link = f"https://shop.example.cn/orders/{order.number}/"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.to == [order.user.email]
    assert order.number in message.subject and SUBJECT[language] in message.subject.lower()
    for body in (message.body, html):
        assert SAYS[language][kind] in body
        assert link in body
        assert order.lines.get().name in body
    assert f'href="{link}"' in html and LINK_TEXT[language] in html
    assert "<" not in message.body
    other = "zh-hans" if language == "en" else "en"
    assert SAYS[other][kind] not in message.body + html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_shipped_email_gives_carrier_and_tracking_number(order_in, language, mailoutbox):
    order = order_in(language)
    mailoutbox.clear()
    order_email_send(order_id=order.pk, kind="shipped")
    [message] = mailoutbox
    for body in (message.body, message.alternatives[0][0]):
        assert "SF Express" in body and "SF1234567" in body


def test_a_shopper_without_a_language_gets_the_shops_default(order_in, mailoutbox, settings):
    order = order_in("")
    settings.LANGUAGE_CODE = "zh-hans"
    mailoutbox.clear()
    order_email_send(order_id=order.pk, kind="paid")
    assert "我们已收到您的付款" in mail.outbox[0].body


def test_an_unknown_kind_is_refused_and_a_missing_order_sends_nothing(order_in, mailoutbox):
    with pytest.raises(ValueError, match="unknown order email"):
        order_email_send(order_id=order_in("en").pk, kind="lost")
    mailoutbox.clear()
    order_email_send(order_id=0, kind="paid")
    assert mailoutbox == []
