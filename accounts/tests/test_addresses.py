"""The address book on pages and the API; others' addresses stay invisible."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESSES = "/api/v1/me/addresses/"
FIELDS = {"name": "Han Meimei", "phone": "+86 139 1111 2222", "line1": "1 Century Avenue",
          "line2": "", "city": "Shanghai", "province": "Shanghai", "postcode": "200120",
          "country": "cn"}


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shopper_client(client, user):
    client.force_login(user)
    return client


def defaults(user):
    return list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True))


# --- Services: the one-default rule -----------------------------------------------------


def test_the_first_address_becomes_the_default_and_later_ones_do_not(user):
    first = services.address_create(user=user, **FIELDS)
    second = services.address_create(user=user, **FIELDS)
    assert defaults(user) == [first.pk]
    assert first.country == "CN"
    assert not second.is_default


def test_choosing_a_default_leaves_exactly_one(user):
    first = services.address_create(user=user, **FIELDS)
    second = services.address_create(user=user, **FIELDS)
    services.address_set_default(address=second)
    assert defaults(user) == [second.pk]
    services.address_update(address=first, data={"is_default": True})
    assert defaults(user) == [first.pk]


def test_deleting_the_default_promotes_the_newest_remaining_address(user):
    default = services.address_create(user=user, **FIELDS)
    services.address_create(user=user, **FIELDS)
    newest = services.address_create(user=user, **FIELDS)
    services.address_delete(address=default)
    assert defaults(user) == [newest.pk]


def test_the_default_cannot_simply_be_switched_off(user):
    default = services.address_create(user=user, **FIELDS)
    with pytest.raises(ValidationError):
        services.address_update(address=default, data={"is_default": False})
    assert defaults(user) == [default.pk]


@pytest.mark.parametrize("field, value", [
    ("phone", ""), ("phone", "call me"), ("postcode", ""), ("country", "CHN"), ("country", "1A"),
])
def test_an_invalid_address_is_refused_with_a_field_error(user, field, value):
    with pytest.raises(ValidationError) as caught:
        services.address_create(user=user, **{**FIELDS, field: value})
    assert field in caught.value.message_dict
    assert not Address.objects.filter(user=user).exists()


# --- API --------------------------------------------------------------------------------


def test_api_creates_lists_updates_and_deletes_own_addresses(api, user):
    created = api.post(ADDRESSES, FIELDS, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["country"] == "CN"
    assert body["is_default"] is True
    address_id = body["id"]

    listed = api.get(ADDRESSES).json()
    assert [item["id"] for item in listed["results"]] == [address_id]

    patched = api.patch(f"{ADDRESSES}{address_id}/", {"city": "Suzhou"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["city"] == "Suzhou"

    second = api.post(ADDRESSES, {**FIELDS, "is_default": True}, format="json").json()
    assert defaults(user) == [second["id"]]
    made_default = api.post(f"{ADDRESSES}{address_id}/default/")
    assert made_default.status_code == 200
    assert defaults(user) == [address_id]

    assert api.delete(f"{ADDRESSES}{address_id}/").status_code == 204
    assert defaults(user) == [second["id"]]


@pytest.mark.parametrize("field, value", [
    ("phone", ""), ("postcode", ""), ("country", "China"), ("name", ""),
])
def test_api_refuses_invalid_addresses_with_field_errors(api, field, value):
    response = api.post(ADDRESSES, {**FIELDS, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_api_gives_404_for_another_users_address(api):
    theirs = AddressFactory()
    url = f"{ADDRESSES}{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"city": "Hacked"}, format="json").status_code == 404
    assert api.put(url, FIELDS, format="json").status_code == 404
    assert api.post(f"{url}default/").status_code == 404
    assert api.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.city == "Shanghai"
    assert api.get(ADDRESSES).json()["count"] == 0


def test_api_addresses_need_authentication():
    assert APIClient().get(ADDRESSES).status_code == 401


def test_api_me_reads_and_changes_the_display_name_but_not_the_email(api, user):
    response = api.patch("/api/v1/me/", {"display_name": "Ann", "email": "x@example.com"},
                         format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "Ann"
    assert user.email != "x@example.com"
    assert api.put("/api/v1/me/", {"display_name": "B"}, format="json").status_code == 405


# --- Pages ------------------------------------------------------------------------------


def test_pages_add_edit_make_default_and_delete_an_address(shopper_client, user):
    response = shopper_client.post(reverse("accounts:address_add"), FIELDS)
    assert response.status_code == 302
    first = Address.objects.get(user=user)
    assert first.is_default

    shopper_client.post(reverse("accounts:address_add"), {**FIELDS, "line1": "2 Bund Road"})
    second = Address.objects.get(user=user, line1="2 Bund Road")

    response = shopper_client.post(reverse("accounts:address_edit", args=[second.pk]),
                         {**FIELDS, "line1": "3 Bund Road"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.line1 == "3 Bund Road"

    shopper_client.post(reverse("accounts:address_default", args=[second.pk]))
    assert defaults(user) == [second.pk]

    listing = shopper_client.get(reverse("accounts:addresses")).content.decode()
    assert "3 Bund Road" in listing and "1 Century Avenue" in listing

    confirm = shopper_client.get(reverse("accounts:address_delete", args=[second.pk]))
    assert confirm.status_code == 200
    assert Address.objects.filter(pk=second.pk).exists()  # a GET only asks
    shopper_client.post(reverse("accounts:address_delete", args=[second.pk]))
    assert defaults(user) == [first.pk]


def test_page_form_shows_field_errors_for_a_bad_address(shopper_client, user):
    response = shopper_client.post(reverse("accounts:address_add"),
                                   {**FIELDS, "phone": "", "country": "X"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "country"}
    assert 'class="field-errors"' in response.content.decode()
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.parametrize("name, method", [
    ("accounts:address_edit", "get"), ("accounts:address_edit", "post"),
    ("accounts:address_delete", "get"), ("accounts:address_delete", "post"),
    ("accounts:address_default", "post"),
])
def test_pages_give_404_for_another_users_address(shopper_client, name, method):
    theirs = AddressFactory()
    response = getattr(shopper_client, method)(reverse(name, args=[theirs.pk]), FIELDS)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.line1 != FIELDS["line1"]


def test_account_pages_need_login(client):
    for name in ("accounts:profile", "accounts:addresses", "accounts:address_add"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_profile_page_shows_the_email_and_saves_the_display_name(shopper_client, user):
    assert user.email in shopper_client.get(reverse("accounts:profile")).content.decode()
    shopper_client.post(reverse("accounts:profile"), {"display_name": "  Lily  "})
    user.refresh_from_db()
    assert user.display_name == "Lily"
