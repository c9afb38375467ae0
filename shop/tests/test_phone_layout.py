"""Every storefront page fits a 390 px phone and a 1280 px desktop: nothing wider than the
screen, nothing clipped by its box. A failure names the element (tag, class, text)."""

import pytest
from django.conf import settings
from django.test import Client

from shop.tests.storefront import demo_storefront, shopper_pages, visitor_pages

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Run in the page: every visible element that sticks out of the viewport (and is not inside
# a container that scrolls sideways on purpose, marked `.scroll-x`), and every element whose
# content is wider than its box while its overflow is hidden or ellipsised.
LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth, problems = [];
  const name = (el) => {
    const text = (el.innerText || el.getAttribute('aria-label') || el.value || '')
      .replace(/\\s+/g, ' ').trim().slice(0, 50);
    const cls = (el.getAttribute('class') || '').trim();
    return `<${el.tagName.toLowerCase()}${cls ? ` class="${cls}"` : ''}> "${text}"`;
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide in ${width}px`);
  }
  const outside = (el) => {
    const box = el.getBoundingClientRect();
    return box.right > width + 0.5 || box.left < -0.5;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.visually-hidden, .skip-link, script, style, template')) continue;
    if (!el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    // Empty, or the 1-pixel box of text kept for screen readers only.
    if (box.width <= 1 || box.height <= 1) continue;
    // Named once: the outermost element that sticks out, not each of its children.
    if (!el.closest('.scroll-x') && outside(el) && !outside(el.parentElement)) {
      problems.push(`sticks out of the screen (${Math.round(box.left)}..${Math.round(box.right)}): ${name(el)}`);
    }
    const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    if (hides && el.tagName !== 'IMG' && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`clipped (${el.scrollWidth}px in ${el.clientWidth}px): ${name(el)}`);
    }
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
        && !el.classList.contains('scroll-x')) {
      problems.push(`scrolls sideways with no hint: ${name(el)}`);
    }
  }
  return problems;
}"""


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS)


def _session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}


def _check_pages(context, live_server, pages: dict[str, str]) -> dict[str, list[str]]:
    page = context.new_page()
    found = {}
    for label, url in pages.items():
        response = page.goto(live_server.url + url)
        assert response.status == 200, (label, url, response.status)
        page.wait_for_load_state("load")
        if problems := layout_problems(page):
            found[label] = problems
    page.close()
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_every_storefront_page_fits_the_screen(live_server, browser, viewport, language):
    shop = demo_storefront()
    found = {}
    visitor = browser.new_context(viewport=viewport, locale=language)
    found |= _check_pages(visitor, live_server, visitor_pages())
    visitor.close()
    shopper = browser.new_context(viewport=viewport, locale=language)
    shopper.add_cookies([_session_cookie(live_server, shop["user"])])
    found |= _check_pages(shopper, live_server, shopper_pages(shop))
    shopper.close()
    assert found == {}, "\n".join(f"{label}: {problem}" for label, problems in found.items()
                                  for problem in problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_layout_check_names_what_sticks_out_and_what_is_clipped(live_server, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.evaluate("""() => {
      const wide = document.createElement('div');
      wide.className = 'too-wide'; wide.textContent = 'Wide';
      wide.style.width = '600px';
      const clip = document.createElement('p');
      clip.className = 'cut'; clip.textContent = '¥1,499.00 ¥1,299.00';
      Object.assign(clip.style, {width: '30px', overflow: 'hidden', whiteSpace: 'nowrap'});
      document.querySelector('main, #main').append(wide, clip);
    }""")
    problems = layout_problems(page)
    assert any("page is" in p for p in problems)
    assert any('sticks out' in p and 'class="too-wide"' in p and '"Wide"' in p for p in problems)
    assert any(p.startswith("clipped") and 'class="cut"' in p for p in problems)
