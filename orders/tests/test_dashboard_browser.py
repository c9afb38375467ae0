"""The dashboard in a real browser: a fulfilment clerk and a superuser log in, on a phone too."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from accounts.groups import FULFILMENT_STAFF
from accounts.tests.factories import PASSWORD, StaffFactory
from orders.gateways.dummy import payment_simulate
from orders.tests.factories import SkuFactory, place

PHONE = {"width": 390, "height": 844}
FRAMEWORK_SECTIONS = ["Auth Token", "Axes", "Periodic Tasks"]
FULFILMENT_PERMISSIONS = ["view_order", "change_order", "add_shipment", "refund_order",
                          "view_payment", "view_shipment"]


def fulfilment_clerk():
    # A flushing test before this one may have emptied the groups the migrations made.
    group, _ = Group.objects.get_or_create(name=FULFILMENT_STAFF)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="orders",
                                                     codename__in=FULFILMENT_PERMISSIONS))
    clerk = StaffFactory(email="clerk@example.com")
    clerk.groups.add(group)
    return clerk


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def nothing_overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_clerk_sees_the_dashboard_and_a_superuser_the_framework_tables(live_server,
                                                                                   browser,
                                                                                   tmp_path):
    for price in ("45.00", "120.00"):
        payment_simulate(order=place(skus=[SkuFactory(price=Decimal(price))]), outcome="approve")
    fulfilment_clerk()
    StaffFactory(email="root@example.com", is_superuser=True)

    clerk = browser.new_context(viewport=PHONE).new_page()
    log_in(clerk, live_server, "clerk@example.com")
    expect(clerk.get_by_test_id("dashboard")).to_be_visible()
    expect(clerk.get_by_test_id("sales-chart")).to_be_visible()
    expect(clerk.get_by_test_id("today-orders")).to_contain_text("2")
    expect(clerk.get_by_test_id("to-ship")).to_contain_text("Waiting to ship (2)")
    expect(clerk.locator(".shop-chart-bar")).to_have_count(30)
    chart = clerk.get_by_test_id("sales-chart").bounding_box()
    assert chart["width"] <= PHONE["width"] and chart["height"] > 80  # drawn, and it fits
    expect(clerk.get_by_test_id("low-stock")).to_have_count(0)  # not a catalogue duty
    for section in FRAMEWORK_SECTIONS:
        expect(clerk.locator("#content-main").get_by_text(section, exact=True)).to_have_count(0)
    assert nothing_overflows(clerk)
    clerk.context.close()

    root = browser.new_context(viewport=PHONE).new_page()
    log_in(root, live_server, "root@example.com")
    expect(root.get_by_test_id("sales-chart")).to_be_visible()
    expect(root.get_by_test_id("low-stock")).to_be_visible()
    for section in FRAMEWORK_SECTIONS:
        link = root.locator("#content-main").get_by_role("link", name=section, exact=True)
        expect(link).to_be_visible()
    expect(root.locator("#content-main caption", has_text="Accounts")).to_have_count(1)
    assert nothing_overflows(root)
    root.screenshot(path=tmp_path / "staff-dashboard-390.png", full_page=True)
    root.context.close()
