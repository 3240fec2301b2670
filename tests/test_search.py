"""Search: the Pagefind index made by ``sitegen build``, per language, and how to turn it off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.engine.build import build_site
from sitegen.output import search
from sitegen.output.search import index_site, indexed_part
from tests.conftest import SCRATCH_CONFIG, ScratchSite, page

SITES = Path(__file__).parent / "sites"


def built(root: Path, search: bool = True) -> dict[str, bytes]:
    config, problems = load_config(root)
    assert config is not None, problems
    result = build_site(config, search=search)
    assert not result.errors, [problem.format() for problem in result.errors]
    return result.files


def entry(files: dict[str, bytes]) -> dict[str, object]:
    data: dict[str, object] = json.loads(files["pagefind/pagefind-entry.json"])
    return data


def test_one_index_per_language_of_the_code_pages_only() -> None:
    files = built(SITES / "multilingual")
    languages = entry(files)["languages"]
    assert isinstance(languages, dict)
    # two codes (307, 308) in each language: indexes, class pages and the home are not indexed
    assert {tag: value["page_count"] for tag, value in languages.items()} == {"en": 2, "fr": 2, "pt-br": 2}
    assert {path for path in files if path.startswith("pagefind/wasm.")} >= {"pagefind/wasm.en.pagefind", "pagefind/wasm.fr.pagefind"}
    # Pagefind's own interfaces are left out: the site has its own search box
    assert "pagefind/pagefind.js" in files
    assert not [path for path in files if "pagefind-ui" in path or "component-ui" in path]


def test_the_index_is_the_same_bytes_every_time() -> None:
    files = built(SITES / "multilingual", search=False)
    first, problems = index_site(files)
    assert not problems
    second, _ = index_site(files)
    assert first == second
    # pages given one at a time (never all in memory): the same bundle
    assert index_site((path, data) for path, data in files.items()) == (first, [])
    # the build feeds each language to Pagefind while it makes the pages: the same bundle
    searched = built(SITES / "multilingual")
    assert {path: data for path, data in searched.items() if path.startswith("pagefind/")} == first


def test_pagefind_is_given_the_head_and_the_marked_element_only_and_makes_the_same_bundle(
    real_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {path.relative_to(real_site).as_posix(): path.read_bytes() for path in sorted(real_site.rglob("*.html"))}
    page = files["en/307/index.html"]
    part = indexed_part(page)
    assert len(part) < 0.7 * len(page)
    soup = BeautifulSoup(part, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "en" and soup.title is not None
    [article] = soup.select("[data-pagefind-body]")
    assert article.h1 is not None and "307" in article.h1.get_text()
    assert soup.body is not None and [child.name for child in soup.body.find_all(recursive=False)] == ["article"]
    cut, problems = index_site(files)
    assert not problems
    monkeypatch.setattr(search, "indexed_part", lambda page: page)
    whole, _ = index_site(files)
    assert cut == whole


@pytest.mark.parametrize(
    "body",
    [
        '<nav data-pagefind-filter="kind">x</nav><article data-pagefind-body><h1>A</h1></article>',
        '<article data-pagefind-body><h1>A</h1></article><p data-pagefind-meta="image:/a.png">x</p>',
        "<article data-pagefind-body><h1>A</h1></article><article data-pagefind-body><h1>B</h1></article>",
        "<section data-pagefind-body><h1>A</h1><section>inner</section></section>",
        "<article data-pagefind-body><h1>A</h1>",
    ],
)
def test_pagefind_is_given_the_whole_page_where_the_cut_is_not_plain(body: str) -> None:
    page = f'<!DOCTYPE html><html lang="en"><head><title>A</title></head><body><header>menu</header>{body}</body></html>'.encode()
    assert indexed_part(page) == page


def test_pagefind_is_given_the_marked_element_with_the_head() -> None:
    page = (
        b'<!DOCTYPE html><html lang="fr"><head><title>A</title></head><body class="x"><header>menu</header>'
        b'<main><article class="code" data-pagefind-body><h1>A</h1><p data-pagefind-weight="4">b</p></article></main>'
        b"<footer>f</footer><script>x</script></body></html>"
    )
    assert indexed_part(page) == (
        b'<!DOCTYPE html><html lang="fr"><head><title>A</title></head><body class="x">'
        b'<article class="code" data-pagefind-body><h1>A</h1><p data-pagefind-weight="4">b</p></article></body></html>'
    )
    assert indexed_part(b"<html><body><p>no mark</p></body></html>") == b"<html><body><p>no mark</p></body></html>"


@pytest.mark.parametrize("large", [False, True])
def test_an_edit_indexes_its_language_again_and_no_other(
    scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    root = scratch_site({f"content/{lang}/{code}.md": page(code, f"Name {code} {lang}") for lang in ("en", "fr") for code in (307, 308)})
    assert main(["build", "--root", str(root)]) == 0
    before = {path.name: path.read_bytes() for path in (root / "_site/pagefind").rglob("*") if path.is_file()}
    french = root / "content/fr/307.md"
    french.write_text(french.read_text("utf-8") + "\nUn paragraphe de plus, sur les redirections.\n", "utf-8")
    capsys.readouterr()
    if large:  # from 2,000 pages, the bundles taken wait in temporary files, not in memory
        monkeypatch.setattr("sitegen.engine.search.LARGE", 0)
    assert main(["build", "--root", str(root), "--timings"]) == 0
    monkeypatch.undo()
    timings = capsys.readouterr().out
    after = {path.name: path.read_bytes() for path in (root / "_site/pagefind").rglob("*") if path.is_file()}
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    # the French index changed (its meta, index chunks, the new fragment), the English one did not
    assert changed and all(name.startswith(("fr_", "pagefind.fr_", "pagefind-entry")) for name in changed), changed
    search = next(line.split() for line in timings.splitlines() if line.startswith("search "))
    assert search[4] == "1", timings  # one language made again, the others from the cache
    # and the bundle is the one a build from nothing makes
    assert main(["build", "--root", str(root), "--no-cache", "--out", str(root / "cold")]) == 0
    cold = {path.name: path.read_bytes() for path in (root / "cold/pagefind").rglob("*") if path.is_file()}
    assert cold == after


def test_check_and_a_plain_build_site_do_not_index() -> None:
    files = built(SITES / "multilingual", search=False)
    assert not [path for path in files if path.startswith("pagefind/")]


def test_the_code_page_marks_what_is_indexed_and_what_weighs_more() -> None:
    files = built(SITES / "multilingual", search=False)
    soup = BeautifulSoup(files["fr/307/index.html"], "html.parser")
    article = soup.select_one("article")
    assert article is not None and article.has_attr("data-pagefind-body")
    heading = soup.select_one("h1")
    assert heading is not None and heading["data-pagefind-weight"] == "10"
    for selector in (".takeaways",):
        element = soup.select_one(selector)
        assert element is not None and float(str(element["data-pagefind-weight"])) > 1, selector
    # the language index and class pages are not indexed
    assert b"data-pagefind-body" not in files["fr/index.html"]
    assert b"data-pagefind-body" not in files["fr/3xx/index.html"]


def test_every_page_has_the_search_box_as_a_link_to_the_index_without_javascript() -> None:
    files = built(SITES / "multilingual", search=False)
    for path, home in (("fr/307/index.html", "/fr/"), ("pt-br/3xx/index.html", "/pt-br/"), ("index.html", "/en/")):
        soup = BeautifulSoup(files[path], "html.parser")
        link = soup.select_one("[data-search] a")
        assert link is not None and link["href"] == home, path
        data = json.loads(soup.select_one("script#sitegen-ui").text)  # type: ignore[union-attr]
        assert data["codes"] == f"{home}codes.json"
    assert b"Trouver un code de statut" in files["fr/307/index.html"]
    codes = json.loads(files["fr/codes.json"])
    assert codes["codes"] == [[307, "Redirection temporaire"], [308, "Permanent Redirect"]]
    assert codes["t"]["none"] == "Aucun résultat"  # what the box says once one types comes with the codes


def test_a_missing_pagefind_binary_is_a_problem_that_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere" / "pagefind"))
    config, _ = load_config(SITES / "multilingual")
    assert config is not None
    result = build_site(config, search=True)
    assert [problem.format() for problem in result.errors] == [
        "sitegen.toml: search: the Pagefind binary was not found"
        " (pip install 'pagefind[bin]', or turn search off: [features] search = false in sitegen.toml)"
    ]


def test_search_can_be_turned_off(scratch_site: ScratchSite) -> None:
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect")},
        SCRATCH_CONFIG.replace('base_url = "https://example.test/"', 'base_url = "https://example.test/"\nfeatures = {search = false}'),
    )
    files = built(root)
    assert not [path for path in files if path.startswith("pagefind/")]
    assert b"data-search" not in files["en/307/index.html"]
    assert b"data-pagefind-body" not in files["en/307/index.html"]


def test_unknown_and_mistyped_features_are_reported(scratch_site: ScratchSite) -> None:
    root = scratch_site(
        {"content/en/307.md": page(307, "Temporary Redirect")},
        SCRATCH_CONFIG + "\n[tool.sitegen.features]\nserach = false\nsearch = 'no'\n",
    )
    _config, problems = load_config(root)
    assert [problem.format() for problem in problems] == [
        "pyproject.toml:23: warning: unknown configuration key 'serach' (did you mean 'search'?)",
        "pyproject.toml:24: features.search must be true or false, not 'no'",
    ]


def test_sitegen_build_writes_the_index_and_check_does_not(scratch_site: ScratchSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = scratch_site({"content/en/307.md": page(307, "Temporary Redirect"), "content/fr/307.md": page(307, "Redirection temporaire")})
    assert main(["check", "--root", str(root)]) == 0
    assert not (root / "_site").exists()
    assert main(["build", "--root", str(root)]) == 0
    languages = json.loads((root / "_site/pagefind/pagefind-entry.json").read_text("utf-8"))["languages"]
    assert sorted(languages) == ["en", "fr", "pt-br"]
    capsys.readouterr()


def test_serve_indexes_only_with_search(project: Path) -> None:
    from tests.live import running

    with running(project) as plain:
        assert plain.client.request("/pagefind/pagefind-entry.json").status == 404
        assert plain.client.request("/en/codes.json").status == 200  # numbers work without the index
    with running(project, search=True) as searching:
        response = searching.client.request("/pagefind/pagefind-entry.json")
        assert response.status == 200
        assert sorted(json.loads(response.body)["languages"]) == ["en", "fr", "pt-br"]


def test_the_real_site_indexes_every_code_page_in_its_language(real_site: Path) -> None:
    languages = json.loads((real_site / "pagefind/pagefind-entry.json").read_text("utf-8"))["languages"]
    for segment in ("en", "fr", "pt-br"):
        pages = [path for path in (real_site / segment).glob("*/index.html") if path.parent.name.isdigit()]
        assert languages[segment]["page_count"] == len(pages), segment
