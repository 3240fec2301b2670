"""Constants, comparison tables, exchange diagrams and the guide in Chromium at 390 px:
nothing makes the page scroll sideways, wide drawings scroll inside their own box, and the
copy buttons work (Playwright on Debian's Chromium, as tests/test_browser.py)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.conftest import SITES
from tests.golden import build_fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the built 'knowledge' fixture site, static files included, on a free port."""
    root = tmp_path_factory.mktemp("knowledge-site")
    files, _report = build_fixture(SITES / "knowledge", with_static=True)
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the stdlib's name
        pass


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    try:
        yield opened
    finally:
        context.close()


def page_scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.mark.parametrize(
    "path",
    [
        "/fr/307/",
        "/en/103/",
        "/en/407/",
        "/pt-br/301/",
        "/fr/compare/redirects/",
        "/pt-br/compare/access/",
        "/pt-br/compare/",
        "/fr/guide/",
        "/en/",
    ],
)
def test_nothing_makes_the_page_scroll_sideways_at_390_px(phone: Page, site_url: str, path: str) -> None:
    phone.goto(site_url + path)
    phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # the whole guide, opened
    assert not page_scrolls_sideways(phone), f"{path} scrolls sideways at 390 px"


def test_a_diagram_wider_than_the_screen_scrolls_in_its_own_focusable_box(phone: Page, site_url: str) -> None:
    phone.goto(site_url + "/en/407/")
    box = phone.locator("div.exchange > div[tabindex='0']")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert box.locator("svg").evaluate("svg => svg.getBoundingClientRect().width") == 640
    # its text is text: a reader can select the status line
    selected = phone.evaluate(
        """() => { const text = [...document.querySelectorAll('.exchange text.s')][0];
        const range = document.createRange(); range.selectNodeContents(text);
        const selection = getSelection(); selection.removeAllRanges(); selection.addRange(range);
        return selection.toString(); }"""
    )
    assert selected == "HTTP/1.1 407 Proxy Authentication Required"


def test_the_dark_theme_reaches_the_diagram(phone: Page, site_url: str) -> None:
    phone.goto(site_url + "/en/401/")
    fill = phone.locator(".exchange text").first.evaluate("text => getComputedStyle(text).fill")
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert fill == "rgb(232, 232, 236)" and background == "rgb(21, 22, 26)"


def test_a_copy_button_copies_the_constant(phone: Page, site_url: str) -> None:
    from playwright.sync_api import expect

    phone.goto(site_url + "/fr/307/")
    button = phone.get_by_role("button", name="Copier http.HTTPStatus.TEMPORARY_REDIRECT")
    button.click()
    expect(button).to_have_text("\u2713")
    assert phone.evaluate("navigator.clipboard.readText()") == "http.HTTPStatus.TEMPORARY_REDIRECT"


def test_without_javascript_the_constants_are_plain_text(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/fr/307/")
        assert page.locator("table.constants button").count() == 0
        assert page.locator("table.constants code").first.inner_text() == "http.HTTPStatus.TEMPORARY_REDIRECT"
    finally:
        context.close()


def test_the_guide_opens_without_javascript(browser: Browser, site_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/en/guide/")
        page.get_by_text("It moved", exact=True).click()
        page.get_by_text("Yes", exact=True).click()
        link = page.get_by_role("link", name="308 Permanent Redirect").first
        expect(link).to_be_visible()
        assert not page_scrolls_sideways(page)
    finally:
        context.close()


def test_on_a_wide_screen_the_page_keeps_its_reading_width(browser: Browser, site_url: str) -> None:
    # the stylesheet's layout rules survive the rules added for tables, diagrams and copy buttons
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(site_url + "/fr/307/")
        # the text column: "On this page" sits beside it on wide screens
        width = page.evaluate("document.querySelector('main article').getBoundingClientRect().width")
        size = page.evaluate("getComputedStyle(document.querySelector('main')).fontSize")
        assert width <= 48 * 16 and size == "16px"
    finally:
        context.close()
