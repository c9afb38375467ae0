"""Languages: the zh-Hans catalogue is complete, every storefront page and API error speaks it.

The page test reads the English UI strings from the catalogue's msgids and fails when one of
them shows on a page served in Chinese (product and category names come from data and do
not count).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Category, Product
from shop.tests.storefront import demo_storefront
from shop.tests.storefront import shopper_pages as storefront_pages

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
ZH = "zh-hans"


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


# --- The catalogue --------------------------------------------------------------------------


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = catalogue()
    assert len(po) > 300
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    obsolete = [entry.msgid for entry in po.obsolete_entries()]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert obsolete == [], f"obsolete (run make messages): {obsolete}"
    assert not po.metadata_is_fuzzy
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_every_translation_keeps_the_placeholders_of_its_english_text():
    for entry in catalogue():
        translated = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        english = entry.msgid_plural or entry.msgid
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(english)), entry.msgid


def test_the_committed_mo_file_is_the_compiled_catalogue():
    po, mo = catalogue(), polib.mofile(str(MO))

    def pairs(entries):
        return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in entries if e.msgid}

    assert pairs(mo) == pairs(e for e in po if e.translated()), "run `make messages`"


MARKED_IN_TEMPLATE = re.compile(r'{%\s*translate\s+"((?:[^"\\]|\\.)*)"(?:\s+context\s+"([^"]*)")?')
MARKED_IN_PYTHON = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


def test_every_marked_string_of_the_templates_and_code_is_in_the_catalogue():
    known = {(e.msgctxt, e.msgid) for e in catalogue()} | {(None, e.msgid) for e in catalogue()}
    missing = []
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            for text, context in MARKED_IN_TEMPLATE.findall(path.read_text()):
                if (context or None, text) not in known:
                    missing.append(f"{path.relative_to(ROOT)}: {text}")
    for app in ["accounts", "catalog", "marketing", "membership", "orders", "points", "shop"]:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for text in MARKED_IN_PYTHON.findall(path.read_text()):
                if (None, text) not in known:
                    missing.append(f"{path.relative_to(ROOT)}: {text}")
    assert missing == [], "not in the catalogue (run `make messages`):\n" + "\n".join(missing)


# --- Pages ----------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Collect the text a shopper reads: text nodes outside script/style/template and the
    placeholder, aria-label and title attributes."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        for name, value in attrs:
            if name in {"placeholder", "aria-label", "title"} and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.hidden:
            self.texts.append(text)


def english_ui_patterns():
    """One regex per English msgid (plural forms too) whose Chinese text differs from it."""
    patterns = []
    for entry in catalogue():
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            words = re.sub(r"<[^>]+>", "", english)
            if not re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", words)):
                continue  # "." or "%(spend)s of %(threshold)s"-like: nothing English to see
            parts = [re.escape(" ".join(part.split())) for part in PLACEHOLDER.split(words)[::2]]
            body = r"\s*.+?\s*".join(parts).replace(r"%%", "%")
            patterns.append((english, re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")))
    return patterns


def english_on(html: str, exempt: set[str], patterns) -> list[str]:
    """The visible texts of `html` that show an English UI string."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        rest = text
        for name in sorted(exempt, key=len, reverse=True):
            rest = rest.replace(name, " ")
        for english, pattern in patterns:
            # A one-word msgid counts only as the whole text ("Cart"), never inside data.
            one_word = " " not in english.strip()
            if (pattern.fullmatch(rest.strip()) if one_word else pattern.search(rest)):
                found.append(f"{english!r} in {text!r}")
    return found


@pytest.fixture
def demo_shop(db):
    """The demo data, plus for the demo shopper a paid order, an unpaid one and a cart line."""
    return demo_storefront()


def shopper_pages(shop) -> list[str]:
    address = shop["user"].addresses.order_by("pk").first()
    return [*storefront_pages(shop).values(),
            f"/account/addresses/{address.pk}/delete/", reverse("account_email"),
            reverse("account_change_password"), "/no-such-page/"]


VISITOR_PAGES = ["account_login", "account_signup", "account_reset_password"]


def data_names() -> set[str]:
    """Names that come from data (shown as they are stored), exempt from the check."""
    names = set()
    for model in (Product, Category):
        for field in ("name_en", "name_zh_hans", "description_en", "description_zh_hans"):
            names |= set(model.objects.values_list(field, flat=True))
    from marketing.models import Discount, Promotion
    from membership.models import Tier
    for model in (Discount, Promotion, Tier):
        names |= set(model.objects.values_list("name", flat=True))
    return {" ".join(name.split()) for name in names if name} | {settings.SHOP_NAME}


