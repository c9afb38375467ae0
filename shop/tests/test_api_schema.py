"""The OpenAPI schema: valid without warnings, every 4xx documented, docs served offline."""

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.generators import SchemaGenerator

from shop.tests import fake_api
from shop.tests.subprocesses import child_env, manage

WRITE_METHODS = {"post", "put", "patch"}


# Paths whose parameter is a question, not an object: an unknown value is an answer (200).
NO_OBJECT_IN_PATH = {"/api/v1/coupons/{code}/check/"}


def undocumented_errors(schema: dict) -> list[str]:
    """Return "METHOD path: what is missing" for each operation that hides a 4xx it can answer.

    An operation answers 404 when its path names an object, 400 when it takes a body (a
    malformed one at least), and some 4xx always; each documented 4xx has a JSON body.
    (401 is not derived: the schema's `security` cannot tell a custom "anyone reads"
    permission from one that needs a signed-in caller.)
    """
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.get("responses", {})
            codes = {code for code in responses if code.startswith("4")}
            needed = set()
            if "{" in path and path not in NO_OBJECT_IN_PATH:
                needed.add("404")
            if method in WRITE_METHODS and "requestBody" in operation:
                needed.add("400")
            where = f"{method.upper()} {path}"
            if not codes:
                problems.append(f"{where}: no 4xx response documented")
            for code in sorted(needed - codes):
                problems.append(f"{where}: {code} not documented")
            for code in sorted(codes):
                if "application/json" not in responses[code].get("content", {}):
                    problems.append(f"{where}: {code} has no JSON body documented")
    return problems


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates_with_no_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    completed = manage("spectacular", "--validate", "--fail-on-warn", "--file", str(target),
                       env=child_env(SHOP_TESTING="1"))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert target.read_text().startswith("openapi: 3.")


def test_every_operation_documents_the_4xx_it_can_answer(schema):
    assert undocumented_errors(schema) == []


def test_the_4xx_rule_catches_an_endpoint_that_documents_none():
    fake_schema = SchemaGenerator(urlconf=fake_api).get_schema(request=None, public=True)

    problems = undocumented_errors(fake_schema)

    assert problems == [
        "PATCH /api/v1/undocumented/{id}/: no 4xx response documented",
        "PATCH /api/v1/undocumented/{id}/: 400 not documented",
        "PATCH /api/v1/undocumented/{id}/: 404 not documented",
    ]


def test_the_schema_carries_the_error_shapes(schema):
    schemas = schema["components"]["schemas"]

    assert schemas["Error"]["required"] == ["code", "detail"]
    assert set(schemas["Error"]["properties"]) == {"code", "detail"}
    assert schemas["ValidationError"]["type"] == "object"


def test_api_schema_url_serves_the_schema(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert body["info"]["title"] == "Shop API"
    assert "Error" in body["components"]["schemas"]


def test_api_docs_render_swagger_ui_from_the_shop_itself(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="swagger-ui">' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    # Offline: every script, stylesheet and icon comes from the shop's static files, but for
    # the start-up script, which the docs view serves itself (no inline script: CSP).
    start_up = "/api/docs/?script="
    assert start_up in assets
    assert client.get(start_up)["Content-Type"] == "application/javascript"
    for asset in set(assets) - {start_up}:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"
    for host in ("jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert host not in html, host
