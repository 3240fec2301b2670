"""The reader features in Chromium, on the built real site served as a static host would.

Skipped with a reason where ``/usr/bin/chromium`` or Playwright is missing (CI makes a skip
a failure). Every wait has a deadline; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.static_host import serving
from tests.test_browser import TIMEOUT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(real_site: Path) -> Iterator[str]:
    with serving(real_site) as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1280, "height": 800})
    opened.set_default_timeout(TIMEOUT)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def results(page: Page) -> list[str]:
    """Return the titles of the search results shown."""
    page.wait_for_selector("#search-results:not([hidden]) a")
    return [text.strip() for text in page.locator("#search-results .result-title").all_inner_texts()]


def search(page: Page, query: str) -> None:
    from playwright.sync_api import expect

    page.fill("#search-input", query)
    expect(page.locator("#search-status")).not_to_have_text("")


def test_typing_the_start_of_a_code_offers_the_codes_that_begin_with_it(page: Page, site_url: str) -> None:
    page.goto(site_url + "en/307/")
    search(page, "41")
    shown = results(page)
    assert [title.split()[0] for title in shown][:9] == [str(code) for code in range(410, 419)]
    assert shown[0] == "410 Gone"
    assert all(title[:2] == "41" for title in shown)


def test_a_whole_code_and_enter_go_to_its_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "fr/")
    page.fill("#search-input", "418")
    page.press("#search-input", "Enter")
    page.wait_for_url(site_url + "fr/418/")


@pytest.mark.parametrize(
    ("language", "query", "first"),
    [
        ("en", "temporary redirect", "307"),
        ("en", "too many requests", "429"),
        ("fr", "redirection temporaire", "307"),
        ("fr", "trop de requêtes", "429"),
        ("pt-br", "redirecionamento temporário", "307"),
        ("pt-br", "não encontrado", "404"),
        ("en", "not found", "404"),
        ("fr", "introuvable", "404"),
        # the standard code before the unofficial one of the same name (561, sent by AWS)
        ("en", "unauthorized", "401"),
        ("fr", "non autorisé", "401"),
    ],
)
def test_words_are_found_in_the_readers_language(page: Page, site_url: str, language: str, query: str, first: str) -> None:
    page.goto(site_url + f"{language}/500/")
    search(page, query)
    shown = results(page)
    assert shown[0].split()[0] == first, shown
    link = page.locator("#search-results a").first
    assert link.get_attribute("href") == f"/{language}/{first}/"


def test_body_text_is_found_and_stemmed(page: Page, site_url: str) -> None:
    # "redirections" (plural) finds pages that say "redirection" in their body
    page.goto(site_url + "fr/")
    search(page, "redirections")
    assert len(results(page)) >= 3
    assert page.locator("#search-results mark").count() >= 1


@pytest.mark.parametrize(("language", "query"), [("fr", "introuvable"), ("en", "location header")])
def test_the_excerpts_hold_the_pages_words_and_not_the_headings_links(page: Page, site_url: str, language: str, query: str) -> None:
    # the "#" link after each heading was indexed: "Comportement des clients # Le client ne"
    page.goto(site_url + f"{language}/")
    search(page, query)
    results(page)
    excerpts = page.locator("#search-results .result-excerpt").all_inner_texts()
    assert len(excerpts) >= 3
    assert [text for text in excerpts if "#" in text] == []


def test_the_keyboard_moves_through_the_results(page: Page, site_url: str) -> None:
    page.goto(site_url + "en/")
    search(page, "41")
    results(page)
    page.press("#search-input", "ArrowDown")
    assert page.evaluate("document.activeElement.textContent").startswith("410")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent").startswith("411")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert page.locator("#search-results").is_hidden()


def test_without_javascript_the_box_is_a_link_to_the_index(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "pt-br/307/")
        link = page.locator("[data-search] a")
        assert link.get_attribute("href") == "/pt-br/"
        assert link.inner_text() == "Encontrar um código de status"
        assert page.locator("#search-input").count() == 0
    finally:
        context.close()


# -- navigation ---------------------------------------------------------------------------


def test_the_filter_narrows_the_grid_and_the_lists_as_one_types(page: Page, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "fr/")
    grid = page.locator(".code-grid li:not([hidden])")
    total = grid.count()
    assert total > 60
    page.fill("#filter-input", "41")
    expect(grid).to_have_count(len([code for code in page.locator(".code-grid li .code").all_inner_texts() if code.startswith("41")]))
    assert all(text.startswith("41") for text in grid.locator(".code").all_inner_texts())
    listed = page.locator(".code-list li:not([hidden]) .code").all_inner_texts()
    assert listed and all(text.startswith("41") for text in listed)
    expect(page.locator("#filter-status")).to_contain_text("codes affichés")
    page.fill("#filter-input", "théière")
    expect(grid).to_have_count(1)
    assert grid.first.inner_text().startswith("418")
    assert page.locator("section:has(.code-list):not([hidden])").count() == 1  # the other classes are hidden
    page.fill("#filter-input", "")
    expect(grid).to_have_count(total)


def test_without_javascript_the_index_hides_nothing(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "en/")
        assert page.locator("#filter-input").count() == 0
        assert page.locator(".code-grid li").count() == page.locator(".code-grid li:visible").count() > 60
    finally:
        context.close()


@pytest.mark.parametrize(("languages", "suggested"), [(["fr-CA", "en"], "fr"), (["pt-BR"], "pt-BR"), (["de-DE", "pt"], "pt-BR")])
def test_the_root_suggests_the_readers_language_without_redirecting(
    browser: Browser, site_url: str, languages: list[str], suggested: str
) -> None:
    context = browser.new_context(locale=languages[0], extra_http_headers={"Accept-Language": ",".join(languages)})
    context.add_init_script(f"Object.defineProperty(navigator, 'languages', {{get: () => {languages!r}}})")
    try:
        page = context.new_page()
        page.goto(site_url)
        notice = page.locator("[data-suggestion]")
        notice.wait_for(state="visible")
        assert page.url == site_url  # never a redirect
        link = notice.locator("a")
        assert link.get_attribute("hreflang") == suggested
        assert notice.locator("p").get_attribute("lang") == suggested
        assert page.locator(".choices li").first.get_attribute("data-lang") == suggested
    finally:
        context.close()


def test_the_language_chosen_is_remembered_and_no_thanks_too(browser: Browser, site_url: str) -> None:
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'languages', {get: () => ['fr-FR', 'fr']})")
    try:
        page = context.new_page()
        page.goto(site_url)
        notice = page.locator("[data-suggestion]")
        notice.wait_for(state="visible")
        notice.get_by_role("button").click()  # "Non merci": stay in English
        assert notice.is_hidden()
        page.goto(site_url)
        page.locator("#sitegen-ui").wait_for(state="attached")
        page.wait_for_load_state("load")
        assert page.locator("[data-suggestion]").is_hidden()
        # choosing Português in the switcher of any page is remembered for the root
        page.goto(site_url + "en/307/")
        page.locator('.switcher a[hreflang="pt-BR"]').click()
        page.wait_for_url(site_url + "pt-br/307/")
        page.goto(site_url)
        notice.wait_for(state="visible")
        assert notice.locator("a").get_attribute("hreflang") == "pt-BR"
    finally:
        context.close()


def test_the_theme_toggle_switches_and_is_remembered(page: Page, site_url: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(site_url + "en/307/")
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.select_option("#theme-choice", "dark")
    assert page.evaluate(background) == "rgb(21, 22, 26)"
    page.goto(site_url + "fr/404/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(background) == "rgb(21, 22, 26)"
    assert page.input_value("#theme-choice") == "dark"
    page.select_option("#theme-choice", "")  # the system's: light here
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == "rgb(21, 22, 26)"


def test_the_sidebar_lists_the_class_with_the_current_code_marked(page: Page, site_url: str) -> None:
    page.goto(site_url + "pt-br/404/")
    current = page.locator(".sidebar [aria-current=page]")
    current.wait_for()
    assert current.inner_text() == "404 Não encontrado"
    codes = [text.split()[0] for text in page.locator(".sidebar li").all_inner_texts()]
    assert codes[0] == "400" and all(code.startswith("4") for code in codes)
    assert page.locator(".sidebar").is_visible()


def test_a_missing_page_links_to_the_code_its_path_ends_in(page: Page, site_url: str) -> None:
    response = page.goto(site_url + "fr/docs/Web/HTTP/Status/451")
    assert response is not None and response.status == 404
    link = page.locator("[data-missing-code] a")
    link.wait_for()
    assert link.get_attribute("href") == "/fr/451/"
    assert link.inner_text().startswith("451 ")
    assert page.locator("html").get_attribute("lang") == "fr"
    search(page, "41")  # the search box works on the 404 page too
    assert results(page)[0].startswith("410")


@pytest.mark.parametrize("path", ["", "en/", "fr/400/", "pt-br/3xx/", "pt-br/508/", "en/418/", "fr/nowhere/"])
def test_nothing_scrolls_sideways_at_390_pixels(browser: Browser, site_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator(".sidebar").is_hidden()  # wide screens only
    finally:
        context.close()


# -- on the page --------------------------------------------------------------------------


def test_every_heading_has_a_copy_link_button_that_works_from_the_keyboard(context: BrowserContext, site_url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + "fr/307/")
    page.locator("#page-facts button.header-anchor").wait_for()  # made once codes.json brings their words
    for heading in ("page-takeaways", "page-facts", "page-see-also"):
        assert page.locator(f"#{heading} button.header-anchor").count() == 1, heading
    # the body's "#" links became buttons too
    assert page.locator("article h2 a.header-anchor").count() == 0
    button = page.locator("#page-facts button.header-anchor")
    assert button.get_attribute("aria-label") == "Copier un lien vers cette section"
    button.focus()
    page.keyboard.press("Enter")
    # (a locator, not wait_for_function: its predicate is built with eval, which the page's
    # Content-Security-Policy forbids, once its first check finds the class not there yet)
    page.locator("#page-facts .header-anchor.done").wait_for(state="attached")
    assert page.evaluate("navigator.clipboard.readText()") == site_url + "fr/307/#page-facts"
    assert page.url.endswith("#page-facts")
    page.get_by_role("status").filter(has_text="Lien copié").wait_for(state="attached")


def test_code_blocks_have_a_copy_button(context: BrowserContext, site_url: str) -> None:
    from playwright.sync_api import expect

    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + "en/307/")
    block = page.locator(".code-block").first
    button = block.get_by_role("button", name="Copy")
    button.press("Enter")
    assert not errors
    expect(block.locator("button")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == block.locator("pre").inner_text().strip()
    assert copied.startswith(("HTTP/", "GET ", "POST ", "PUT ")), copied


def test_the_404_page_opened_itself_offers_no_code(page: Page, site_url: str) -> None:
    page.goto(site_url + "fr/404.html")
    page.wait_for_load_state("load")
    page.locator("#search-input").wait_for()  # the script has run
    assert page.locator("[data-missing-code]").is_hidden()


# -- on a phone ---------------------------------------------------------------------------


@contextmanager
def screen(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A page in a window of its own, of that size."""
    opened = browser.new_context(viewport={"width": width, "height": height})
    opened.set_default_timeout(TIMEOUT)
    try:
        yield opened.new_page()
    finally:
        opened.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with screen(browser, 360, 740) as page:
        yield page


