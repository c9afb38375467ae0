"""Reviews: add one, hide or show it, and keep the product's rating in step.

The product's `rating_average` and `rating_count` are one aggregate UPDATE over its visible
reviews, run in the transaction of every review write. The product row is locked first, so
two reviews of one product written at once are counted one after the other: the second
UPDATE runs after the first commits and its aggregate sees both rows.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, DecimalField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from catalog.errors import AlreadyReviewed
from catalog.models import Product, Review
from shop.catalogue_version import catalogue_changed

RATINGS = range(1, 6)
TITLE_MAX = Review._meta.get_field("title").max_length
BODY_MAX = Review._meta.get_field("body").max_length


def clean_rating(rating) -> int:
    """Return `rating` as an int from 1 to 5, or raise a ValidationError on `rating`."""
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise ValidationError({"rating": [_("Give a rating from 1 to 5 stars.")]})
    return rating


def _clean_text(*, title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if len(title) > TITLE_MAX:
        errors["title"] = [_("A title has at most %(max)s characters.") % {"max": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Say a few words about the product.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("A review has at most %(max)s characters.") % {"max": BODY_MAX}]
    if errors:
        raise ValidationError(errors)
    return title, body


def _lock_product(product_id: int) -> None:
    # Lock order: the product row, then its reviews (every review write takes the same).
    Product.objects.select_for_update().filter(pk=product_id).values_list("pk").first()


def product_rating_refresh(*, product_id: int) -> None:
    """Set the product's rating average (2 places) and count from its visible reviews.

    One UPDATE with two aggregate subqueries; no review is read into Python.
    """
    visible = Review.objects.filter(product=OuterRef("pk"), is_visible=True).values("product")
    average = visible.annotate(
        value=Cast(Avg("rating"), DecimalField(max_digits=3, decimal_places=2))).values("value")
    count = visible.annotate(value=Count("pk")).values("value")
    Product.objects.filter(pk=product_id).update(
        rating_average=Subquery(average[:1]),
        rating_count=Coalesce(Subquery(count[:1]), 0),
    )
    # Cards and the product page show the stars: cached parts must render afresh.
    catalogue_changed()


@transaction.atomic
def review_add(*, user, product: Product, rating, title: str = "", body: str,
               verified_purchase: bool) -> Review:
    """Add `user`'s review of `product`, shown at once; raise AlreadyReviewed on a second one.

    Whether the shopper may review (bought it) is the caller's rule: orders.services.
    """
    rating = clean_rating(rating)
    title, body = _clean_text(title=title, body=body)
    _lock_product(product.pk)
    if Review.objects.filter(product=product, user=user).exists():
        raise AlreadyReviewed
    try:
        # The unique constraint decides when two requests of one shopper race past the
        # check; the savepoint keeps the transaction usable to answer.
        with transaction.atomic():
            review = Review.objects.create(product=product, user=user, rating=rating,
                                           title=title, body=body,
                                           verified_purchase=verified_purchase)
    except IntegrityError:
        raise AlreadyReviewed from None
    product_rating_refresh(product_id=product.pk)
    return review


@transaction.atomic
def review_set_visible(*, review: Review, is_visible: bool) -> Review:
    """Show or hide one review (staff); the product's rating follows."""
    _lock_product(review.product_id)
    Review.objects.filter(pk=review.pk).update(is_visible=is_visible)
    review.is_visible = is_visible
    product_rating_refresh(product_id=review.product_id)
    return review


@transaction.atomic
def reviews_set_visible(*, review_ids: Iterable[int], is_visible: bool) -> int:
    """Show or hide many reviews (the admin's actions); return how many changed."""
    ids = list(review_ids)
    product_ids = sorted(set(Review.objects.filter(pk__in=ids)
                             .values_list("product_id", flat=True)))
    for product_id in product_ids:  # pk order: two staff actions cannot deadlock
        _lock_product(product_id)
    changed = Review.objects.filter(pk__in=ids).exclude(is_visible=is_visible).update(
        is_visible=is_visible)
    for product_id in product_ids:
        product_rating_refresh(product_id=product_id)
    return changed


# --- Reads -----------------------------------------------------------------------------


def reviews_visible(product_id: int) -> QuerySet:
    """Return the product's visible reviews, newest first, with their authors (one query)."""
    return (Review.objects.filter(product_id=product_id, is_visible=True)
            .select_related("user").order_by("-created_at", "-pk"))


def review_exists(*, user, product_id: int) -> bool:
    """Return whether `user` has reviewed the product (hidden reviews count: one per shopper)."""
    return Review.objects.filter(user=user, product_id=product_id).exists()


def author_name(user) -> str:
    """Return how a review names its author: the display name's first word, or a masked email."""
    first = (getattr(user, "display_name", "") or "").split()
    if first:
        return first[0]
    local, _, domain = user.email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else f"{local[:1]}***"
