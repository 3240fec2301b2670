"""Live reload in a real browser: Playwright driving Debian's Chromium.

Skipped with a reason where ``/usr/bin/chromium`` or Playwright is missing; CI sets
``SITEGEN_REQUIRE_BROWSER=1`` so that a skip fails it (see ``conftest.py``). Every wait has
a deadline; nothing sleeps.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from tests.live import BROKEN_FRONT_MATTER, BROKEN_FRONT_MATTER_ERROR, Running, running
from tests.polling import wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
"""Milliseconds any one expectation may take before the test fails."""
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  var where = event.sourceFile + ":" + event.lineNumber;
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + where);
});
"""
"""Runs before any script of every document: records what the Content-Security-Policy blocks."""


@pytest.fixture
def project(whole_project: Path) -> Path:
    """The whole real project: the preview shows a build's warnings over the page, and a
    trimmed copy has some (its links to the pages it leaves out)."""
    return whole_project


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page()
    opened.set_default_timeout(TIMEOUT)
    opened.add_init_script(RECORD_VIOLATIONS)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def live(project: Path) -> Iterator[Running]:
    with running(project) as preview:
        yield preview


def open_live(page: Page, url: str) -> None:
    """Open ``url`` and wait until its live-reload script is connected; mark the document."""
    page.goto(url)
    wait_in(page, "window.sitegenLive && window.sitegenLive.connected")
    page.evaluate("window.sameDocument = true")  # gone once the page reloads


def same_document(page: Page) -> Any:
    return page.evaluate("window.sameDocument === true")


def wait_in(page: Page, expression: str) -> None:
    """Wait until ``expression`` is true in the page.

    Playwright's ``wait_for_function`` builds its predicate with ``eval``, which the pages'
    Content-Security-Policy forbids (no ``'unsafe-eval'``); ``page.evaluate`` is not bound
    by it. A page being replaced (a reload) reads as not yet.
    """
    from playwright.sync_api import Error

    def check() -> Any:
        try:
            return page.evaluate(expression)
        except Error:
            return False

    wait_for(check, expression, TIMEOUT / 1000)


def violations(page: Page) -> Any:
    """Return what the Content-Security-Policy blocked in the current document."""
    return page.evaluate("window.cspViolations")


