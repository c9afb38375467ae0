"""The pages a shop has (delivery and returns, contact, privacy, terms): both languages, footer."""

import pytest

from accounts.tests.factories import StaffFactory
from shop.models import Page

pytestmark = pytest.mark.django_db

SLUGS = {"delivery-returns": ("Delivery & returns", "配送与退货"),
         "contact": ("Contact us", "联系我们"), "privacy": ("Privacy", "隐私政策"),
         "terms": ("Terms", "服务条款")}


@pytest.mark.parametrize(("slug", "titles"), SLUGS.items())
def test_each_page_exists_in_english_and_chinese(client, slug, titles):
    english, chinese = titles
    page = Page.objects.get(slug=slug)
    assert len(page.body_en) > 200 and len(page.body_zh_hans) > 100

    shown_en = client.get(f"/pages/{slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown_zh = client.get(f"/pages/{slug}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert f"<h1 class=\"page-title\">{english.replace('&', '&amp;')}</h1>" in shown_en
    assert f'<h1 class="page-title">{chinese}</h1>' in shown_zh
    assert page.body_zh_hans.split("\n")[0][:20] in shown_zh
    assert page.body_en.split("\n")[0][:20] not in shown_zh


def test_the_footer_links_the_pages_and_no_longer_the_api_docs(client):
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">'):]
    for slug in SLUGS:
        assert f'href="/pages/{slug}/"' in footer
        assert client.get(f"/pages/{slug}/").status_code == 200
    assert "/api/docs/" not in html
    assert "配送与退货" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_api_docs_stay_reachable_and_the_admin_links_them(client):
    assert client.get("/api/docs/").status_code == 200
    client.force_login(StaffFactory())
    assert 'href="/api/docs/"' in client.get("/admin/").content.decode()


def test_an_unknown_page_is_404(client):
    assert client.get("/pages/nope/").status_code == 404


def test_staff_edit_both_languages_and_the_body_is_text_not_html(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    page = Page.objects.get(slug="contact")
    form = client.get(f"/admin/shop/page/{page.pk}/change/").content.decode()
    for field in ("title_en", "title_zh_hans", "body_en", "body_zh_hans"):
        assert f'name="{field}"' in form, field

    Page.objects.filter(pk=page.pk).update(body_en="Call us.\n\n<script>alert(1)</script>")

    shown = client.get("/pages/contact/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<p>Call us.</p>" in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
