"""Comparison tables built from the pages' facts, as a reader finds them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from tests.conftest import SITES
from tests.golden import build_fixture


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    files, report = build_fixture(SITES / "knowledge")
    assert report == ""
    return files


def soup(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path].decode("utf-8"), "html.parser")


def one(tree: BeautifulSoup, selector: str) -> Tag:
    found = tree.select_one(selector)
    assert found is not None, f"no {selector}"
    return found


def test_a_table_per_comparison_in_every_language(site: dict[str, bytes]) -> None:
    pages = sorted(path for path in site if "/compare/" in path)
    assert pages == sorted(f"{lang}/compare/{name}index.html" for lang in ("en", "fr", "pt-br") for name in ("", "access/", "redirects/"))


def test_the_list_of_tables_links_each_in_the_readers_language(site: dict[str, bytes]) -> None:
    page = soup(site, "fr/compare/index.html")
    assert one(page, "h1").get_text() == "Codes comparés côte à côte"
    titles = [(a["href"], a.get("lang"), a.get_text()) for a in page.select("ul.comparisons h2 a")]
    # the table not translated yet keeps its English title, marked as English
    assert titles == [
        ("/fr/compare/redirects/", None, "Les redirections comparées\u00a0: 301, 307 et 308"),
        ("/fr/compare/access/", "en", "Access refused: 401 and 407"),
    ]
    compared = [a["href"] for a in page.select("ul.comparisons li")[0].select(".compared a")]
    assert compared == ["/fr/301/", "/fr/307/", "/fr/308/"]


def test_index_pages_and_tables_lead_to_the_list(site: dict[str, bytes]) -> None:
    for path in ("fr/index.html", "fr/3xx/index.html"):
        assert "/fr/compare/" in [a["href"] for a in soup(site, path).select("main a")], path
    crumbs = [
        (li.a["href"] if li.a else None, li.get_text()) for li in soup(site, "fr/compare/redirects/index.html").select(".breadcrumbs li")
    ]
    assert crumbs == [("/fr/", "Tous les codes"), ("/fr/compare/", "Comparer"), (None, "Les redirections comparées\u00a0: 301, 307 et 308")]


def test_cells_say_the_fact_in_the_readers_language_and_link_to_the_spec(site: dict[str, bytes]) -> None:
    page = soup(site, "fr/compare/redirects/index.html")
    headings = [th.get_text(strip=True) for th in page.select("table.comparison thead th")]
    assert headings == ["Code", "Permanente", "Méthode et corps conservés", "Mise en cache par défaut"]
    rows = {
        row.th.get_text(" ", strip=True): [(td.get_text(strip=True), td.a["href"] if td.a else None) for td in row.select("td")]
        for row in page.select("table.comparison tbody tr")
        if row.th is not None
    }
    spec = "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.4."
    assert rows["307 Redirection temporaire"] == [("Non", spec + "8"), ("Oui", spec + "8"), ("Non", spec + "8")]
    assert rows["301 Moved Permanently"][1] == ("Pas garanti (un POST peut devenir un GET)", spec + "2")
    assert one(page, "article h1").get_text() == "Les redirections comparées\u00a0: 301, 307 et 308"


def test_an_untranslated_table_shows_the_english_words_marked_as_english(site: dict[str, bytes]) -> None:
    page = soup(site, "pt-br/compare/access/index.html")
    assert one(page, "article")["lang"] == "en"
    assert page.select_one("aside.notice") is not None
    # the values are UI strings: in the reader's language even so
    assert "Com credenciais, em Authorization" in one(page, "table.comparison").get_text()


def test_code_pages_link_to_the_tables_that_compare_them(site: dict[str, bytes]) -> None:
    links = [(a["href"], a.get_text()) for a in soup(site, "fr/307/index.html").select("#page-compare ~ ul a")]
    assert links == [("/fr/compare/redirects/", "Les redirections comparées\u00a0: 301, 307 et 308")]
    assert not soup(site, "en/103/index.html").select("#page-compare")


def test_the_sitemap_lists_the_translated_tables_with_alternates(site: dict[str, bytes]) -> None:
    sitemap = site["sitemap.xml"].decode()
    assert "<loc>https://example.test/fr/compare/redirects/</loc>" in sitemap
    assert "<loc>https://example.test/fr/compare/access/</loc>" not in sitemap  # a fallback copy is not listed
    assert "<loc>https://example.test/pt-br/compare/</loc>" in sitemap  # the list exists in every language


def test_the_tables_their_list_and_the_guide_say_what_they_are_to_social_networks_and_search_engines(site: dict[str, bytes]) -> None:
    import json

    expected = {
        "fr/compare/redirects/index.html": (
            "WebPage",
            "article",
            ["Tous les codes", "Comparer", "Les redirections comparées\u00a0: 301, 307 et 308"],
        ),
        "fr/compare/index.html": ("CollectionPage", "website", ["Tous les codes", "Codes comparés côte à côte"]),
        "en/guide/index.html": ("WebPage", "article", ["All codes", "Which status code should I return?"]),
    }
    for path, (schema_type, og_type, trail) in expected.items():
        page = soup(site, path)
        graph = json.loads(one(page, 'script[type="application/ld+json"]').get_text())["@graph"]
        assert graph[0]["@type"] == schema_type, path
        assert [item["name"] for item in graph[1]["itemListElement"]] == trail, path
        assert one(page, 'meta[property="og:type"]')["content"] == og_type, path
        assert one(page, 'meta[property="og:url"]')["content"] == graph[0]["url"] == one(page, 'link[rel="canonical"]')["href"], path