def test_an_edit_shows_without_a_manual_reload(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (seen live) when")
    expect(page.locator("article")).to_contain_text("Use a 307 (seen live) when", timeout=TIMEOUT)
    # only the body changed: it was refreshed in place, keeping the document
    assert page.evaluate("window.sitegenLive.refreshes") == 1
    assert same_document(page)
    assert violations(page) == []  # the dev server sends the site's policy: live reload lives within it


def test_an_edit_shows_before_the_site_is_built(live: Running, page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    from sitegen.engine.build import build_site
    from sitegen.live import preview

    shown = threading.Event()

    def building(*arguments: Any, **options: Any) -> Any:
        shown.wait(2 * TIMEOUT / 1000)  # the site is built once the browser shows the edit (or much later)
        return build_site(*arguments, **options)

    open_live(page, live.preview.url + "en/307/")
    monkeypatch.setattr(preview, "build_site", building)
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (before the build) when")
    expect(page.locator("article")).to_contain_text("Use a 307 (before the build) when", timeout=TIMEOUT)
    shown.set()
    wait_for(lambda: live.said[-1].startswith("Rebuilt in "), "the rebuild's line", TIMEOUT / 1000)
    assert page.evaluate("window.sitegenLive.refreshes") == 1  # the build's page was the one shown: not sent again
    assert same_document(page)


def test_an_edit_comes_with_the_event_without_fetching_the_page(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    page.evaluate("window.scrollTo(0, 400)")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    live.edit("content/en/307.md", "Use a 307 when", "Use a 307 (pushed) when")
    expect(page.locator("article")).to_contain_text("Use a 307 (pushed) when", timeout=TIMEOUT)
    assert [url for url in requested if url.endswith("/en/307/")] == []  # the server sent it with the reload event
    assert page.evaluate("window.scrollY") == 400
    assert same_document(page)
    assert violations(page) == []


def test_an_edit_that_changes_the_head_reloads_the_page(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    live.edit("content/en/307.md", "name: Temporary Redirect", "name: Temporarily Elsewhere")
    expect(page).to_have_title("307 Temporarily Elsewhere – HTTP status codes", timeout=TIMEOUT)
    expect(page.locator("h1")).to_contain_text("Temporarily Elsewhere")
    assert not same_document(page)


def test_an_edit_of_another_page_leaves_this_one_alone(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    generation = page.evaluate("window.sitegenLive.generation")
    live.edit("content/fr/307.md", "\n## ", "\nUne phrase de plus.\n\n## ")
    wait_in(page, f"window.sitegenLive.generation > {generation}")  # the reload event came
    expect(page.locator("article")).not_to_contain_text("Une phrase de plus.")
    assert page.evaluate("window.sitegenLive.refreshes") == 0
    assert same_document(page)


def test_a_stylesheet_change_is_swapped_in_without_a_reload(live: Running, page: Page) -> None:
    open_live(page, live.preview.url + "en/307/")
    href = page.get_attribute('link[rel="stylesheet"]', "href")
    with (live.root / "static/style.css").open("a", encoding="utf-8") as stylesheet:
        stylesheet.write("\nbody { background-color: rgb(1, 2, 3) !important; }\n")
    wait_in(page, "getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
    wait_in(page, "document.querySelectorAll('link[rel=stylesheet][href*=\"style.css\"]').length === 1")  # the old one removed
    assert same_document(page)
    assert page.get_attribute('link[rel="stylesheet"]', "href") != href


def test_a_template_error_shows_an_overlay_until_it_is_fixed(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    live.edit("templates/code.html", '{% include "_translation_notice.html" %}', '{% include "_translation_notice.html" %}{{ broken }')
    overlay = page.locator("#sitegen-overlay")
    line = live.line("templates/code.html", "{{ broken }")
    expect(overlay).to_contain_text(f"templates/code.html:{line}: template syntax error: unexpected '}}'", timeout=TIMEOUT)
    expect(page.locator("h1")).to_contain_text("Temporary Redirect")  # the last good page, underneath
    assert same_document(page)
    assert violations(page) == []  # the overlay is styled through the CSSOM, which the policy allows
    live.edit("templates/code.html", "{{ broken }", "")
    expect(overlay).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator("h1")).to_contain_text("Temporary Redirect")
    live.edit("templates/code.html", "<h1 ", '<h1 data-fixed="yes" ')
    expect(page.locator('h1[data-fixed="yes"]')).to_have_count(1, timeout=TIMEOUT)


def test_a_content_error_shows_its_line_in_the_overlay(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/308/")
    live.edit("content/en/307.md", *BROKEN_FRONT_MATTER)
    expect(page.locator("#sitegen-overlay")).to_contain_text(f"content/en/307.md:{BROKEN_FRONT_MATTER_ERROR}", timeout=TIMEOUT)
    live.edit("content/en/307.md", BROKEN_FRONT_MATTER[1], BROKEN_FRONT_MATTER[0])
    expect(page.locator("#sitegen-overlay")).to_have_count(0, timeout=TIMEOUT)


def test_a_bad_macro_shows_its_warning_over_the_updated_page(live: Running, page: Page) -> None:
    from playwright.sync_api import expect

    open_live(page, live.preview.url + "en/307/")
    live.edit("content/en/307.md", "Use a 307 when", 'Use a 307 {{Nope("x")}} when')
    overlay = page.locator("#sitegen-overlay")
    line = live.line("content/en/307.md", "Use a 307 {{Nope")
    warning = f"content/en/307.md:{line}: warning: unknown macro {{{{Nope(\"x\")}}}} (its text 'x' is kept as plain text)"
    expect(overlay).to_contain_text(warning, timeout=TIMEOUT)
    expect(page.locator("article")).not_to_contain_text("{{Nope")
    # warnings do not cover the page: a badge with their count, the list behind it
    badge = page.get_by_role("button", name="1 warning")
    expect(badge).to_be_visible()
    expect(page.get_by_text(warning)).to_be_hidden()
    box = overlay.bounding_box()
    assert box is not None and box["width"] < 400 and box["height"] < 100, box
    badge.click()
    expect(page.get_by_text(warning)).to_be_visible()
    page.get_by_role("button", name="Hide").click()
    expect(overlay).to_have_count(0)
    # hidden from page to page in this tab while the warning stays
    open_live(page, live.preview.url + "en/308/")
    wait_in(page, "window.sitegenLive && window.sitegenLive.problems !== null")
    expect(overlay).to_have_count(0)
    open_live(page, live.preview.url + "en/307/")
    live.edit("content/en/307.md", '{{Nope("x")}}', "(fixed)")
    expect(page.locator("article")).to_contain_text("Use a 307 (fixed) when", timeout=TIMEOUT)
    expect(overlay).to_have_count(0)


def test_the_page_reconnects_and_reloads_after_the_server_restarts(project: Path, page: Page) -> None:
    from playwright.sync_api import expect

    with running(project) as first:
        url = first.preview.url
        open_live(page, url + "en/307/")
    first.edit("content/en/307.md", "Use a 307 when", "Use a 307 (after a restart) when")
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with running(project, port=port):
        expect(page.locator("article")).to_contain_text("Use a 307 (after a restart) when", timeout=TIMEOUT)
        wait_in(page, "window.sitegenLive && window.sitegenLive.connected")


class _HeadersHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site with the headers of its ``_headers`` file, as Netlify would."""

    headers_to_send: ClassVar[dict[str, str]] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def built(project: Path, tmp_path: Path) -> Iterator[str]:
    """Return the URL of the real site, built and served with its ``_headers``."""
    from sitegen.cli import main

    out = tmp_path / "out"
    assert main(["build", "--root", str(project), "--out", str(out)]) == 0
    lines = (out / "_headers").read_text("utf-8").splitlines()
    headers = dict(line.strip().split(": ", 1) for line in lines if line.startswith("  "))
    handler = type("Handler", (_HeadersHandler,), {"headers_to_send": headers})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_built_pages_load_under_their_policy_with_nothing_blocked(built: str, browser: Browser) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.add_init_script(RECORD_VIOLATIONS)
    try:
        response = page.goto(built)
        assert response is not None and "frame-ancestors 'none'" in (response.headers.get("content-security-policy") or "")
        # the chooser's script is a file now, and it ran: the reader's language comes first
        page.wait_for_selector("#choices li.suggested")
        assert page.evaluate("document.querySelector('#choices li').dataset.lang") == "fr"
        assert violations(page) == []
        for path in ("en/", "fr/4xx/", "en/307/", "pt-br/308/", "en/compare/redirects/", "fr/compare/", "404.html"):
            page.goto(built + path)
            page.wait_for_load_state("load")
            assert violations(page) == [], path
            # the stylesheet applied: the policy lets the site's own styles through
            assert page.evaluate("getComputedStyle(document.body).marginTop") != "8px", path
    finally:
        context.close()
