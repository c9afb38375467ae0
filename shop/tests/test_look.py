"""The storefront's look: base.html's header and footer, the partials, error pages, CSS and JS."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import Message
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from accounts.tests.factories import UserFactory

# The class vocabulary every page may use; shop.css must style each one.
VOCABULARY = """
container page-title stack row grid layout-sidebar sidebar card muted empty hero section-title
product-grid product-card product-card__image product-card__body product-card__name gallery
gallery__main gallery__thumbs specs sku-picker chip breadcrumbs filters
price price--now price--was price--flash badge badge--sale badge--flash badge--tier badge--new
stock stock--ok stock--low stock--out
form field field-errors help btn btn--primary btn--secondary btn--danger btn--small btn--block
inline-form table breakdown breakdown__adjustment breakdown__total amount amount--negative
messages message message--success message--error message--info message--warning notice
progress progress__bar pagination tabs timeline status status--pending_payment status--paid
status--processing status--shipped status--completed status--cancelled status--refunded
countdown chip--selected
""".split()

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.content = tag, attrs, parent, []  # str | Node

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def children(self):
        return [part for part in self.content if isinstance(part, Node)]

    @property
    def text(self):
        parts = [part if isinstance(part, str) else part.text for part in self.content]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """Return descendants by tag, one class and exact attribute values (`_` for `-`)."""
        return [
            node for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in the page"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.content.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.content.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)


def parse(html) -> Node:
    builder = _TreeBuilder()
    builder.feed(html if isinstance(html, str) else html.decode())
    return builder.root


def header_of(html) -> Node:
    return parse(html).find("header", cls="site-header")


# ---- Header ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_header_offers_search_cart_and_login_links_to_an_anonymous_shopper(client):
    response = client.get("/")

    assert response.status_code == 200
    header = header_of(response.content)
    search = header.find("form", role="search")
    assert search.attrs["action"] == "/search/"
    assert search.attrs["method"] == "get"
    assert search.find("input", name="q").attrs["type"] == "search"
    assert header.find("a", href="/").find_all("img", cls="brand__mark")
    assert header.find("a", href="/flash/").text == "Flash sales"
    cart = header.find("a", href="/cart/")
    assert cart.find("span", cls="cart-link__count").text == "0"
    assert header.find("a", href=reverse("account_login")).text == "Log in"
    assert header.find("a", href=reverse("account_signup")).text == "Sign up"
    assert not header.find_all("details", cls="account-menu")


@pytest.mark.django_db
def test_search_box_keeps_the_query_escaped(client):
    response = client.get("/", {"q": 'green "tea" <b>'})

    field = header_of(response.content).find("input", name="q")
    assert field.attrs["value"] == 'green "tea" <b>'
    assert b'value="green &quot;tea&quot; &lt;b&gt;"' in response.content


@pytest.mark.django_db
def test_header_shows_the_account_menu_with_a_logout_form_when_signed_in(client):
    user = UserFactory(email="li.lei@example.com")
    client.force_login(user)

    response = client.get("/")

    header = header_of(response.content)
    menu = header.find("details", cls="account-menu")
    assert "li.lei" in menu.find("summary").text
    hrefs = {a.attrs["href"] for a in menu.find_all("a")}
    assert {"/orders/", "/points/", "/membership/", "/account/", "/account/addresses/"} <= hrefs
    logout = menu.find("form", action=reverse("account_logout"))
    assert logout.attrs["method"] == "post"
    assert logout.find_all("input", name="csrfmiddlewaretoken")
    assert logout.find("button").text == "Log out"
    assert not header.find_all("a", href=reverse("account_login"))


def test_header_shows_cart_count_points_and_tier_it_is_given():
    user = UserFactory.build(email="ann@example.com")

    html = render_to_string("base.html", {
        "user": user, "header_cart_count": 3, "header_points": 1250, "header_tier": "Gold",
    })

    header = header_of(html)
    assert header.find("span", cls="cart-link__count").text == "3"
    assert header.find("a", href="/points/").find("span", cls="account-menu__value").text == "1,250"  # points with a thousands separator
    tiers = header.find_all("span", cls="badge--tier")
    assert tiers and {badge.text for badge in tiers} == {"Gold"}
    assert header.find("a", href="/membership/").find_all("span", cls="badge--tier")


def test_base_renders_without_request_or_user_as_an_anonymous_page():
    html = render_to_string("base.html", {})

    header = header_of(html)
    assert header.find("span", cls="cart-link__count").text == "0"
    assert header.find_all("a", href=reverse("account_login"))
    assert not header.find_all("span", cls="badge--tier")


def test_base_has_viewport_skip_link_stylesheet_script_and_footer():
    page = parse(render_to_string("base.html", {"SHOP_NAME": "Panda Mart", "SHOP_CURRENCY": "CNY"}))

    assert page.find("meta", name="viewport").attrs["content"].startswith("width=device-width")
    skip = page.find("a", cls="skip-link")
    assert page.find(id=skip.attrs["href"].lstrip("#"))
    assert page.find("link", rel="stylesheet").attrs["href"] == "/static/css/shop.css"
    assert "defer" in page.find("script", src="/static/js/shop.js").attrs
    footer = page.find("footer", cls="site-footer")
    assert footer.find_all("a", href="/pages/delivery-returns/")
    assert not footer.find_all("a", href="/api/docs/")  # the shopper's footer: staff find it in the admin
    assert "Panda Mart" in footer.text and "CNY" in footer.text
    assert page.find("title").text == "Panda Mart"


def test_messages_render_with_their_level_as_a_modifier():
    html = render_to_string("base.html", {"messages": [
        Message(messages.SUCCESS, "Added to cart."),
        Message(messages.ERROR, "Only 2 left."),
        Message(messages.DEBUG, "debug note"),
    ]})

    items = parse(html).find("ul", cls="messages").find_all("li")
    assert [(item.attrs["class"], item.text) for item in items] == [
        ("message message--success", "Added to cart."),
        ("message message--error", "Only 2 left."),
        ("message message--info", "debug note"),
    ]


# ---- Pagination partial ---------------------------------------------------------------


def _render_pagination(url, number, count=200, per_page=10):
    request = RequestFactory().get(url)
    request.user = AnonymousUser()
    request.session = SessionStore()
    page_obj = Paginator(range(count), per_page).page(number)
    return parse(render_to_string("includes/pagination.html", {"page_obj": page_obj}, request))


@pytest.mark.django_db
def test_pagination_keeps_other_query_parameters_and_marks_the_current_page():
    nav = _render_pagination("/search/?q=tea&ordering=-price&page=7", 7).find("nav", cls="pagination")

    links = {a.text: a.attrs["href"] for a in nav.find_all("a")}
    assert links["‹ Previous"] == "?q=tea&ordering=-price&page=6"
    assert links["Next ›"] == "?q=tea&ordering=-price&page=8"
    # first, last and two either side of the current page; gaps elsewhere
    assert [label for label in links if label.isdigit()] == ["1", "5", "6", "8", "9", "20"]
    assert nav.find(aria_current="page").text == "7"
    assert len(nav.find_all("span", cls="pagination__gap")) == 2


@pytest.mark.django_db
def test_pagination_disables_previous_on_the_first_page_and_hides_for_one_page():
    nav = _render_pagination("/c/tea/", 1, count=30).find("nav", cls="pagination")
    assert nav.find("span", cls="pagination__link--prev").attrs["aria-disabled"] == "true"
    assert nav.find("a", rel="next").attrs["href"] == "?page=2"

    assert not _render_pagination("/c/tea/", 1, count=5).find_all("nav")


# ---- Stylesheet and script ------------------------------------------------------------


def _stylesheet():
    path = finders.find("css/shop.css")
    assert path, "static/css/shop.css is not found by the staticfiles finders"
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def test_stylesheet_styles_every_class_of_the_vocabulary():
    css = re.sub(r"/\*.*?\*/", "", _stylesheet(), flags=re.S)  # the doc comment lists them too

    missing = [name for name in VOCABULARY if not re.search(rf"\.{re.escape(name)}(?![\w-])", css)]
    assert missing == []


def test_stylesheet_is_self_contained_no_external_fonts_or_cdn():
    css = _stylesheet()

    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@font-face" not in css


def test_stylesheet_makes_product_grid_two_columns_on_phones_and_more_on_desktop():
    css = re.sub(r"/\*.*?\*/", "", _stylesheet(), flags=re.S)

    base = re.search(r"\.product-grid\s*\{[^}]*grid-template-columns:\s*repeat\(2,", css)
    wide = re.findall(r"\.product-grid\s*\{\s*grid-template-columns:\s*repeat\(([345]),", css)
    assert base and set(wide) >= {"3", "4", "5"}


def test_script_is_found_and_handles_countdowns():
    path = finders.find("js/shop.js")

    assert path
    with open(path, encoding="utf-8") as fh:
        js = fh.read()
    assert "data-countdown" in js and "countdown:done" in js and "data-countdown-done" in js


# ---- Error and lockout pages ----------------------------------------------------------


@pytest.mark.django_db
def test_unknown_path_answers_404_in_the_shops_look(client):
    response = client.get("/no-such-page-anywhere/")

    assert response.status_code == 404
    page = parse(response.content)
    assert page.find("link", rel="stylesheet").attrs["href"] == "/static/css/shop.css"
    assert page.find("header", cls="site-header")
    assert page.find("h1").text == "We couldn't find that page"
    assert page.find("form", action="/search/").find_all("input", name="q")


def test_500_page_renders_from_an_empty_context_without_the_database():
    # No django_db mark: any query here raises, so the page provably needs no database.
    html = get_template("500.html").render({})

    page = parse(html)
    assert page.find("link", rel="stylesheet").attrs["href"] == "/static/css/shop.css"
    assert page.find("h1").text == "Something went wrong on our side"
    assert page.find("a", href="/")


def test_djangos_own_server_error_view_renders_the_shop_500_page():
    response = defaults.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_lockout_page_shows_the_detail_in_the_shops_look():
    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    request.session = SessionStore()

    page = parse(render_to_string("account/locked.html", {"detail": "Locked for 15 minutes."}, request))

    assert page.find("header", cls="site-header")
    assert page.find("h1").text == "Account locked"
    assert page.find(role="alert").text == "Locked for 15 minutes."
    assert page.find("a", href=reverse("account_reset_password"))


# ---- In a browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_countdowns_tick_and_announce_when_they_reach_zero(live_server, page):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    page.wait_for_function("window.shop && window.shop.formatRemaining")
    assert page.evaluate("shop.formatRemaining(93784)") == "1d 02:03:04"
    assert page.evaluate("shop.formatRemaining(7384)") == "02:03:04"

    page.evaluate("""() => {
      const add = (id, ms) => {
        const el = document.createElement('span');
        el.id = id; el.className = 'countdown';
        el.dataset.countdown = new Date(Date.now() + ms).toISOString();
        document.body.append(el);
        return el;
      };
      add('soon', 2500).addEventListener('countdown:done', () => { window.doneFired = true; });
      add('later', ((26 * 60 + 3) * 60 + 30) * 1000);
    }""")

    expect(page.locator("#later")).to_have_text(re.compile(r"^1d 02:03:[0-3]\d$"))
    soon = page.locator("#soon")
    expect(soon).to_have_text(re.compile(r"^00:00:0[0-3]$"))
    expect(soon).to_have_attribute("data-countdown-done", "", timeout=10_000)
    expect(soon).to_have_text("00:00:00")
    assert page.evaluate("window.doneFired") is True


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_header_fits_a_phone_and_spreads_out_on_a_desktop(live_server, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    search = page.locator(".site-header .search").bounding_box()
    assert search["width"] >= 375 - 2 * 16  # a full-width row of its own
    assert page.locator(".site-header .search__input").is_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    brand = page.locator(".site-header .brand").bounding_box()
    search = page.locator(".site-header .search").bounding_box()
    cart = page.locator(".site-header .cart-link").bounding_box()
    assert brand["x"] < search["x"] < cart["x"]
    assert abs((search["y"] + search["height"] / 2) - (cart["y"] + cart["height"] / 2)) < 12
