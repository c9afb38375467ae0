"""Reviews: only buyers of a completed order review, once; ratings follow; the bonus once."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import Product, Review
from catalog.shoppers.reviews import author_name, review_add, reviews_set_visible
from catalog.tests.factories import SkuFactory
from orders.models import Order
from orders.services.reviews import review_create
from orders.tests.factories import place
from points.models import LedgerEntry

pytestmark = pytest.mark.django_db


def bought(user, product, *, status=Order.Status.COMPLETED) -> Order:
    """Place an order of `product` for `user` and move it to `status`."""
    order = place(user=user, skus=[product.skus.first()])
    Order.objects.filter(pk=order.pk).update(status=status)
    return order


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_review(client, product, **body):
    return client.post(f"/api/v1/products/{product.slug}/reviews/",
                       {"rating": 5, "title": "Great", "body": "Works well.", **body},
                       format="json")


@pytest.fixture
def product():
    return SkuFactory(stock=50).product


def rating_of(product) -> tuple:
    product = Product.objects.get(pk=product.pk)
    return product.rating_average, product.rating_count


def test_a_shopper_without_an_order_of_the_product_gets_403_not_a_buyer(product):
    response = post_review(api_for(UserFactory()), product)

    assert (response.status_code, response.json()["code"]) == (403, "not_a_buyer")
    assert not Review.objects.exists()


@pytest.mark.parametrize("status", ["pending_payment", "paid", "shipped", "cancelled"])
def test_an_order_that_is_not_completed_does_not_make_a_buyer(product, status):
    user = UserFactory()
    bought(user, product, status=status)

    response = post_review(api_for(user), product)

    assert (response.status_code, response.json()["code"]) == (403, "not_a_buyer")


def test_someone_elses_completed_order_does_not_make_a_buyer(product):
    bought(UserFactory(), product)

    assert post_review(api_for(UserFactory()), product).status_code == 403


def test_a_buyer_after_completion_reviews_201_and_the_review_is_listed_at_once(product):
    user = UserFactory(display_name="Mei Lin")
    bought(user, product)

    response = post_review(api_for(user), product, rating=4, title="Solid")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "rating", "title", "body", "author", "created_at",
                         "verified_purchase"}
    assert (body["rating"], body["title"], body["author"], body["verified_purchase"]) == (
        4, "Solid", "Mei", True)
    listed = APIClient().get(f"/api/v1/products/{product.slug}/reviews/").json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]


def test_a_second_review_of_the_same_product_is_409_already_reviewed(product):
    user = UserFactory()
    bought(user, product)
    client = api_for(user)
    assert post_review(client, product).status_code == 201

    response = post_review(client, product, rating=1)

    assert (response.status_code, response.json()["code"]) == (409, "already_reviewed")
    assert Review.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "x", 3.5, None, 10**12])
def test_a_rating_outside_1_to_5_is_a_400_field_error(product, rating):
    user = UserFactory()
    bought(user, product)

    response = post_review(api_for(user), product, rating=rating)

    assert response.status_code == 400
    assert "rating" in response.json()
    assert not Review.objects.exists()


def test_an_empty_body_is_a_400_field_error(product):
    user = UserFactory()
    bought(user, product)

    response = post_review(api_for(user), product, body="")

    assert response.status_code == 400 and "body" in response.json()


def test_anonymous_may_read_but_not_write_and_unknown_products_are_404(product):
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/products/{product.slug}/reviews/").status_code == 200
    assert post_review(anonymous, product).status_code == 401
    assert anonymous.get("/api/v1/products/no-such-thing/reviews/").status_code == 404


def test_the_service_refuses_a_rating_out_of_range_even_without_the_api(product):
    user = UserFactory()
    bought(user, product)
    for rating in (0, 6, True, "5"):
        with pytest.raises(Exception) as raised:
            review_add(user=user, product=product, rating=rating, body="x",
                       verified_purchase=True)
        assert "rating" in raised.value.message_dict


def test_average_and_count_follow_reviews_and_a_staff_hide_and_show(product):
    users = [UserFactory() for _ in range(3)]
    for user, rating in zip(users, (5, 4, 4), strict=True):
        bought(user, product)
        assert post_review(api_for(user), product, rating=rating).status_code == 201
    assert rating_of(product) == (Decimal("4.33"), 3)

    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name="Catalog staff"))
    five = Review.objects.get(rating=5)
    response = api_for(staff).patch(f"/api/v1/reviews/{five.pk}/", {"is_visible": False},
                                    format="json")
    assert (response.status_code, response.json()["is_visible"]) == (200, False)
    assert rating_of(product) == (Decimal("4.00"), 2)
    listed = APIClient().get(f"/api/v1/products/{product.slug}/reviews/").json()["results"]
    assert five.pk not in [item["id"] for item in listed]

    reviews_set_visible(review_ids=Review.objects.values_list("pk", flat=True), is_visible=False)
    assert rating_of(product) == (None, 0)
    reviews_set_visible(review_ids=[five.pk], is_visible=True)
    assert rating_of(product) == (Decimal("5.00"), 1)


def test_only_staff_with_the_permission_may_hide_a_review(product):
    user = UserFactory()
    bought(user, product)
    review = review_create(user=user, product=product, rating=3, body="Fine.")

    assert api_for(user).patch(f"/api/v1/reviews/{review.pk}/", {"is_visible": False},
                               format="json").status_code == 403
    assert APIClient().patch(f"/api/v1/reviews/{review.pk}/", {"is_visible": False},
                             format="json").status_code == 401
    staff = api_for(StaffFactory(is_superuser=True))
    assert staff.patch("/api/v1/reviews/999999/", {"is_visible": False},
                       format="json").status_code == 404
    assert staff.patch(f"/api/v1/reviews/{review.pk}/", {"is_visible": "maybe"},
                       format="json").status_code == 400
    assert Review.objects.get(pk=review.pk).is_visible


def test_the_review_bonus_is_credited_once_per_shopper_and_product(product, settings):
    settings.SHOP_POINTS_REVIEW_BONUS = 20
    user = UserFactory()
    bought(user, product)
    client = api_for(user)
    assert post_review(client, product).status_code == 201
    assert post_review(client, product).status_code == 409
    # Even a review removed and written again earns nothing more.
    Review.objects.filter(user=user).delete()
    assert post_review(client, product).status_code == 201

    bonuses = LedgerEntry.objects.filter(account__user=user, reference__startswith="review:")
    assert list(bonuses.values_list("delta", flat=True)) == [20]
    other = SkuFactory().product
    bought(user, other)
    assert post_review(client, other).status_code == 201
    assert bonuses.count() == 2


def test_the_api_product_detail_and_list_carry_the_rating_and_sort_by_it(product):
    better = SkuFactory().product
    for target, rating in ((product, 3), (better, 5)):
        user = UserFactory()
        bought(user, target)
        review_create(user=user, product=target, rating=rating, body="Said.")
    unrated = SkuFactory().product

    detail = APIClient().get(f"/api/v1/products/{better.slug}/").json()
    assert (detail["rating_average"], detail["rating_count"]) == ("5.00", 1)
    listed = APIClient().get("/api/v1/products/?ordering=-rating").json()["results"]
    assert [item["slug"] for item in listed] == [better.slug, product.slug, unrated.slug]


def test_the_author_is_a_first_name_or_a_masked_email():
    assert author_name(UserFactory.build(display_name="Ann Lee", email="ann@x.cn")) == "Ann"
    assert author_name(UserFactory.build(display_name="", email="zhang@example.com")) == (
        "z***@example.com")


# --- The product page --------------------------------------------------------------------


def test_the_page_offers_the_form_to_a_buyer_only_and_publishes_the_review(client, product):
    page = f"/p/{product.slug}/"
    assert "review-form" not in client.get(page).content.decode()
    stranger = UserFactory()
    client.force_login(stranger)
    assert "review-form" not in client.get(page).content.decode()

    buyer = UserFactory(display_name="Wei")
    bought(buyer, product)
    client.force_login(buyer)
    assert 'id="review-form"' in client.get(page).content.decode()
    response = client.post(f"/p/{product.slug}/review/",
                           {"rating": "4", "title": "Nice", "body": "Good kettle."})
    cache.clear()  # the version moves on commit; this test's transaction never commits
    html = client.get(response["Location"]).content.decode()
    assert "Good kettle." in html and "Wei" in html and 'id="review-form"' not in html
    assert rating_of(product) == (Decimal("4.00"), 1)


def test_the_page_form_shows_a_bad_rating_as_a_message_not_a_500(client, product):
    buyer = UserFactory()
    bought(buyer, product)
    client.force_login(buyer)
    for rating in ("0", "6", "x", ""):
        response = client.post(f"/p/{product.slug}/review/",
                               {"rating": rating, "body": "Hm."}, follow=True)
        assert response.status_code == 200
        assert "1 to 5" in response.content.decode()
    assert not Review.objects.exists()


def test_a_non_buyer_posting_the_page_form_gets_a_message(client, product):
    client.force_login(UserFactory())
    response = client.post(f"/p/{product.slug}/review/", {"rating": "5", "body": "Hi"},
                           follow=True)
    assert response.status_code == 200
    assert "received this product" in response.content.decode()
    assert not Review.objects.exists()


def test_stars_show_on_cards_once_a_review_is_published(client, product):
    user = UserFactory()
    bought(user, product)
    home = client.get(f"/c/{product.category.slug}/").content.decode()
    assert "★" not in home
    review_create(user=user, product=product, rating=4, body="Good.")
    cache.clear()  # the version moved on commit; this test's transaction never commits

    listing = client.get(f"/c/{product.category.slug}/").content.decode()
    assert "★★★★☆" in listing and "4.0 (1)" in listing


def page_queries(client, url) -> int:
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_product_page_query_count_does_not_grow_with_the_reviews(client, product):
    viewer = UserFactory()
    client.force_login(viewer)
    url = f"/p/{product.slug}/"
    users = [UserFactory() for _ in range(12)]
    bought(users[0], product)
    review_create(user=users[0], product=product, rating=5, body="One.")
    with_one = page_queries(client, url)
    for user in users[1:]:
        bought(user, product)
        review_create(user=user, product=product, rating=4, body="More.")

    assert page_queries(client, url) == with_one


def test_top_rated_sorts_the_category_page(client, product):
    better = SkuFactory(product__category=product.category, product__name="Best Pot").product
    for target, rating in ((product, 2), (better, 5)):
        user = UserFactory()
        bought(user, target)
        review_create(user=user, product=target, rating=rating, body="Said.")
    cache.clear()

    html = client.get(f"/c/{product.category.slug}/?ordering=-rating").content.decode()

    assert "Top rated" in html
    assert html.index("Best Pot") < html.index(product.name)


def test_an_anonymous_page_post_goes_to_the_login_and_back_to_the_reviews(client, product):
    response = client.post(f"/p/{product.slug}/review/", {"rating": "5", "body": "Hi"})

    assert response.status_code == 302
    assert "login" in response["Location"] and f"/p/{product.slug}/" in response["Location"]
    assert client.post("/p/no-such/review/", {"rating": "5", "body": "Hi"}).status_code == 404
