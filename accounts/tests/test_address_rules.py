"""Addresses the shop can deliver to: one set of rules for the address page and the address API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.addresses import PROVINCES, address_normalise, province_normalise
from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory

GOOD = {"name": "Han Meimei", "phone": "+86 139 1111 2222", "line1": "1 Century Avenue",
        "line2": "", "city": "Shanghai", "province": "Shanghai", "postcode": "200120",
        "country": "CN"}
BAD = {"name": "X", "postcode": "abc", "country": "ZZ"}


def errors_of(data) -> dict:
    with pytest.raises(ValidationError) as caught:
        address_normalise(data)
    return caught.value.message_dict


def test_the_rules_refuse_a_one_letter_name_a_letter_postcode_and_an_unknown_country():
    assert set(errors_of({**GOOD, **BAD})) == {"name", "postcode", "country"}


@pytest.mark.parametrize("postcode", ["abc", "12345", "1234567", "20012a", ""])
def test_a_chinese_postcode_must_have_six_digits(postcode):
    assert "six digits" in errors_of({**GOOD, "postcode": postcode})["postcode"][0]


@pytest.mark.parametrize(("country", "postcode", "ok"), [
    ("US", "94105", True), ("US", "94105-1234", True), ("US", "9410", False),
    ("GB", "sw1a 1aa", True), ("GB", "12345", False), ("JP", "100-0001", True),
    ("NZ", "6011", True), ("NZ", "6", False), ("NZ", "12345678901", False), ("NZ", "ab$", False),
    ("NZ", "abc", False), ("IE", "D02 X285", True),
])
def test_other_countries_have_their_pattern_or_two_to_ten_letters_and_digits(country, postcode, ok):
    data = {**GOOD, "country": country, "province": "", "postcode": postcode}
    if ok:
        assert address_normalise(data)["postcode"] == postcode.upper()
    else:
        assert "postcode" in errors_of(data)


@pytest.mark.parametrize("given", ["Shanghai", "上海", "上海市", "shanghai", " SHANGHAI shi "])
def test_a_chinese_province_in_either_language_is_stored_by_its_english_name(given):
    assert address_normalise({**GOOD, "province": given})["province"] == "Shanghai"


def test_the_34_divisions_are_known_in_both_languages_with_their_suffixes():
    assert len(PROVINCES) == 34
    for english, chinese in PROVINCES:
        assert province_normalise(english) == english and province_normalise(chinese) == english
    assert province_normalise("广西壮族自治区") == "Guangxi"
    assert province_normalise("广东省") == "Guangdong"
    assert province_normalise("Xizang") == "Tibet"
    assert province_normalise("Atlantis") is None


def test_an_unknown_chinese_province_is_refused_but_elsewhere_a_region_is_free_text():
    assert "province" in errors_of({**GOOD, "province": "Atlantis"})
    assert address_normalise({**GOOD, "country": "us", "province": "California",
                              "postcode": "94105"}) == {
        "name": "Han Meimei", "province": "California", "postcode": "94105", "country": "US"}
    assert address_normalise({**GOOD, "province": ""})["province"] == ""


@pytest.mark.django_db
def test_the_address_page_refuses_x_abc_and_zz_with_field_errors(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:address_add"), {**GOOD, **BAD})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "postcode", "country"}
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_the_address_page_offers_the_provinces_and_the_countries_in_the_page_language(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:address_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert 'list="cn-provinces"' in html and '<option value="上海"></option>' in html
    assert '<option value="CN" selected>中国</option>' in html
    english = client.get(reverse("accounts:address_add"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="Shanghai"></option>' in english.content.decode()


@pytest.mark.django_db
def test_the_address_page_saves_a_chinese_province_by_its_english_name(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:address_add"), {**GOOD, "province": "上海"})
    assert response.status_code == 302
    assert Address.objects.get(user=user).province == "Shanghai"


@pytest.mark.django_db
def test_the_address_api_refuses_x_abc_and_zz_with_field_errors():
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/me/addresses/", {**GOOD, **BAD}, format="json")
    assert response.status_code == 400
    assert {"name", "postcode", "country"} <= set(response.json())
    assert not Address.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("province", ["Shanghai", "上海"])
def test_the_address_api_accepts_shanghai_in_either_language(province):
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/me/addresses/", {**GOOD, "province": province}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["province"] == "Shanghai"


@pytest.mark.django_db
def test_a_partial_api_update_checks_the_postcode_against_the_saved_country():
    address = AddressFactory()
    api = APIClient()
    api.force_authenticate(address.user)
    response = api.patch(f"/api/v1/me/addresses/{address.pk}/", {"postcode": "1234"},
                         format="json")
    assert response.status_code == 400 and "postcode" in response.json()
    address.refresh_from_db()
    assert address.postcode == "200001"


@pytest.mark.django_db
def test_the_address_book_shows_province_and_country_in_the_page_language(client):
    address = AddressFactory()
    client.force_login(address.user)
    chinese = client.get(reverse("accounts:addresses"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "上海" in chinese.content.decode() and "中国" in chinese.content.decode()
    english = client.get(reverse("accounts:addresses"), HTTP_ACCEPT_LANGUAGE="en")
    assert ", Shanghai 200001" in english.content.decode() and "China" in english.content.decode()
