"""Staff screens: tiers validated on save, memberships filtered and searched, re-evaluation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from membership.models import Tier, TierChange
from membership.services import membership_get, spend_record
from membership.tests.factories import SpendRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@example.com", "pw-12345678"))
    return client


def tier_form(**fields) -> dict:
    values = {"code": "diamond", "name": "Diamond", "rank": "5", "threshold": "50000.00",
              "discount_percent": "10", "points_multiplier": "3"}
    return {**values, **fields}


def test_staff_add_a_tier_that_keeps_the_ladder_in_order(staff_client, tiers):
    response = staff_client.post(reverse("admin:membership_tier_add"), tier_form())

    assert response.status_code == 302
    assert Tier.objects.get(code="diamond").threshold == Decimal("50000.00")


def test_the_admin_refuses_an_unordered_threshold_with_a_clear_message(staff_client, tiers):
    response = staff_client.post(reverse("admin:membership_tier_add"),
                                 tier_form(threshold="4000.00"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["threshold"] == [
        "Diamond (rank 5) needs a threshold above Platinum's ¥20,000.00 (rank 4): "
        "thresholds strictly increase with rank."
    ]
    assert not Tier.objects.filter(code="diamond").exists()


def test_the_admin_refuses_editing_silver_past_gold(staff_client, tiers):
    silver = tiers["silver"]
    response = staff_client.post(
        reverse("admin:membership_tier_change", args=[silver.pk]),
        tier_form(code="silver", name="Silver", rank="2", threshold="5000.00",
                  discount_percent="2", points_multiplier="1.2"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["threshold"] == [
        "Silver (rank 2) needs a threshold below Gold's ¥5,000.00 (rank 3): "
        "thresholds strictly increase with rank."
    ]
    silver.refresh_from_db()
    assert silver.threshold == Decimal("1000.00")


def test_memberships_filter_by_tier_and_search_by_email(staff_client, tiers):
    gold = UserFactory(email="goldie@example.com")
    spend_record(user=gold, reference="order:SO1", amount=Decimal("5000.00"))
    membership_get(UserFactory(email="plain@example.com"))
    url = reverse("admin:membership_membership_changelist")

    by_tier = staff_client.get(url, {"tier__id__exact": tiers["gold"].pk})
    by_email = staff_client.get(url, {"q": "plain@"})

    assert [m.user.email for m in by_tier.context["cl"].result_list] == ["goldie@example.com"]
    assert [m.user.email for m in by_email.context["cl"].result_list] == ["plain@example.com"]


def test_a_membership_page_shows_the_history_read_only(staff_client, tiers):
    user = UserFactory()
    spend_record(user=user, reference="order:SO1", amount=Decimal("1000.00"))
    membership = membership_get(user)

    response = staff_client.get(reverse("admin:membership_membership_change", args=[membership.pk]))

    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert inline.opts.has_add_permission(response.wsgi_request, membership) is False
    assert inline.opts.has_change_permission(response.wsgi_request, membership) is False
    assert "order:SO1" in response.content.decode()


def test_staff_re_evaluate_selected_members(staff_client, tiers):
    user = UserFactory()
    membership = membership_get(user)
    SpendRecordFactory(user=user, amount=Decimal("20000.00"))  # written without evaluating

    response = staff_client.post(
        reverse("admin:membership_membership_changelist"),
        {"action": "reevaluate", "_selected_action": [membership.pk]}, follow=True,
    )

    assert "Re-evaluated 1 member(s); 1 changed tier." in response.content.decode()
    membership = membership_get(user)
    assert membership.tier == tiers["platinum"]
    assert membership.changes.first().reason == TierChange.Reason.STAFF


def test_the_starting_tier_cannot_be_deleted_while_others_exist(staff_client, tiers):
    regular = tiers["regular"]

    response = staff_client.post(reverse("admin:membership_tier_delete", args=[regular.pk]),
                                 {"post": "yes"})

    assert response.status_code == 403
    assert Tier.objects.filter(pk=regular.pk).exists()
