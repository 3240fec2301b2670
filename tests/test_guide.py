"""The "Which status code should I return?" guide: every path walked, in every language,
on the built pages a reader opens."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from sitegen.config import load_config
from sitegen.content.guide import load_guides
from sitegen.engine.build import build_site
from tests.conftest import REPO, SITES
from tests.golden import build_fixture


@pytest.fixture(scope="module")
def real_site() -> dict[str, bytes]:
    config, problems = load_config(REPO)
    assert config is not None, problems
    result = build_site(config)
    assert not result.errors
    return result.files


def walk(node: Tag, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Return every path through the nested <details> below ``node`` and the link it ends on."""
    found = []
    lists = node.find_all("ul", recursive=False)
    assert len(lists) == 1, f"one list of answers after {path}"
    for item in lists[0].find_all("li", recursive=False):
        details = item.find("details", recursive=False)
        assert isinstance(details, Tag)
        summary = details.find("summary", recursive=False)
        assert isinstance(summary, Tag)
        here = (*path, summary.get_text(strip=True))
        leaf = details.find("p", class_="guide-leaf", recursive=False)
        if isinstance(leaf, Tag):
            link = leaf.find("a")
            assert isinstance(link, Tag), f"{here} ends on a code without a page"
            found.append((here, str(link["href"])))
        else:
            assert details.find("p", class_="guide-question", recursive=False) is not None, f"{here} leads nowhere"
            found += walk(details, here)
    return found


@pytest.mark.parametrize("segment", ["en", "fr", "pt-br"])
def test_every_path_of_the_guide_ends_on_a_code_page_that_exists(real_site: dict[str, bytes], segment: str) -> None:
    page = BeautifulSoup(real_site[f"{segment}/guide/index.html"].decode(), "html.parser")
    tree = page.select_one("div.guide-tree")
    assert tree is not None
    paths = walk(tree)
    config, _problems = load_config(REPO)
    assert config is not None
    guides, problems = load_guides(config)
    assert [problem for problem in problems if problem.severity == "error"] == []
    tag = config.find_language(segment)
    assert tag is not None
    # the page shows exactly the data file's paths, and each ends on a built page of its language
    assert [path for path, _href in paths] == [path for path, _code in guides[tag.tag].leaves()]
    assert len(paths) >= 30
    for path, href in paths:
        assert href.startswith(f"/{segment}/"), (path, href)
        assert f"{href.strip('/')}/index.html" in real_site, (path, href)


def test_the_guide_is_reachable_from_the_home_and_every_index(real_site: dict[str, bytes]) -> None:
    pages = ["index.html"] + [f"{segment}/{part}index.html" for segment in ("en", "fr", "pt-br") for part in ("", "1xx/", "4xx/")]
    for path in pages:
        page = BeautifulSoup(real_site[path].decode(), "html.parser")
        link = page.select_one("p.guide-link a")
        assert link is not None, path
        segment = path.split("/")[0] if "/" in path else "en"
        assert link["href"] == f"/{segment}/guide/", path


def test_the_overview_is_a_drawing_with_its_title_and_links(real_site: dict[str, bytes]) -> None:
    page = BeautifulSoup(real_site["fr/guide/index.html"].decode(), "html.parser")
    svg = page.select_one("div.guide-overview svg[role=group]")
    assert svg is not None and svg.title is not None
    assert svg.title.get_text() == "Toutes les questions et réponses du guide en un coup d’œil"
    assert {a["href"] for a in svg.select("a")} >= {"/fr/201/", "/fr/308/", "/fr/429/"}
    assert not page.select("main script"), "the guide works without JavaScript"  # the site-wide script only enhances


def test_an_untranslated_guide_is_the_english_one_marked_as_such() -> None:
    files, _report = build_fixture(SITES / "knowledge")
    page = BeautifulSoup(files["pt-br/guide/index.html"].decode(), "html.parser")
    article = page.select_one("article.guide")
    assert article is not None and article["lang"] == "en"
    assert page.select_one("aside.notice") is not None
    french = BeautifulSoup(files["fr/guide/index.html"].decode(), "html.parser")
    assert [summary.get_text() for summary in french.select("summary")] == ["Ça a déménagé", "Oui", "Non", "Le client doit se connecter"]


def test_translations_lists_the_guide_and_tables_behind_or_missing(tmp_path, capsys) -> None:
    import json
    import shutil

    from sitegen.cli import main

    root = tmp_path / "site"
    shutil.copytree(SITES / "knowledge", root, ignore=shutil.ignore_patterns("expected*"))
    for name in ("pyproject.toml",):
        text = (root / name).read_text("utf-8").replace('"../../../', f'"{REPO}/')
        (root / name).write_text(text, "utf-8")
    guide = root / "content/en/guide.yaml"
    guide.write_text(guide.read_text("utf-8").replace("A small decision tree.", "A smaller decision tree."), "utf-8")
    assert main(["translations", "--root", str(root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fr"]["data_files"]["guide.yaml"]["state"] == "outdated"
    assert data["fr"]["data_files"]["compare.yaml"]["state"] == "current"
    assert data["pt-BR"]["data_files"]["guide.yaml"]["state"] == "missing"
    assert main(["translations", "--root", str(root), "--fail-on", "outdated"]) == 1
    assert "outdated: content/fr/guide.yaml (set source_version: " in capsys.readouterr().out
