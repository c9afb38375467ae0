"""Reviews are created here, not in catalog: only orders knows who received a product.

review_create checks the purchase (an order of the shopper holding the product is
`completed`), has catalog store the review (catalog.shoppers.reviews keeps the rating in
step) and credits the review bonus through the points service, in one transaction.
"""

from django.conf import settings
from django.db import transaction

from catalog.models import Product, Review
from catalog.shoppers.reviews import review_add
from orders.errors import NotABuyer
from orders.models import Order, OrderLine
from points.services import points_bonus


def product_bought(user, product_id: int) -> bool:
    """Return whether `user` has a completed order with a SKU of the product (one query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return OrderLine.objects.filter(order__user=user, order__status=Order.Status.COMPLETED,
                                    sku__product_id=product_id).exists()


def review_bonus_reference(*, user, product: Product) -> str:
    """Return the ledger reference of the review bonus: one per shopper and product."""
    return f"review:{product.pk}:{user.pk}"


@transaction.atomic
def review_create(*, user, product: Product, rating, title: str = "", body: str) -> Review:
    """Publish `user`'s review of `product` and credit SHOP_POINTS_REVIEW_BONUS once.

    Raise NotABuyer unless an order of theirs with the product is completed, AlreadyReviewed
    on a second review, a ValidationError on a bad rating or text.
    """
    if not product_bought(user, product.pk):
        raise NotABuyer
    review = review_add(user=user, product=product, rating=rating, title=title, body=body,
                        verified_purchase=True)
    # The reference is per shopper and product, so the bonus is credited once even if a
    # review is removed and written again; the points service ignores a repeated reference.
    points_bonus(user=user, points=settings.SHOP_POINTS_REVIEW_BONUS,
                 reference=review_bonus_reference(user=user, product=product),
                 reason="Review bonus")
    return review
