"""Membership reads: a shopper's tier benefits for pricing and pages."""

from shop.pricing import NO_BENEFITS, MemberBenefits


def benefits_for(user) -> MemberBenefits:
    """Return the benefits of the user's tier (NO_BENEFITS for anonymous visitors).

    Placeholder until issue #5: nobody has benefits.
    """
    return NO_BENEFITS
