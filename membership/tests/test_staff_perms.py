import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import StaffFactory


@pytest.mark.django_db
def test_marketing_staff_may_edit_tiers_and_see_memberships():
    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name="Marketing staff"))

    assert staff.has_perm("membership.change_tier")
    assert staff.has_perm("membership.view_membership")
    assert not staff.has_perm("membership.delete_tier")
