"""A NUL character in a path or query parameter is a 400, never a 500 from the database."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/api/v1/orders/%00/",
    "/api/v1/skus/%00/",
    "/api/v1/products/?q=%00",
    "/api/v1/coupons/%00x/check/",
])
def test_a_nul_character_in_an_api_request_is_a_400_with_a_code(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_nul_character_in_a_page_request_is_a_400(client):
    assert client.get("/search/?q=tea%00").status_code == 400
    assert client.get("/p/%00/").status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get("/search/?q=tea").status_code == 200
