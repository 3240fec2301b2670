"""Facts a reader checks on the built pages, asserted on parsed HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from tests.conftest import SITES, ScratchSite, page
from tests.golden import build_fixture


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    return build_fixture(SITES / "multilingual")[0]


def soup(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path].decode("utf-8"), "html.parser")


def one(tree: BeautifulSoup | Tag, selector: str) -> Tag:
    """Return the single element matching ``selector``; fail if there is none."""
    found = tree.select_one(selector)
    assert found is not None, f"no {selector}"
    return found


def test_switcher_links_to_the_same_code_in_every_language(site: dict[str, bytes]) -> None:
    links = [
        {"href": a["href"], "hreflang": a["hreflang"], "current": a.get("aria-current")}
        for a in soup(site, "fr/307/index.html").select("nav.switcher a")
    ]
    assert links == [
        {"href": "/en/307/", "hreflang": "en", "current": None},
        {"href": "/fr/307/", "hreflang": "fr", "current": "page"},
        {"href": "/pt-br/307/", "hreflang": "pt-BR", "current": None},
    ]


def test_translated_page_has_alternates_and_its_own_canonical(site: dict[str, bytes]) -> None:
    page_soup = soup(site, "pt-br/307/index.html")
    assert page_soup.html is not None
    assert (page_soup.html["lang"], page_soup.html["dir"]) == ("pt-BR", "ltr")
    alternates = {link["hreflang"]: link["href"] for link in page_soup.select("link[rel=alternate][hreflang]")}
    assert alternates == {
        "en": "https://example.test/en/307/",
        "fr": "https://example.test/fr/307/",
        "pt-BR": "https://example.test/pt-br/307/",
        "x-default": "https://example.test/en/307/",
    }
    assert one(page_soup, "link[rel=canonical]")["href"] == "https://example.test/pt-br/307/"


def test_missing_translation_is_english_under_french_navigation(site: dict[str, bytes]) -> None:
    page_soup = soup(site, "fr/308/index.html")
    assert page_soup.html is not None and page_soup.html["lang"] == "fr"
    notice = page_soup.select_one("aside.notice")
    assert notice is not None
    assert "pas encore été traduite en français" in notice.get_text()
    # the notice speaks to readers: how to translate belongs in 'sitegen translations'
    assert "content/fr/308.md" not in notice.get_text() and "sitegen" not in notice.get_text()
    article = page_soup.select_one("article")
    assert article is not None and article["lang"] == "en"
    assert "Permanent Redirect" in article.get_text()
    assert one(page_soup, "link[rel=canonical]")["href"] == "https://example.test/en/308/"
    assert page_soup.select("link[rel=alternate]") == []
    assert one(page_soup, "a.site-title")["href"] == "/fr/"
    # the link inside the English text leads to the French page of 307
    assert [a["href"] for a in article.select("a") if not a.find_parent("nav")] == ["/fr/307/"]  # "On this page" aside


def test_see_also_uses_names_in_the_readers_language(site: dict[str, bytes]) -> None:
    items = [
        (a["href"], a.get_text(" ", strip=True), a.select_one("span[lang]") is not None)
        for a in soup(site, "fr/307/index.html").select("#page-see-also ~ ul a")
    ]
    # 302 has no page: it is listed as text (see the next test), never linked dead
    assert items == [("/fr/308/", "308 Permanent Redirect", True)]
    plain = [li.get_text(" ", strip=True) for li in soup(site, "fr/307/index.html").select("#page-see-also ~ ul li") if li.a is None]
    assert plain == ["302 Found"]


def test_backlinks_list_pages_that_link_here(site: dict[str, bytes]) -> None:
    hrefs = [a["href"] for a in soup(site, "en/307/index.html").select("#page-backlinks ~ ul a")]
    assert hrefs == ["/en/308/"]


def test_spec_is_shown_as_rfc_section_and_linked(site: dict[str, bytes]) -> None:
    for path in ("en/307/index.html", "en/308/index.html"):
        spec = soup(site, path).select_one("a.spec")
        assert spec is not None
        code = path.split("/")[1]
        section = {"307": "15.4.8", "308": "15.4.9"}[code]
        assert spec.get_text() == f"RFC 9110 §{section}"
        assert spec["href"] == f"https://www.rfc-editor.org/rfc/rfc9110.html#section-{section}"


def test_sitemap_lists_canonical_pages_with_alternates(site: dict[str, bytes]) -> None:
    sitemap = site["sitemap.xml"].decode()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://example.test/fr/307/" in locs
    assert "https://example.test/fr/308/" not in locs  # a fallback copy is not canonical
    assert 'hreflang="pt-BR" href="https://example.test/pt-br/307/"' in sitemap


def test_class_and_language_indexes(site: dict[str, bytes]) -> None:
    index = soup(site, "fr/index.html")
    assert [h2.get_text(strip=True) for h2 in index.select("main h2")] == ["3xx Redirection"]
    names = [one(li, "a").get_text(" ", strip=True) for li in soup(site, "fr/3xx/index.html").select("main ul.code-list > li")]
    assert names == ["307 Redirection temporaire", "308 Permanent Redirect"]


@pytest.mark.parametrize("fixture", ["multilingual", "formats", "seeds"])
def test_no_raw_macro_or_tag_and_no_dead_internal_link(fixture: str) -> None:
    files = build_fixture(SITES / fixture, with_static=True)[0]
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        text = data.decode("utf-8")
        assert "{{" not in text and "{%" not in text, path
        for href in re.findall(r'(?:href|src)="([^"]+)"', text):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path:
                continue
            key = target.path.lstrip("/")
            key = key + "index.html" if key.endswith("/") or key == "" else key
            assert key in files, f"{path} links to {href}"


def test_front_matter_cannot_inject_markup(scratch_site: ScratchSite, tmp_path: Path) -> None:
    from sitegen.config import load_config
    from sitegen.engine.build import build_site

    probe = '"<script>alert(1)</script>"'
    root = scratch_site({"content/en/307.md": page(307, probe, overview=probe, title=probe, takeaways=f"[{probe}]")})
    config, _ = load_config(root)
    assert config is not None
    result = build_site(config)
    assert result.errors == []
    pages = [path for path in result.files if path.endswith((".html", ".xml"))]
    assert pages
    for path in pages:
        assert b"<script>alert(1)" not in result.files[path], path


def test_static_files_are_copied_as_they_are_stylesheets_minified(scratch_site: ScratchSite) -> None:
    from sitegen.config import load_config
    from sitegen.engine.build import build_site
    from sitegen.output.minify import minify_css
    from tests.conftest import REPO

    config, _ = load_config(scratch_site({"content/en/307.md": page(307, "T")}))
    assert config is not None
    files = build_site(config).files
    static = {path.relative_to(REPO).as_posix(): path.read_bytes() for path in (REPO / "static").rglob("*") if path.is_file()}
    for path, data in static.items():
        expected = minify_css(data.decode()).encode() if path.endswith(".css") else data
        assert files[path] == expected, path
    assert len(files["static/style.css"]) < 0.9 * len(static["static/style.css"])


@pytest.mark.parametrize(
    ("source", "minified"),
    [
        ("a:hover > b , c { color : red ; }", "a:hover>b,c{color :red}\n"),
        ('/* note */ p::after { content: "  a ; b  { } " }', 'p::after{content:"  a ; b  { } "}\n'),
        ("@media (min-width: 64rem) {\n  .a { margin: 0 auto; }\n}\n", "@media (min-width:64rem){.a{margin:0 auto}}\n"),
        (".x > :not(.y) { background: url( a b.png ) }", ".x>:not(.y){background:url( a b.png )}\n"),
    ],
)
def test_stylesheets_lose_only_what_has_no_meaning(source: str, minified: str) -> None:
    from sitegen.output.minify import minify_css

    assert minify_css(source) == minified


def test_see_also_to_an_unknown_code_is_plain_text_with_its_warning(scratch_site: ScratchSite) -> None:
    from sitegen.config import load_config
    from sitegen.engine.build import build_site

    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect", seeAlso="[309, 308]"), "content/en/308.md": page(308, "P")})
    config, _ = load_config(root)
    assert config is not None
    result = build_site(config)
    assert [problem.format() for problem in result.problems] == [
        "content/en/307.md:5: warning: seeAlso: unknown status code 309 (did you mean 308? it is shown as plain text)"
    ]
    items = soup(result.files, "en/307/index.html").select("#page-see-also ~ ul li")
    assert [(item.get_text(" ", strip=True), item.find("a") is not None, len(item.select("span"))) for item in items] == [
        ("309", False, 1),
        ("308 P Overview of 308.", True, 1),  # the name is a bare text beside the number's span
    ]


def test_a_code_written_first_in_a_translation_says_so_in_every_language(scratch_site: ScratchSite) -> None:
    from sitegen.config import load_config
    from sitegen.engine.build import build_site

    # 426 is written in French only (its English page is still a draft, left out): English
    # readers see the French text as a translation standing in, not as "the original"
    root = scratch_site(
        {
            "content/en/307.md": page(307, "Temporary Redirect"),
            "content/en/426.md": page(426, "Upgrade Required", draft="true"),
            "content/fr/426.md": page(426, "Changement de protocole requis"),
        }
    )
    config, _ = load_config(root)
    assert config is not None
    files = build_site(config).files
    notices = {
        path: " ".join(one(soup(files, path), "aside.notice").get_text(" ", strip=True).split())
        for path in ("en/426/index.html", "pt-br/426/index.html", "fr/307/index.html")
    }
    assert notices == {
        "en/426/index.html": "This page has not been written in English yet. Below is its translation into French.",
        "pt-br/426/index.html": "Esta página ainda não foi traduzida para português (Brasil). Abaixo está a tradução em francês.",
        # where the source page is there, it is the original
        "fr/307/index.html": "Cette page n’a pas encore été traduite en français. Voici le texte original en anglais.",
    }
    assert one(soup(files, "en/426/index.html"), "article")["lang"] == "fr"