@pytest.mark.parametrize("path", ["en/499/", "fr/307/", "pt-br/101/"])
def test_on_a_phone_what_the_code_means_is_on_the_first_screen(phone: Page, site_url: str, path: str) -> None:
    # the header, the languages and the classes took 320 px of 740: the overview of an
    # unofficial code, under its notice, began on the second screen
    phone.goto(site_url + path)
    phone.locator("#search-input").wait_for()  # the script has put the search box and the theme in place
    overview = phone.locator(".overview").bounding_box()
    assert overview is not None and overview["y"] + overview["height"] <= 740, overview


def test_on_a_phone_the_menus_are_big_enough_to_tap(phone: Page, site_url: str) -> None:
    phone.goto(site_url + "fr/307/")
    phone.locator("#theme-choice").wait_for()
    phone.locator(".code-block button.copy").first.wait_for()
    targets = ".switcher a, .classes a, .breadcrumbs a, .pager a, #theme-choice, button.copy, button.header-anchor"
    sizes = phone.locator(targets).evaluate_all("all => all.map(e => [e.textContent.trim(), e.offsetWidth, e.offsetHeight])")
    assert len(sizes) > 20
    assert [size for size in sizes if size[1] < 24 or size[2] < 24] == []
    # the classes show their numbers only, and are still named in full
    assert phone.locator(".classes").get_by_role("link", name="4xx Erreur du client").is_visible()
    assert phone.locator(".classes ul").evaluate("list => list.offsetHeight") < 40  # one line


def test_on_a_phone_a_constant_is_shown_whole(phone: Page, site_url: str) -> None:
    phone.goto(site_url + "fr/307/")
    table = phone.locator("table.constants")
    assert table.evaluate("table => table.scrollWidth <= table.clientWidth")  # nothing hidden to scroll to
    assert "http.HTTPStatus.TEMPORARY_REDIRECT" in table.inner_text()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_grid_of_codes_shows_every_name_whole(browser: Browser, site_url: str, width: int) -> None:
    with screen(browser, width, 800) as page:
        page.goto(site_url + "pt-br/")
        links = page.locator(".code-grid a")
        assert links.count() > 60
        # an ellipsis cut 71 of the 90 names at 1280 px ("104 Retomada de…")
        assert links.evaluate_all("all => all.filter(a => a.scrollWidth > a.clientWidth).map(a => a.textContent)") == []
