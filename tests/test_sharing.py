"""Sharing and search engines: Open Graph and Twitter tags, JSON-LD checked against the
schema.org types it uses, and the social cards."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.render.sharing import og_locale, plain
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

SITES = Path(__file__).parent / "sites"

THING = {"@type", "@id", "name", "url", "description", "image", "sameAs", "identifier"}
CREATIVE_WORK = THING | {"headline", "inLanguage", "isPartOf", "citation", "dateModified", "datePublished", "author", "publisher", "about"}
PROPERTIES: dict[str, set[str]] = {
    # schema.org: TechArticle < Article < CreativeWork < Thing; CollectionPage < WebPage < CreativeWork
    "TechArticle": CREATIVE_WORK | {"articleBody", "articleSection", "dependencies", "proficiencyLevel"},
    "CollectionPage": CREATIVE_WORK | {"breadcrumb", "mainEntity"},
    "WebPage": CREATIVE_WORK | {"breadcrumb", "mainEntity"},
    "WebSite": CREATIVE_WORK,
    "CreativeWork": CREATIVE_WORK,
    "BreadcrumbList": THING | {"itemListElement", "numberOfItems", "itemListOrder"},
    "ListItem": THING | {"position", "item", "nextItem", "previousItem"},
    "FAQPage": CREATIVE_WORK | {"mainEntity"},
    "Question": CREATIVE_WORK | {"acceptedAnswer", "suggestedAnswer", "answerCount"},
    "Answer": CREATIVE_WORK | {"text"},
}
REQUIRED: dict[str, set[str]] = {
    # what search engines need of each (Google's structured-data requirements)
    "TechArticle": {"headline", "inLanguage", "isPartOf", "citation", "url"},
    "CollectionPage": {"name", "inLanguage", "url"},
    "WebPage": {"name", "inLanguage", "url"},
    "WebSite": {"url"},
    "CreativeWork": {"name", "url"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name"},
    "FAQPage": {"mainEntity"},
    "Question": {"name", "acceptedAnswer"},
    "Answer": {"text"},
}
URL = re.compile(r"^https://[^\s]+$")


def check_node(node: Any, where: str) -> list[str]:
    """Return what is wrong with a JSON-LD node and the nodes inside it."""
    if isinstance(node, list):
        return [problem for index, item in enumerate(node) for problem in check_node(item, f"{where}[{index}]")]
    if not isinstance(node, dict):
        return []
    problems = []
    kind = node.get("@type")
    if kind is not None:
        if kind not in PROPERTIES:
            return [f"{where}: unknown type {kind}"]
        problems += [f"{where}: {kind} has no property {key}" for key in sorted(set(node) - PROPERTIES[kind] - {"@context", "@graph"})]
        problems += [f"{where}: {kind} lacks {key}" for key in sorted(REQUIRED[kind] - set(node))]
        for key in ("url", "item", "image"):
            if key in node and not (isinstance(node[key], str) and URL.match(node[key])):
                problems.append(f"{where}.{key}: not an absolute https URL: {node[key]!r}")
        if kind == "ListItem" and not isinstance(node.get("position"), int):
            problems.append(f"{where}.position: not an integer")
        for key in ("name", "headline", "text"):
            if key in node and (not isinstance(node[key], str) or not node[key].strip() or "<" in node[key]):
                problems.append(f"{where}.{key}: empty or not plain text: {node.get(key)!r}")
    for key, value in node.items():
        problems += check_node(value, f"{where}.{key}")
    return problems


def json_ld(document: BeautifulSoup) -> dict[str, Any]:
    scripts = document.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].text)
    assert data["@context"] == "https://schema.org"
    return data


def types(data: dict[str, Any]) -> list[str]:
    return [item["@type"] for item in data["@graph"]]


def built(root: Path) -> dict[str, bytes]:
    config, problems = load_config(root)
    assert config is not None, problems
    result = build_site(config)
    assert not result.errors
    return result.files


@pytest.fixture(scope="module")
def reader_site() -> dict[str, bytes]:
    return built(SITES / "reader")


def soup(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path], "html.parser")


def meta(document: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in document.select("meta[property], meta[name^='twitter:']"):
        found.setdefault(str(tag.get("property") or tag.get("name")), []).append(str(tag["content"]))
    return found


def test_a_code_page_has_open_graph_and_twitter_tags(reader_site: dict[str, bytes]) -> None:
    document = soup(reader_site, "fr/429/index.html")
    tags = meta(document)
    assert tags["og:description"] == [document.select_one('meta[name="description"]')["content"]]  # type: ignore[index]
    assert tags["og:description"][0].startswith("Le client a envoyé trop de requêtes")
    del tags["og:description"]
    assert tags == {
        "og:type": ["article"],
        "og:title": ["429 Too Many Requests — Trop de requêtes"],
        "og:url": ["https://example.test/docs/fr/429/"],
        "og:locale": ["fr_FR"],
        "og:locale:alternate": ["en_US", "pt_BR"],
        "og:image": ["https://example.test/docs/fr/429/card.svg"],
        "twitter:card": ["summary_large_image"],
    }
    # an untranslated page is shared as the language's page, with the languages that have it
    assert meta(soup(reader_site, "pt-br/503/index.html"))["og:locale:alternate"] == ["en_US"]


def test_a_code_page_is_a_tech_article_with_its_breadcrumbs_and_faq(reader_site: dict[str, bytes]) -> None:
    data = json_ld(soup(reader_site, "en/429/index.html"))
    assert check_node(data, "en/429") == []
    assert types(data) == ["TechArticle", "BreadcrumbList", "FAQPage"]
    article, trail, faq = data["@graph"]
    assert article["inLanguage"] == "en"
    assert article["isPartOf"] == {"@type": "WebSite", "url": "https://example.test/docs/en/"}
    assert article["citation"] == ["https://www.rfc-editor.org/rfc/rfc6585.html#section-4"]
    assert [(item["position"], item["name"], item.get("item")) for item in trail["itemListElement"]] == [
        (1, "All codes", "https://example.test/docs/en/"),
        (2, "4xx Client Error", "https://example.test/docs/en/4xx/"),
        (3, "429 Too Many Requests", None),
    ]
    assert [(question["name"], question["acceptedAnswer"]["text"]) for question in faq["mainEntity"]] == [
        ("Should a client retry at once?", "No. Wait for the time in Retry-After, or back off exponentially."),
        ("Is 429 cached?", "It must not be stored by a cache."),
    ]
    # no FAQ, no FAQPage; the language of an untranslated page's text is its own
    data = json_ld(soup(reader_site, "fr/503/index.html"))
    assert types(data) == ["TechArticle", "BreadcrumbList"]
    assert data["@graph"][0]["inLanguage"] == "en"


def test_the_text_search_engines_are_given_reads_as_the_page_does() -> None:
    # a tag inside a sentence leaves nothing (no space before the comma after a code span);
    # the end of a paragraph, a line or a list item leaves a space between the words
    answer = (
        "<p>Not by default: with <code>max-age</code>, <code>Expires</code> or <em>public</em>.</p>"
        "<p>Then<br>it is.</p><ul><li>one</li><li>two</li></ul>"
    )
    assert plain(answer) == "Not by default: with max-age, Expires or public. Then it is. one two"
    assert plain("<p>a &amp; <a href='/x'>b</a></p>") == "a & b"


def test_index_class_and_root_pages_have_their_own_types(reader_site: dict[str, bytes]) -> None:
    expectations = {
        "fr/index.html": ["CollectionPage"],
        "fr/4xx/index.html": ["CollectionPage", "BreadcrumbList"],
        "index.html": ["WebSite"],
    }
    for path, expected in expectations.items():
        data = json_ld(soup(reader_site, path))
        assert types(data) == expected, path
        assert check_node(data, path) == []
    assert meta(soup(reader_site, "fr/4xx/index.html"))["og:type"] == ["website"]
    # a 404 page is not shared
    assert not soup(reader_site, "fr/404.html").select('script[type="application/ld+json"], meta[property]')


def test_json_ld_cannot_close_its_script_element(scratch_site: ScratchSite) -> None:
    question = 'faq:\n  - q: "</script><script>alert(1)</script> & more"\n    a: "x"\n'
    hostile = page(307, "Temporary Redirect").replace("---\n\n", question + "---\n\n", 1)
    files = built(scratch_site({"content/en/307.md": hostile}))
    text = files["en/307/index.html"].decode()
    script = text[text.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<" not in script.removeprefix('<script type="application/ld+json">')
    data = json.loads(script.removeprefix('<script type="application/ld+json">'))
    assert data["@graph"][2]["mainEntity"][0]["name"] == "</script><script>alert(1)</script> & more"


def test_a_social_card_per_code_and_language(reader_site: dict[str, bytes]) -> None:
    card = ElementTree.fromstring(reader_site["pt-br/429/card.svg"])
    texts = [text.text for text in card.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["429", "Requisições demais", "Códigos de status HTTP"]
    assert (card.get("width"), card.get("height"), card.get("lang")) == ("1200", "630", "pt-BR")
    assert card.get("aria-label") == "429 Requisições demais – Códigos de status HTTP"
    long = ElementTree.fromstring(reader_site["en/503/card.svg"])
    assert [text.text for text in long.iter("{http://www.w3.org/2000/svg}text")][1] == "Service Unavailable"


def test_sharing_can_be_turned_off(scratch_site: ScratchSite) -> None:
    config = SCRATCH_CONFIG + "\n[tool.sitegen.features]\nopen_graph = false\njson_ld = false\nsocial_cards = false\n"
    files = built(scratch_site({"content/en/307.md": page(307, "Temporary Redirect")}, config))
    document = soup(files, "en/307/index.html")
    assert not document.select('meta[property], meta[name="twitter:card"], script[type="application/ld+json"]')
    assert not [path for path in files if path.endswith("card.svg")]


@pytest.mark.parametrize(("tag", "expected"), [("en", "en_US"), ("fr", "fr_FR"), ("pt-BR", "pt_BR"), ("de", "de_DE"), ("ja", "ja_JP")])
def test_open_graph_locales(tag: str, expected: str) -> None:
    assert og_locale(tag) == expected


def test_every_page_of_the_real_site_has_valid_structured_data(real_site: Path) -> None:
    problems = []
    for path in sorted(real_site.rglob("*.html")):
        relative = path.relative_to(real_site).as_posix()
        document = BeautifulSoup(path.read_bytes(), "html.parser")
        if relative.endswith("404.html") or document.select_one('meta[http-equiv="refresh"]'):
            continue  # not found pages and redirects are not shared
        problems += check_node(json_ld(document), relative)  # every page shared has it, the guide and comparisons too
        assert meta(document)["og:url"] == [document.select_one('link[rel="canonical"]')["href"]], relative  # type: ignore[index]
        if re.match(r"^[a-z-]+/\d{3}/index.html$", relative):
            assert types(json_ld(document))[:2] == ["TechArticle", "BreadcrumbList"], relative
            assert meta(document)["og:image"][0].endswith("/card.svg"), relative
    assert problems == []
