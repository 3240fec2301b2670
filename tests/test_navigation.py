"""Navigation: "On this page", previous and next, the class sidebar, the code grid, the root
page, the 404 pages, the switcher's form; each can be turned off."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from sitegen.config import load_config
from sitegen.engine.build import build_site
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

SITES = Path(__file__).parent / "sites"
ALL_OFF = """
[tool.sitegen.features]
toc = false
prev_next = false
sidebar = false
code_grid = false
language_suggestion = false
not_found_pages = false
switcher_menu = false
theme_toggle = false
"""


def built(root: Path) -> dict[str, bytes]:
    config, problems = load_config(root)
    assert config is not None, problems
    result = build_site(config)
    assert not result.errors, [problem.format() for problem in result.errors]
    return result.files


def soup(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path], "html.parser")


def test_on_this_page_lists_every_section_in_order_and_each_link_lands() -> None:
    files = built(SITES / "multilingual")
    document = soup(files, "fr/307/index.html")
    toc = document.select_one("nav.toc")
    assert toc is not None and toc.get("aria-labelledby") == "page-toc"
    assert toc.select_one("h2").text == "Sur cette page"  # type: ignore[union-attr]
    targets = [str(link["href"]) for link in toc.select("a")]
    assert "#page-takeaways" not in targets  # the takeaways come just before the list
    assert "#page-facts" in targets
    for target in targets:
        assert document.find(id=target[1:]) is not None, target
    # the body's <h2> are listed with their words, in order
    body_headings = [heading for heading in document.select("article > h2[id]") if heading["id"] != "page-takeaways"]
    listed = [link.text for link in toc.select("a") if str(link["href"])[1:] in {heading["id"] for heading in body_headings}]
    assert listed == [heading.text.replace("#", "").strip() for heading in body_headings]


def test_previous_and_next_codes() -> None:
    files = built(SITES / "multilingual")
    first = soup(files, "en/307/index.html").select_one("nav.pager")
    assert first is not None
    assert [(link["rel"], link["href"]) for link in first.select("a")] == [(["next"], "/en/308/")]
    second = soup(files, "pt-br/308/index.html").select_one("nav.pager")
    assert second is not None
    assert [(link["rel"], link["href"], link.text) for link in second.select("a")] == [
        (["prev"], "/pt-br/307/", "← 307 Redirecionamento Temporário")
    ]


def test_the_sidebar_names_the_class_and_lists_its_codes_from_codes_json() -> None:
    files = built(SITES / "multilingual")
    sidebar = soup(files, "fr/308/index.html").select_one("nav.sidebar")
    assert sidebar is not None
    assert (sidebar["data-class"], sidebar["data-current"]) == ("3", "308")
    link = sidebar.select_one("h2 a")
    assert link is not None and link["href"] == "/fr/3xx/"
    assert json.loads(files["fr/codes.json"])["codes"] == [[307, "Redirection temporaire"], [308, "Permanent Redirect"]]


def test_the_language_index_and_the_root_open_with_the_grid_of_every_code() -> None:
    files = built(SITES / "multilingual")
    index = soup(files, "fr/index.html")
    grid = index.select_one("main .code-grid")
    assert grid is not None
    assert [(link["href"], link.text) for link in grid.select("a")] == [
        ("/fr/307/", "307 Redirection temporaire"),
        ("/fr/308/", "308 Permanent Redirect"),
    ]
    assert grid.select("a")[1].select_one("span[lang=en]") is not None  # the English fallback's name is marked
    first = index.select_one("main > h1 + *")
    assert first is not None and first.has_attr("data-filter")  # the grid comes first, then the list
    root = soup(files, "index.html")
    assert [link["href"] for link in root.select("main .code-grid a")] == ["/en/307/", "/en/308/"]
    assert root.select_one("[data-suggestion][hidden]") is not None
    data = json.loads(root.select_one("#sitegen-ui").text)  # type: ignore[union-attr]
    assert data["extra"]["source"] == "en"
    assert data["extra"]["suggest"]["fr"] == {
        "segment": "fr",
        "name": "Français",
        "url": "/fr/",
        "text": "Ce site existe dans votre langue.",
        "no": "Non merci",
    }
    assert not root.select("script:not([src]):not([type='application/json']):not([type='application/ld+json'])")  # no inline code


def test_a_404_page_per_language() -> None:
    files = built(SITES / "multilingual")
    for segment, tag, title in (("fr", "fr", "Page introuvable"), ("pt-br", "pt-BR", "Página não encontrada")):
        document = soup(files, f"{segment}/404.html")
        assert document.html is not None and document.html["lang"] == tag
        assert document.select_one("h1").text == title  # type: ignore[union-attr]
        assert document.select_one("meta[name=robots]")["content"] == "noindex"  # type: ignore[index]
        assert document.select_one("[data-search] a")["href"] == f"/{segment}/"  # type: ignore[index]
        assert document.select_one("[data-missing-code][hidden]") is not None
        assert not document.select("link[rel=canonical]")
        # the switcher leads to the other languages' 404 pages
        assert {link["hreflang"]: link["href"] for link in document.select(".switcher a")} == {
            "en": "/en/404.html",
            "fr": "/fr/404.html",
            "pt-BR": "/pt-br/404.html",
        }
    assert "404.html" in files  # the site's own, for hosts that have one only
    sitemap = files["sitemap.xml"].decode()
    assert "404" not in sitemap


def test_the_switcher_is_a_list_of_three_and_a_menu_of_four(scratch_site: ScratchSite) -> None:
    files = built(SITES / "multilingual")
    assert soup(files, "en/307/index.html").select_one(".switcher details") is None
    four = SCRATCH_CONFIG + '\n[[tool.sitegen.languages]]\ntag = "de"\nname = "Deutsch"\n'
    files = built(scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}, four))
    switcher = soup(files, "de/307/index.html").select_one(".switcher details")
    assert switcher is not None
    assert switcher.select_one("summary").text == "Language: Deutsch"  # type: ignore[union-attr]
    assert len(switcher.select("a[hreflang]")) == 4


def test_long_language_names_make_a_menu_even_with_three(scratch_site: ScratchSite) -> None:
    config = SCRATCH_CONFIG.replace('name = "English"', 'name = "English (United Kingdom of Great Britain)"')
    files = built(scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}, config))
    assert soup(files, "en/307/index.html").select_one(".switcher details summary") is not None


def test_every_navigation_feature_can_be_turned_off(scratch_site: ScratchSite) -> None:
    four = SCRATCH_CONFIG + '\n[[tool.sitegen.languages]]\ntag = "de"\nname = "Deutsch"\n' + ALL_OFF
    files = built(scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/en/308.md": page(308, "P")}, four))
    code = soup(files, "en/307/index.html")
    for selector in ("nav.toc", "nav.pager", "nav.sidebar", ".switcher details"):
        assert code.select_one(selector) is None, selector
    assert "theme" not in json.loads(code.select_one("#sitegen-ui").text)["t"]  # type: ignore[union-attr]
    assert b"theme.js" not in files["en/307/index.html"]
    assert soup(files, "en/index.html").select_one(".code-grid") is None
    root = soup(files, "index.html")
    assert root.select_one(".code-grid") is None and root.select_one("[data-suggestion]") is None
    assert "fr/404.html" not in files and "404.html" in files


def test_the_real_site_on_this_page_links_all_land(real_site: Path) -> None:
    for segment in ("en", "fr", "pt-br"):
        for path in sorted((real_site / segment).glob("[1-5][0-9][0-9]/index.html")):
            document = BeautifulSoup(path.read_bytes(), "html.parser")
            toc = document.select_one("nav.toc")
            assert toc is not None, path
            for link in toc.select("a"):
                assert document.find(id=str(link["href"])[1:]) is not None, (path, link["href"])
            assert document.select_one("nav.pager a") is not None, path


def test_the_real_site_on_this_page_lists_every_section_of_the_page(real_site: Path) -> None:
    # "Compare" (the comparison tables a code is part of) was on 51 pages and in none of their lists
    for path in sorted(real_site.glob("*/[1-5][0-9][0-9]/index.html")):
        document = BeautifulSoup(path.read_bytes(), "html.parser")
        listed = [str(link["href"])[1:] for link in document.select("nav.toc a")]
        sections = [str(heading["id"]) for heading in document.select("main h2[id]") if heading["id"] not in {"page-takeaways", "page-toc"}]
        assert listed == sections, path


def test_every_page_a_search_engine_lists_has_a_description(real_site: Path) -> None:
    # the root, the first result for the site's name, had none: the engine made up a snippet
    missing = []
    for path in sorted(real_site.rglob("*.html")):
        document = BeautifulSoup(path.read_bytes(), "html.parser")
        if document.select_one('meta[name="robots"][content~="noindex"]') is None and document.select_one("link[rel=canonical]"):
            description = document.select_one('meta[name="description"]')
            if description is None or len(str(description["content"])) < 50:
                missing.append(str(path.relative_to(real_site)))
    assert missing == []


def test_the_real_site_has_a_404_page_per_language(real_site: Path) -> None:
    for segment in ("en", "fr", "pt-br"):
        assert (real_site / segment / "404.html").is_file()
        assert (real_site / segment / "codes.json").is_file()