def switch_to_chinese(client):
    """Press the header's language switch (as its form posts)."""
    response = client.post("/i18n/setlang/", {"language": ZH, "next": "/cart/"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ZH


def visit_all(client, shop, switch=False, **headers) -> dict[str, str]:
    pages = {}
    client.force_login(shop["user"])
    if switch:
        switch_to_chinese(client)
    for url in shopper_pages(shop):
        response = client.get(url, **headers)
        assert response.status_code in (200, 404), (url, response.status_code)
        pages[url] = response.content.decode()
    client.logout()  # the session and cookies go: a visitor presses the switch again
    if switch:
        switch_to_chinese(client)
    for name in VISITOR_PAGES:
        url = reverse(name)
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def assert_chinese(pages: dict[str, str]):
    patterns, exempt = english_ui_patterns(), data_names()
    problems = {url: found for url, html in pages.items() if (found := english_on(html, exempt, patterns))}
    assert problems == {}, "English UI strings on Chinese pages:\n" + "\n".join(
        f"{url}: {found}" for url, found in problems.items())
    for url, html in pages.items():
        assert '<html lang="zh-hans">' in html, url


def test_every_storefront_page_is_in_chinese_with_accept_language(client, demo_shop):
    pages = visit_all(client, demo_shop, HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9,en;q=0.5")
    assert "加入购物车" in pages[demo_shop["product"].get_absolute_url()]
    assert "结账" in pages["/checkout/"]
    assert_chinese(pages)


def test_the_language_switch_sets_the_cookie_and_every_page_follows_it(client, demo_shop):
    # The cookie wins over an English browser.
    pages = visit_all(client, demo_shop, switch=True, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert_chinese(pages)


def test_the_check_finds_english_on_an_english_page(client, demo_shop):
    """The page check is not blind: the same pages in English fail it."""
    pages = visit_all(client, demo_shop, HTTP_ACCEPT_LANGUAGE="en")
    patterns, exempt = english_ui_patterns(), data_names()
    assert english_on(pages["/cart/"], exempt, patterns)
    assert english_on(pages[reverse("account_login")], exempt, patterns)


def test_the_header_switch_is_a_plain_form_posting_to_set_language(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = re.search(r'<form class="lang-switch" method="post" action="/i18n/setlang/">.*?</form>', html, re.S)
    assert form, "no language switch in the header"
    assert 'name="language" value="zh-hans"' in form.group(0)
    assert "简体中文" in form.group(0)
    assert "onchange" not in form.group(0) and "<script" not in form.group(0)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert 'name="language" value="en"' in html and ">English<" in html


def test_the_default_language_stays_english(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Search products" in html and "搜索商品" not in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="en">' in html


def test_shop_language_code_sets_the_fallback_language(client, db, settings):
    settings.LANGUAGE_CODE = ZH
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_points_show_with_a_thousands_separator_and_money_with_two_places(client, demo_shop):
    from points.services import points_adjust
    user = demo_shop["user"]
    points_adjust(user=user, delta=12345, reason="Goodwill")
    client.force_login(user)
    for language in ("en", ZH):
        html = client.get("/points/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        balance = re.search(r'data-testid="points-balance">([^<]+)<', html).group(1)
        assert re.search(r"\d{1,3}(,\d{3})+", balance), balance
        assert re.search(r"¥\s?1\.00", html)


# --- The API --------------------------------------------------------------------------------


def test_an_api_error_detail_is_chinese_and_its_code_unchanged(client, db):
    from accounts.tests.factories import UserFactory
    user = UserFactory()
    client.force_login(user)
    english = client.get("/api/v1/orders/NO-SUCH-ORDER/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/orders/NO-SUCH-ORDER/", HTTP_ACCEPT_LANGUAGE=ZH)
    assert english.status_code == chinese.status_code == 404
    assert chinese.json()["code"] == "not_found"
    assert english.json()["code"] == chinese.json()["code"]
    assert english.json()["detail"] != chinese.json()["detail"]
    assert re.search(r"[\u4e00-\u9fff]", chinese.json()["detail"]), chinese.json()


def test_a_domain_error_raised_in_a_service_speaks_the_request_language(client, db):
    from accounts.tests.factories import UserFactory
    from catalog.tests.factories import SkuFactory
    user = UserFactory()
    client.force_login(user)
    sku = SkuFactory(stock=1)
    body = {"sku": sku.code, "quantity": 5}
    english = client.post("/api/v1/cart/lines/", body, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.post("/api/v1/cart/lines/", body, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE=ZH).json()
    assert english["code"] == chinese["code"] == "out_of_stock"
    assert "left" in english["detail"]
    assert "仅剩 1 件" in chinese["detail"]


# --- The setting ----------------------------------------------------------------------------


def test_shop_language_code_is_read_from_the_environment_and_checked():
    from shop.tests.subprocesses import child_env, manage, python_json

    read = "from django.conf import settings\nresult = settings.LANGUAGE_CODE\n"
    assert python_json(read, child_env(SHOP_TESTING="1")) == "en"
    assert python_json(read, child_env(SHOP_TESTING="1", SHOP_LANGUAGE_CODE="zh-hans")) == "zh-hans"
    completed = manage("check", env=child_env(SHOP_TESTING="1", SHOP_LANGUAGE_CODE="fr"))
    assert completed.returncode != 0
    assert completed.stderr.strip() == (
        "shop: refusing to start: SHOP_LANGUAGE_CODE must be one of en, zh-hans (got 'fr')")


# --- Scripts --------------------------------------------------------------------------------

JS_STRING = re.compile(r"""(["'])((?:(?!\1)[^\\\n]|\\.)*)\1""")


def english_literals(source: str, msgids: set[str]) -> list[str]:
    """The string literals of a script (comments left out) that are English UI strings of the
    catalogue."""
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    code = re.sub(r"(?m)^\s*//.*$", "", code)
    return [text for _, text in JS_STRING.findall(code) if text in msgids and re.search(r"[A-Z ]", text)]


def test_scripts_take_their_words_from_the_page_not_from_english_literals():
    msgids = {entry.msgid for entry in catalogue()}
    found = {path.name: hits for path in (ROOT / "static" / "js").glob("*.js")
             if (hits := english_literals(path.read_text(), msgids))}
    assert found == {}, "translate these in the template and pass them as data- attributes"
    # The check is not blind: the product page's old literal would be found.
    assert english_literals('button.textContent = ok ? "Add to cart" : "Out of stock";', msgids) == [
        "Add to cart", "Out of stock"]


def test_the_product_page_gives_its_script_the_button_labels_in_the_shoppers_language(client, db):
    from catalog.tests.factories import SkuFactory
    sku = SkuFactory(stock=3)
    html = client.get(sku.product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    assert 'data-label-add="加入购物车"' in html and 'data-label-out="缺货"' in html
