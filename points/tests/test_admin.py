"""Staff screens: read-only ledger, and adjustments that need a reason."""

import pytest

from accounts.tests.factories import StaffFactory, UserFactory
from points.models import LedgerEntry, PointsAccount
from points.selectors import balance_for
from points.tests.factories import earned

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def shopper():
    user = UserFactory()
    earned(user, 200)
    return user


def adjust_url(user):
    return f"/admin/points/pointsaccount/{user.points_account.pk}/adjust/"


def test_staff_adjustment_without_a_reason_is_refused_by_the_form(client, superuser, shopper):
    client.force_login(superuser)
    response = client.post(adjust_url(shopper), {"delta": "50", "reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not LedgerEntry.objects.filter(kind="adjust").exists()
    assert balance_for(shopper) == 200


def test_staff_adjustment_with_a_reason_writes_an_adjust_entry(client, superuser, shopper):
    client.force_login(superuser)
    response = client.post(adjust_url(shopper), {"delta": "-50", "reason": "Duplicate award"})
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.delta, entry.reason, entry.created_by) == (-50, "Duplicate award", superuser)
    assert balance_for(shopper) == 150


def test_staff_adjustment_below_zero_shows_an_error_and_changes_nothing(client, superuser, shopper):
    client.force_login(superuser)
    response = client.post(adjust_url(shopper), {"delta": "-201", "reason": "Clawback"}, follow=True)
    assert "cannot go below zero" in response.content.decode()
    assert balance_for(shopper) == 200


def test_staff_can_adjust_a_shopper_without_an_account_by_email(client, superuser):
    newcomer = UserFactory()
    client.force_login(superuser)
    response = client.post("/admin/points/pointsaccount/adjust/",
                           {"email": newcomer.email.upper(), "delta": "30", "reason": "Welcome"})
    assert response.status_code == 302
    assert balance_for(newcomer) == 30


def test_staff_without_the_adjust_permission_cannot_adjust(client, shopper):
    clerk = StaffFactory()
    client.force_login(clerk)
    response = client.post(adjust_url(shopper), {"delta": "50", "reason": "Because"})
    assert response.status_code == 403
    assert balance_for(shopper) == 200


def test_accounts_and_ledger_are_read_only_in_the_admin(client, superuser, shopper):
    client.force_login(superuser)
    account = PointsAccount.objects.get(user=shopper)
    entry = LedgerEntry.objects.get(account=account)
    assert client.get("/admin/points/pointsaccount/").status_code == 200
    assert client.get("/admin/points/ledgerentry/").status_code == 200
    assert client.get("/admin/points/pointsaccount/add/").status_code == 403
    client.post(f"/admin/points/pointsaccount/{account.pk}/change/", {"balance": "99999"})
    client.post(f"/admin/points/ledgerentry/{entry.pk}/delete/", {"post": "yes"})
    account.refresh_from_db()
    assert account.balance == 200
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(f"/admin/points/pointsaccount/{account.pk}/change/").status_code == 200


def test_adjust_action_leads_to_the_form_for_one_account(client, superuser, shopper):
    client.force_login(superuser)
    response = client.post("/admin/points/pointsaccount/", {
        "action": "adjust_selected", "_selected_action": [shopper.points_account.pk],
    })
    assert response.status_code == 302
    assert response["Location"] == adjust_url(shopper)
