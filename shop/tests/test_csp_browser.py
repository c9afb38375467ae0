"""Under the Content-Security-Policy the shop's own scripts, the admin's and Swagger UI's run,
and the browser reports no violation on the shopping journey, in the admin or in the API docs."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.tests.factories import CategoryFactory, SkuFactory
from orders.models import Order

# Recorded in the page itself: a violation that happens before a console listener could see
# it (an inline script refused while the page parses) is still caught.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


class Violations:
    """CSP violations seen by the pages of one browser context."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(LISTEN)
        context.on("console", self._console)
        self.seen: list[str] = []

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def collect(self, page) -> None:
        """Take the violations `page` recorded so far (call before it navigates away)."""
        self.seen.extend(f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations || []"))
        page.evaluate("window.__cspViolations = []")

    def all(self) -> list[str]:
        return self.seen + self.console


def _signed_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def _place_order(page, live_server) -> None:
    page.goto(f"{live_server.url}/p/walnut-desk-lamp/")
    page.locator("#add-to-cart-button").click()
    expect(page).to_have_url(f"{live_server.url}/cart/")
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_shopping_journey_runs_its_scripts_with_no_csp_violation(live_server, page):
    lamps = CategoryFactory(name="Lamps", slug="lamps")
    lamp = SkuFactory(product__name="Walnut Desk Lamp", product__slug="walnut-desk-lamp",
                      product__category=lamps, code="LAMP-WALNUT", attributes={"finish": "Walnut"},
                      price=Decimal("45.00"), stock=7).product
    SkuFactory(product=lamp, code="LAMP-OAK", attributes={"finish": "Oak"},
               price=Decimal("55.00"), stock=2)
    shopper = UserFactory()
    violations = Violations(page.context)
    _signed_in(page.context, live_server, shopper)

    page.goto(f"{live_server.url}/c/lamps/")
    expect(page.get_by_role("link", name="Walnut Desk Lamp").first).to_be_visible()
    violations.collect(page)

    page.goto(f"{live_server.url}/p/walnut-desk-lamp/")
    page.get_by_text("Oak", exact=True).click()
    expect(page.locator("#sku-price")).to_have_text("¥55.00")  # product.js runs
    expect(page.locator("#sku-code")).to_have_text("LAMP-OAK")
    page.get_by_text("Walnut", exact=True).click()
    page.locator("#add-to-cart-button").click()
    expect(page).to_have_url(f"{live_server.url}/cart/")
    violations.collect(page)

    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("Recipient")).to_be_visible()  # checkout.js shows the fields
    page.get_by_label("Recipient").fill("Han Meimei")
    page.get_by_label("Phone").fill("13900000000")
    page.get_by_label("Address line 1").fill("8 Huaihai Road")
    page.get_by_label("City").fill("Shanghai")
    page.get_by_label("Postcode").fill("200020")
    violations.collect(page)
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    violations.collect(page)
    page.get_by_role("button", name="Approve payment").click()
    first = Order.objects.get(user=shopper)
    expect(page).to_have_url(f"{live_server.url}/orders/{first.number}/")
    expect(page.get_by_test_id("order-status")).to_have_text("Processing")
    violations.collect(page)

    # The cancel button asks first (shop.js, data-confirm): dismissed, nothing happens.
    _place_order(page, live_server)
    second = Order.objects.exclude(pk=first.pk).get(user=shopper)
    page.goto(f"{live_server.url}/orders/{second.number}/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending payment")
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    assert questions == ["Cancel this order?", "Cancel this order?"]
    violations.collect(page)

    for path in ["/", "/flash/", "/orders/", "/account/", "/points/", "/membership/"]:
        page.goto(f"{live_server.url}{path}")
        violations.collect(page)

    assert violations.all() == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_api_docs_work_with_no_csp_violation(live_server, page):
    sku = SkuFactory(product__name="Walnut Desk Lamp")
    CategoryFactory(name="Lamps", slug="lamps")
    violations = Violations(page.context)
    _signed_in(page.context, live_server, StaffFactory(is_superuser=True))

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Products")).to_be_visible()
    violations.collect(page)

    page.goto(f"{live_server.url}/admin/catalog/product/add/")
    page.locator("#id_name_en").press_sequentially("Oak Floor Lamp")
    expect(page.locator("#id_slug")).to_have_value("oak-floor-lamp")  # prepopulate.js runs
    rows = page.locator("#skus-group tr.dynamic-skus")
    before = rows.count()
    page.locator("#skus-group .add-row a").click()  # inlines.js adds a row
    expect(rows).to_have_count(before + 1)
    violations.collect(page)

    page.goto(f"{live_server.url}/admin/catalog/product/{sku.product.pk}/change/")
    expect(page.locator("#id_name_en")).to_have_value("Walnut Desk Lamp")
    violations.collect(page)

    page.goto(f"{live_server.url}/admin/catalog/category/")
    expect(page.get_by_role("link", name="Lamps")).to_be_visible()
    violations.collect(page)

    page.goto(f"{live_server.url}/admin/orders/order/")
    violations.collect(page)

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)  # Swagger UI ran
    violations.collect(page)

    assert violations.all() == []
