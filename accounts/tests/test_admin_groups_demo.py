"""Staff screens, duty groups and the demo seed of the accounts app."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import demo, groups
from accounts.models import Address, User
from accounts.tests.factories import AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True, email="boss@example.com"))
    return client


def changelist_emails(response):
    return sorted(user.email for user in response.context["cl"].result_list)


# pytest-django runs transactional tests (which flush migration data) after this one.
def test_the_staff_duty_groups_exist_after_migrating():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(groups.STAFF_GROUPS) <= names
    assert groups.STAFF_GROUPS == ("Catalog staff", "Fulfilment staff", "Marketing staff",
                                   "Partners")


def test_the_group_migration_recreates_missing_groups_and_keeps_existing_ones():
    migration = importlib.import_module("accounts.migrations.0003_staff_groups")
    Group.objects.filter(name=groups.PARTNERS).delete()
    kept = Group.objects.get(name=groups.CATALOG_STAFF)
    migration.create_groups(django_apps, schema_editor=None)
    assert Group.objects.filter(name=groups.PARTNERS).exists()
    assert Group.objects.get(name=groups.CATALOG_STAFF).pk == kept.pk


def test_admin_user_list_searches_by_email_and_filters_by_verified(admin_client):
    UserFactory(email="verified@example.com")
    UserFactory(email="pending@example.com", verified=False)
    url = reverse("admin:accounts_user_changelist")

    assert changelist_emails(admin_client.get(url, {"q": "PENDING@"})) == ["pending@example.com"]
    assert changelist_emails(admin_client.get(url, {"verified": "no"})) == ["pending@example.com"]
    assert "pending@example.com" not in changelist_emails(
        admin_client.get(url, {"verified": "yes"}))
    assert changelist_emails(admin_client.get(url, {"is_staff__exact": "1"})) == [
        "boss@example.com"]


def test_admin_user_page_shows_addresses_inline(admin_client):
    address = AddressFactory(line1="88 Inline Street")
    response = admin_client.get(reverse("admin:accounts_user_change", args=[address.user.pk]))
    assert response.status_code == 200
    assert "88 Inline Street" in response.content.decode()


def test_admin_adds_a_user_by_email_and_refuses_a_duplicate_in_another_case(admin_client):
    url = reverse("admin:accounts_user_add")
    assert admin_client.get(url).status_code == 200
    password = "a-staff-secret-93"
    response = admin_client.post(url, {"email": "New.Staff@Example.com", "password1": password,
                                       "password2": password, "is_staff": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.staff@example.com")
    assert user.is_staff and user.check_password(password)

    again = admin_client.post(url, {"email": "NEW.STAFF@example.com", "password1": password,
                                    "password2": password})
    assert again.status_code == 200
    assert "email" in again.context["adminform"].form.errors


def test_demo_seed_creates_the_shopper_and_admin_once(capsys):
    lines = []
    demo.seed(out=lines.append)
    demo.seed(out=lines.append)

    shopper = User.objects.get(email=demo.SHOPPER_EMAIL)
    assert shopper.check_password(demo.SHOPPER_PASSWORD)
    assert EmailAddress.objects.get(user=shopper).verified
    address = Address.objects.get(user=shopper)
    assert address.is_default and address.city == "Shanghai"
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    assert admin.is_superuser and admin.check_password(demo.ADMIN_PASSWORD)
    assert any("demo-pass-123" in line for line in lines)
    assert any("admin-pass-123" in line for line in lines)
    assert any("already exists" in line for line in lines)
