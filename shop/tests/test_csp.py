"""Content-Security-Policy: every page carries one, and no script runs inline.

The root conftest checks every HTML page any test fetches; the tests here visit the whole
storefront on purpose (a crawl over the demo shop), the admin and the API docs, and keep
inline scripts and handlers out of the templates.
"""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.tests.factories import StaffFactory
from catalog.models import Sku
from orders.tests.factories import place
from shop.testing import script_policy_problem

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Pages a shopper's GET must not trigger, and what is not a storefront page.
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/")
MAX_PAGES = 60
PER_KIND = 6


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.hrefs.append(href.split("#")[0])


def crawl(client, seeds: list[str]) -> dict[str, object]:
    """GET the same-site pages reachable from `seeds`; return path → response.

    One visit per path, and a few per kind (`/p/...`, `/c/...`): a page of each template is
    what matters, not every product.
    """
    seen: dict[str, object] = {}
    per_kind: dict[str, int] = {}
    queue = list(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = url.split("?")[0]
        kind = path.strip("/").split("/")[0]
        if path in seen or path.startswith(SKIP) or per_kind.get(kind, 0) >= PER_KIND:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        response = client.get(url)
        seen[path] = response
        if response.get("Content-Type", "").startswith("text/html"):
            parser = Links()
            parser.feed(response.content.decode())
            queue.extend(parser.hrefs)
    return seen


@pytest.fixture
def demo_shopper_client(client, db):
    """The demo shop, its shopper signed in with one order placed and one line in the cart."""
    call_command("seed_demo", stdout=io.StringIO())
    shopper = User.objects.get(email="demo@example.com")
    skus = Sku.objects.filter(stock__gt=0, is_active=True, product__is_active=True)
    place(user=shopper, skus=[skus[0]])
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": skus[1].pk, "quantity": 1})
    return client


def test_every_storefront_page_carries_a_policy_that_runs_no_inline_script(demo_shopper_client):
    pages = crawl(demo_shopper_client, ["/", "/cart/", "/checkout/", "/orders/", "/no-such-page/"])

    html = {path: r for path, r in pages.items()
            if r.get("Content-Type", "").startswith("text/html")}
    assert len(html) >= 25, sorted(html)
    kinds = {path.strip("/").split("/")[0] for path in html}
    assert {"", "c", "p", "cart", "checkout", "orders", "account", "flash", "points",
            "membership", "no-such-page"} <= kinds, sorted(html)
    assert any(re.fullmatch(r"/orders/[^/]+/", path) for path in html), sorted(html)
    for path, response in html.items():
        assert script_policy_problem(response) is None, path
        assert "script-src 'self'" in response["Content-Security-Policy"], path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "as_staff"),
    [("/admin/", True), ("/admin/catalog/product/add/", True), ("/admin/catalog/category/", True),
     ("/api/docs/", False), ("/accounts/login/", False), ("/accounts/signup/", False)],
)
def test_the_admin_the_api_docs_and_the_account_pages_run_no_inline_script(client, url,
                                                                             as_staff):
    if as_staff:
        client.force_login(StaffFactory(is_superuser=True))

    response = client.get(url)

    assert response.status_code == 200
    assert script_policy_problem(response) is None
    assert InlineScripts.find(response.content.decode()) == []


class InlineScripts(HTMLParser):
    """Find what a script-src without 'unsafe-inline' refuses: inline scripts and handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    @classmethod
    def find(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.found

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
        data_only = attrs.get("type") in {"application/json", "application/ld+json"}
        self._in_script = tag == "script" and "src" not in attrs and not data_only

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}...")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def project_templates() -> list[Path]:
    return sorted(path for path in BASE_DIR.glob("**/templates/**/*.html")
                  if ".venv" not in path.parts and "node_modules" not in path.parts)


def test_no_template_of_the_shop_has_an_inline_script_or_handler():
    templates = project_templates()
    assert len(templates) > 20

    found = {str(path.relative_to(BASE_DIR)): InlineScripts.find(path.read_text())
             for path in templates}

    assert {path: hits for path, hits in found.items() if hits} == {}
