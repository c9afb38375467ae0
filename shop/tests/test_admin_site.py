"""The admin site: named after the shop, framework tables for superusers only, one Accounts."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import TokenProxy

from accounts.tests.factories import StaffFactory, UserFactory
from shop.admin import FRAMEWORK_APP_LABELS, ShopAdminSite

pytestmark = pytest.mark.django_db

FRAMEWORK_URLS = [
    "admin:authtoken_tokenproxy_changelist",
    "admin:axes_accessattempt_changelist",
    "admin:django_celery_beat_periodictask_changelist",
    "admin:account_emailaddress_changelist",
]


def fulfilment_clerk():
    clerk = UserFactory(is_staff=True)
    clerk.groups.add(Group.objects.get(name="Fulfilment staff"))
    return clerk


def test_the_default_admin_site_is_the_shops():
    assert isinstance(admin.site, ShopAdminSite)
    assert TokenProxy in admin.site._registry


def test_the_header_and_title_carry_the_shop_name(client, settings):
    settings.SHOP_NAME = "Lotus Market"
    client.force_login(StaffFactory(is_superuser=True))

    page = client.get(reverse("admin:index")).content.decode()

    assert "<title>Dashboard | Lotus Market admin</title>" in page
    assert ">Lotus Market staff</a>" in page


@pytest.mark.parametrize("url", FRAMEWORK_URLS)
def test_framework_tables_are_hidden_from_duty_staff_even_with_permissions(client, url):
    from django.contrib.auth.models import Permission

    clerk = fulfilment_clerk()
    # Even a permission granted by mistake does not open them.
    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=FRAMEWORK_APP_LABELS))
    client.force_login(clerk)

    assert client.get(reverse(url)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    for label in ("Auth Token", "Axes", "Periodic Tasks", "Email addresses"):
        assert label not in index


@pytest.mark.parametrize("url", FRAMEWORK_URLS)
def test_superusers_see_the_framework_tables(client, url):
    client.force_login(StaffFactory(is_superuser=True))

    assert client.get(reverse(url)).status_code == 200


def test_one_accounts_section_holds_users_and_email_addresses(client):
    client.force_login(StaffFactory(is_superuser=True))

    response = client.get(reverse("admin:index"))

    sections = [str(app["name"]) for app in response.context["app_list"]]
    assert sections.count("Accounts") == 1
    accounts = next(app for app in response.context["app_list"] if app["name"] == "Accounts")
    assert {"Users", "Email addresses"} <= {str(model["name"]) for model in accounts["models"]}
