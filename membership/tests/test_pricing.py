"""Member prices, benefits and the header badge: right values, a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from membership.context_processors import header
from membership.pricing import member_offers
from membership.selectors import benefits_for
from membership.services import spend_record
from shop.pricing import NO_BENEFITS, MemberBenefits, PriceOffer

pytestmark = pytest.mark.django_db


@dataclass
class Priced:
    """Anything with `.pk` and `.price`: membership may not know the catalogue's SKU."""

    pk: int
    price: Decimal


def member_in(tier_code: str, amounts={"silver": "1000.00", "gold": "5000.00",
                                         "platinum": "20000.00"}):
    user = UserFactory()
    if tier_code != "regular":
        spend_record(user=user, reference=f"order:{user.pk}", amount=Decimal(amounts[tier_code]))
    return user


def test_a_gold_member_gets_base_times_95_percent_rounded_half_up(tiers):
    gold = member_in("gold")
    skus = [Priced(1, Decimal("100.00")), Priced(2, Decimal("0.10")), Priced(3, Decimal("19.90"))]

    offers = member_offers(skus, user=gold, at=timezone.now())

    assert offers == {
        1: PriceOffer(price=Decimal("95.00"), kind="member", label="Gold member price"),
        # 0.095 → 0.10 and 18.905 → 18.91: half-up, not banker's rounding.
        2: PriceOffer(price=Decimal("0.10"), kind="member", label="Gold member price"),
        3: PriceOffer(price=Decimal("18.91"), kind="member", label="Gold member price"),
    }


def test_a_regular_member_and_an_anonymous_visitor_get_no_member_price(tiers):
    skus = [Priced(1, Decimal("100.00"))]

    assert member_offers(skus, user=member_in("regular"), at=timezone.now()) == {}
    assert member_offers(skus, user=AnonymousUser(), at=timezone.now()) == {}
    assert member_offers(skus, user=None, at=timezone.now()) == {}


def test_member_prices_for_a_whole_page_take_one_query(tiers, django_assert_num_queries):
    platinum = member_in("platinum")
    skus = [Priced(n, Decimal(n)) for n in range(1, 41)]

    with django_assert_num_queries(1):
        offers = member_offers(skus, user=platinum, at=timezone.now())

    assert offers[25].price == Decimal("23.00")
    assert len(offers) == 40


def test_benefits_follow_the_tier(tiers, django_assert_max_num_queries):
    gold = member_in("gold")

    with django_assert_max_num_queries(1):
        benefits = benefits_for(gold)

    assert benefits == MemberBenefits(
        tier_code="gold", tier_name="Gold", discount_percent=Decimal("5.00"),
        points_multiplier=Decimal("1.50"), free_shipping=True,
    )


def test_visitors_and_users_without_a_membership_get_the_lowest_tiers_benefits(
    tiers, django_assert_max_num_queries
):
    never_read = UserFactory()
    with django_assert_max_num_queries(2):
        assert benefits_for(never_read).tier_code == "regular"
    assert benefits_for(AnonymousUser()).tier_code == "regular"


def test_without_tiers_nobody_has_benefits(db):
    assert benefits_for(UserFactory()) == NO_BENEFITS
    assert benefits_for(AnonymousUser()) == NO_BENEFITS


def test_the_header_shows_the_members_tier_name_in_one_query(tiers, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = member_in("silver")

    with django_assert_num_queries(1):
        context = header(request)
        assert str(context["header_tier"]) == "Silver"
        assert f"{context['header_tier']}" == "Silver"


def test_the_header_has_no_tier_for_visitors(tiers, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert header(request) == {"header_tier": ""}
