"""Staff screens: reviews listed, filtered and hidden or shown (the rating follows); wishlists
and stock alerts are read-only lists."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import Product, Review, StockAlert, WishlistItem
from catalog.shoppers.reviews import review_add
from catalog.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Catalog staff"))
    client.force_login(user)
    return client


@pytest.fixture
def reviews():
    product = SkuFactory(product__name="Clay Teapot").product
    return [review_add(user=UserFactory(), product=product, rating=rating, title=f"T{rating}",
                       body="Words.", verified_purchase=True) for rating in (5, 2)]


def test_the_review_list_shows_product_rating_visibility_and_filters(staff_client, reviews):
    html = staff_client.get("/admin/catalog/review/").content.decode()
    assert "Clay Teapot" in html and "T5" in html and "T2" in html
    assert "verified_purchase__exact" in html and "is_visible__exact" in html

    filtered = staff_client.get("/admin/catalog/review/?rating=2").content.decode()
    assert "T2" in filtered and "T5" not in filtered


def test_hide_and_show_actions_move_the_rating(staff_client, reviews):
    product = reviews[0].product
    staff_client.post("/admin/catalog/review/", {"action": "hide",
                                                 "_selected_action": [reviews[1].pk]})
    assert not Review.objects.get(pk=reviews[1].pk).is_visible
    assert Product.objects.get(pk=product.pk).rating_average == Decimal("5.00")

    staff_client.post("/admin/catalog/review/", {"action": "show",
                                                 "_selected_action": [reviews[1].pk]})
    assert Product.objects.get(pk=product.pk).rating_average == Decimal("3.50")


def test_the_change_form_edits_visibility_only_and_the_rating_follows(staff_client, reviews):
    review = reviews[0]
    response = staff_client.post(f"/admin/catalog/review/{review.pk}/change/",
                                 {"rating": 1, "body": "Changed", "is_visible": ""})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.body, review.is_visible) == (5, "Words.", False)
    product = Product.objects.get(pk=review.product_id)
    assert (product.rating_average, product.rating_count) == (Decimal("2.00"), 1)
    assert staff_client.get("/admin/catalog/review/add/").status_code == 403


def test_wishlists_and_alerts_are_read_only_lists(staff_client):
    sku = SkuFactory(stock=0, product__name="Bamboo Tray")
    WishlistItem.objects.create(user=UserFactory(), product=sku.product)
    alert = StockAlert.objects.create(user=UserFactory(), sku=sku)

    assert "Bamboo Tray" in staff_client.get("/admin/catalog/wishlistitem/").content.decode()
    assert sku.code in staff_client.get("/admin/catalog/stockalert/?notified=no").content.decode()
    change = staff_client.get(f"/admin/catalog/stockalert/{alert.pk}/change/").content.decode()
    assert 'name="_save"' not in change
    assert staff_client.get("/admin/catalog/stockalert/add/").status_code == 403
