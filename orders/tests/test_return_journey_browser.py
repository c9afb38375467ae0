"""The shopper's return journey in Chromium, at phone and desktop widths.

Sign in from the coupon centre, claim a coupon, save a tea to the wishlist from its page,
find it on the wishlist page, buy two, see the claimed coupon suggested in the cart and
applied at checkout, pay in the sandbox, receive the parcel, review the tea, and see the
stars on its card. Every page fits the width of the screen.

The figures: 2 × ¥68.00 = ¥136.00; SPRING20 takes ¥20.00 off (it needs ¥100.00); ¥116.00
keeps free shipping (from ¥99.00), so the total is ¥116.00 and earns 116 points, and the
first review earns SHOP_POINTS_REVIEW_BONUS (20) more.
"""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from catalog.models import Product, WishlistItem
from catalog.tests.factories import CategoryFactory, SkuFactory
from marketing.models import CouponClaim, Kind
from marketing.tests.factories import CouponFactory
from orders.models import Order
from orders.services.lifecycle import order_ship
from orders.tests.test_wallet_browser import WIDTHS, _no_sideways_scroll
from points.selectors import balance_for

NAME = "West Lake Longjing Green Tea, First Spring Picking"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_claim_save_buy_with_the_suggested_coupon_receive_review_and_see_the_stars(
    live_server, page, width
):
    page.set_viewport_size(WIDTHS[width])
    url = live_server.url
    tea = CategoryFactory(name="Tea", slug="tea")
    SkuFactory(product__name=NAME, product__slug="longjing", product__category=tea,
               price=Decimal("68.00"), stock=20)
    CouponFactory(code="SPRING20", name="Spring ¥20 off", kind=Kind.FIXED,
                  value=Decimal("20.00"), min_spend=Decimal("100.00"), claimable=True,
                  claims_total=5, per_customer_limit=None)
    # Worth more but never claimed: a suggestion taken from outside the wallet would pick it.
    CouponFactory(code="BIG30", name="Big ¥30 off", kind=Kind.FIXED, value=Decimal("30.00"),
                  min_spend=Decimal("100.00"), claimable=True, claims_total=5,
                  per_customer_limit=None)
    shopper = UserFactory(display_name="Mei")
    AddressFactory(user=shopper, is_default=True)
    assert settings.SHOP_POINTS_REVIEW_BONUS == 20
    assert balance_for(shopper) == 0

    # Sign in from the coupon centre and come back to it.
    page.goto(f"{url}/coupons/")
    _no_sideways_scroll(page)
    page.locator("#coupon-SPRING20").get_by_role("link", name="Log in to claim").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_login", shopper.email)
    page.fill("#id_password", PASSWORD)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{url}/coupons/")

    # Claim SPRING20 into the wallet.
    spring = page.locator("#coupon-SPRING20")
    expect(spring).to_contain_text("5 claims left")
    spring.get_by_role("button", name="Claim").click()
    expect(page.locator(".message--success")).to_contain_text("SPRING20 is in your wallet")
    expect(page.locator("#coupon-SPRING20")).to_contain_text("4 claims left")
    expect(page.locator("#coupon-SPRING20").get_by_role("button", name="Claimed")).to_be_disabled()
    expect(page.locator("#coupon-BIG30")).to_contain_text("5 claims left")
    _no_sideways_scroll(page)
    assert list(CouponClaim.objects.filter(user=shopper).values_list("coupon__code", flat=True)) \
        == ["SPRING20"]

    # The category page: the card has no stars yet; open the product.
    page.goto(f"{url}/c/tea/")
    expect(page.locator(".product-card")).to_have_count(1)
    expect(page.locator(".product-card .stars")).to_have_count(0)
    _no_sideways_scroll(page)
    page.locator(".product-card").get_by_role("link", name=NAME).first.click()
    expect(page).to_have_url(f"{url}/p/longjing/")

    # The heart on the product page saves it.
    page.locator("#wishlist-form").get_by_role("button", name="Save to wishlist").click()
    expect(page.get_by_text(f"Saved {NAME} to your wishlist.")).to_be_visible()
    expect(page.locator("#wishlist-form .heart-button")).to_have_attribute("aria-pressed", "true")
    _no_sideways_scroll(page)
    assert list(WishlistItem.objects.filter(user=shopper).values_list("product__slug", flat=True)) \
        == ["longjing"]

    # The wishlist page shows it with its price and stock; back to the product from there.
    page.goto(f"{url}/wishlist/")
    item = page.locator(".wishlist__item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(NAME)
    expect(item.locator(".price--now")).to_have_text("¥68.00")
    expect(item).to_contain_text("In stock")
    _no_sideways_scroll(page)
    item.locator(".product-card__name").click()
    expect(page).to_have_url(f"{url}/p/longjing/")

    # Two in the cart: the claimed coupon is suggested, the bigger unclaimed one is not.
    page.locator("#quantity").fill("2")
    page.locator("#add-to-cart-button").click()
    expect(page).to_have_url(f"{url}/cart/")
    expect(page.get_by_test_id("suggested-coupon")).to_contain_text(
        "Your coupon SPRING20 saves ¥20.00 on this cart.")
    expect(page.get_by_test_id("total")).to_have_text("¥136.00")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Check out").click()

    # Checkout pre-fills and applies it; the total reflects it.
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.locator("#id_coupon_code")).to_have_value("SPRING20")
    expect(page.get_by_test_id("suggested-coupon")).to_have_text(
        "The best coupon in your wallet, SPRING20, is applied: it saves ¥20.00.")
    breakdown = page.get_by_test_id("breakdown")
    expect(breakdown.get_by_role("row", name="Subtotal")).to_contain_text("¥136.00")
    expect(breakdown.locator(".breakdown__adjustment .amount")).to_have_text(["\u2212¥20.00"])
    expect(breakdown.get_by_role("row", name="Shipping")).to_contain_text("Free")
    expect(page.get_by_test_id("total")).to_have_text("¥116.00")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Place order · ¥116.00").click()

    # Pay in the sandbox: the order is paid and settled, the points are earned.
    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    _no_sideways_scroll(page)
    order = Order.objects.get(user=shopper)
    assert (order.subtotal, order.shipping, order.total, order.coupon_code) == (
        Decimal("136.00"), Decimal("0.00"), Decimal("116.00"), "SPRING20")
    assert [a.amount for a in order.adjustments.all()] == [Decimal("-20.00")]
    page.get_by_role("button", name="Approve payment").click()
    expect(page).to_have_url(f"{url}/orders/{order.number}/")
    expect(page.get_by_test_id("order-status")).to_have_text("Processing")
    expect(page.get_by_test_id("total")).to_have_text("¥116.00")
    _no_sideways_scroll(page)
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert order.settlement.points_awarded == 116
    assert balance_for(shopper) == 116
    assert CouponClaim.objects.get(user=shopper).redemption.reference == order.reference

    # Staff ship it; the shopper confirms receipt on the order page.
    order_ship(order=order, carrier="SF Express", tracking_number="SF100200")
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Completed")
    _no_sideways_scroll(page)

    # The product page now offers the review form; a 5-star review shows at once, verified.
    page.goto(f"{url}/p/longjing/")
    form = page.locator("#review-form")
    expect(form).to_be_visible()
    form.get_by_label("Rating").select_option("5")
    form.get_by_label("Title (optional)").fill("Worth the wait")
    form.get_by_label("Your review").fill("Sweet, nutty and fresh: the best spring tea in years.")
    form.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("your review is published")).to_be_visible()
    review = page.locator(".review")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("Worth the wait")
    expect(review).to_contain_text("Mei")
    expect(review.get_by_text("Verified purchase")).to_be_visible()
    expect(page.locator(".reviews__summary .stars__count")).to_have_text("5.0 (1)")
    expect(page.locator("#review-form")).to_have_count(0)
    _no_sideways_scroll(page)
    product = Product.objects.get(slug="longjing")
    assert (product.rating_average, product.rating_count) == (Decimal("5.00"), 1)
    assert balance_for(shopper) == 116 + 20

    page.goto(f"{url}/points/")
    expect(page.get_by_test_id("points-balance")).to_have_text("136 points")
    _no_sideways_scroll(page)

    # The card shows the stars on the category page and in search.
    for listing in ("/c/tea/", "/search/?q=Longjing"):
        page.goto(f"{url}{listing}")
        expect(page.locator(".product-card .stars .stars__count")).to_have_text("5.0 (1)")
        expect(page.locator(".product-card .heart")).to_have_attribute("aria-pressed", "true")
        _no_sideways_scroll(page)
