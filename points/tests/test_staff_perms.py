import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import StaffFactory


@pytest.mark.django_db
def test_marketing_staff_may_see_ledgers_and_adjust_points_but_not_edit_entries():
    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name="Marketing staff"))

    assert staff.has_perm("points.adjust_points")
    assert staff.has_perm("points.view_ledgerentry")
    assert not staff.has_perm("points.change_ledgerentry")
