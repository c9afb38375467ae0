"""API pagination: bad page numbers are 400 field errors, pages past the end 404."""

import pytest

from catalog.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


# "¹" passes str.isdigit() but not int() (it was a 500); "٣" is no ASCII number either.
@pytest.mark.parametrize("page", ["-1", "0", "abc", "1.5", "¹", "٣"])
def test_a_malformed_page_number_is_a_400_field_error(client, page):
    response = client.get("/api/v1/products/", {"page": page})

    assert response.status_code == 400
    assert "page" in response.json()


def test_a_page_past_the_end_is_a_404(client):
    SkuFactory()

    assert client.get("/api/v1/products/", {"page": "2"}).status_code == 404
    assert client.get("/api/v1/products/", {"page": "last"}).status_code == 200

