"""The printable receipt: the shopper's own paid orders only, print CSS linked, from the order page."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from orders.gateways.dummy import payment_simulate
from orders.tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db


def paid(user):
    order = place(user=user)
    payment_simulate(order=order, outcome="approve")
    order.refresh_from_db()
    return order


def test_the_order_page_links_the_receipt_of_a_paid_order(shopper_client, shopper):
    order = paid(shopper)
    html = shopper_client.get(order.get_absolute_url()).content.decode()
    url = reverse("orders:receipt", args=[order.number])
    assert f'href="{url}"' in html
    response = shopper_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html and "¥" in html
    line = order.lines.get()
    assert line.name in html


def test_the_receipt_links_a_stylesheet_with_print_rules(shopper_client, shopper):
    order = paid(shopper)
    html = shopper_client.get(reverse("orders:receipt", args=[order.number])).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]*receipt\.css)"', html).group(1)
    css = open(finders.find("css/receipt.css")).read()
    assert href.endswith("css/receipt.css")
    assert "@media print" in css and ".site-header" in css.split("@media print", 1)[1]


def test_an_unpaid_order_has_no_receipt_and_no_link(shopper_client, shopper):
    order = place(user=shopper)
    assert "receipt" not in shopper_client.get(order.get_absolute_url()).content.decode().lower()
    assert shopper_client.get(reverse("orders:receipt", args=[order.number])).status_code == 404


def test_someone_elses_receipt_is_a_404(shopper_client):
    order = paid(UserFactory())
    assert shopper_client.get(reverse("orders:receipt", args=[order.number])).status_code == 404
    assert shopper_client.get(reverse("orders:receipt", args=["SO-NO-SUCH"])).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, shopper):
    order = paid(shopper)
    response = client.get(reverse("orders:receipt", args=[order.number]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_printed_the_receipt_keeps_the_order_and_drops_the_shops_frame(live_server, page):
    user = UserFactory()
    order = paid(user)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("orders:receipt", args=[order.number]))
    assert page.locator("[data-print]").is_visible()  # the script shows the Print button
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert page.locator(".receipt__lines thead").bounding_box()["height"] > 1  # a real table again
    assert order.number in page.locator("[data-testid=receipt]").inner_text()
