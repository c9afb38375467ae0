"""Product → cart → checkout with a new address → pay → shipped → confirmed."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.tests.factories import SkuFactory
from orders.models import Order


def _logged_in(context, live_server, user):
    """Give the browser context a session of `user` (logging in is accounts' journey)."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_shopper_buys_pays_and_confirms_after_staff_ship_it(live_server, page, browser):
    SkuFactory(product__name="Walnut Desk Lamp", product__slug="walnut-desk-lamp",
               price=Decimal("45.00"), stock=7, attributes={"finish": "Walnut"})
    shopper = UserFactory()
    _logged_in(page.context, live_server, shopper)

    page.goto(f"{live_server.url}/p/walnut-desk-lamp/")
    page.locator("#quantity").fill("2")
    page.locator("#add-to-cart-button").click()

    expect(page).to_have_url(f"{live_server.url}/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("total")).to_have_text("¥100.00")  # 90.00 + 10.00 shipping
    page.get_by_role("link", name="Check out").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label("Recipient").fill("Han Meimei")
    page.get_by_label("Phone").fill("13900000000")
    page.get_by_label("Address line 1").fill("8 Huaihai Road")
    page.get_by_label("City").fill("Shanghai")
    page.get_by_label("Postcode").fill("200020")
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    number = Order.objects.get(user=shopper).number
    page.get_by_role("button", name="Approve payment").click()

    expect(page).to_have_url(f"{live_server.url}/orders/{number}/")
    expect(page.get_by_test_id("order-status")).to_have_text("Processing")

    staff_context = browser.new_context()
    _logged_in(staff_context, live_server, StaffFactory(is_superuser=True))
    admin = staff_context.new_page()
    admin.goto(f"{live_server.url}/admin/orders/order/")
    admin.get_by_role("row", name=number).get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option("ship")
    admin.get_by_title("Run the selected action").click()
    admin.get_by_role("row", name=number).locator("input[name$=carrier]").fill("SF Express")
    admin.get_by_role("row", name=number).locator("input[name$=tracking_number]").fill("SF100200")
    admin.get_by_role("button", name="Mark shipped").click()
    expect(admin.get_by_text("1 order(s) shipped.")).to_be_visible()
    staff_context.close()

    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_role("cell", name="SF100200")).to_be_visible()
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Completed")
    expect(page.get_by_text("Thank you for confirming receipt.")).to_be_visible()
