"""Quick pages (the dev server's open pages of an edited file, made before the site is
built): byte for byte the pages the build that follows makes, or none at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.engine.build import BuildResult
from sitegen.engine.cache import Cache
from sitegen.engine.quick import LastBuild, code_page_key, quick_pages
from sitegen.engine.stages import Stages
from sitegen.site.model import Problem
from tests.test_incremental import OPEN_PAGES, STEPS, Step, delete, rebuild, replace

OPEN = (*OPEN_PAGES, "pt-br/307/index.html", "fr/303/index.html", "en/308/index.html")

EDITS: dict[str, tuple[Step, set[str]]] = {
    "body edited": (STEPS["body edited"], {"en/307/index.html"}),
    "name edited": (STEPS["name edited"], {"en/303/index.html"}),
    "overview edited": (STEPS["overview edited"], {"en/308/index.html"}),
    "seeAlso edited": (STEPS["seeAlso edited"], {"en/307/index.html"}),
    "spec edited": (replace("content/en/307.md", "§15.4.8", "§15.4.9"), {"en/307/index.html"}),
    "translation edited": (replace("content/fr/307.md", "\n\n", "\n\nUn paragraphe de plus.\n\n"), {"fr/307/index.html"}),
    "takeaways edited": (replace("content/pt-br/307.md", "takeaways:\n", "takeaways:\n  - Um ponto a mais.\n"), {"pt-br/307/index.html"}),
    "front matter broken": (STEPS["front matter broken"], set()),  # no open page shows it
    "page renumbered": (replace("content/en/307.md", "code: 307", "code: 399\nstatus: unofficial"), set()),
    "page made a draft": (replace("content/en/307.md", "code: 307", "code: 307\ndraft: true"), set()),
    "translation deleted": (STEPS["translation deleted"], set()),
    "outdated notice": (replace("content/fr/307.md", "source_version: ", "source_version: 1"), set()),
}
"""Each edit, and the open pages made quick after it (none where the file alone cannot tell)."""


@pytest.fixture
def warm(project: Path) -> tuple[Path, Stages]:
    """Return a project and the dev server's stages, which have built it once."""
    stages = Stages(Cache(keep_in_memory=True))
    rebuild(project, stages, set())
    return project, stages


def changed_files(root: Path, before: dict[Path, bytes]) -> set[Path]:
    """Return the content files added, changed or removed since ``before`` (the watcher's paths)."""
    now = {path: path.read_bytes() for path in (root / "content").rglob("*") if path.is_file()}
    return {path for path in before.keys() | now.keys() if before.get(path) != now.get(path)}


def content_bytes(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in (root / "content").rglob("*") if path.is_file()}


def everything_ready(problems: list[Problem]) -> bool:
    return not any(problem.severity == "error" for problem in problems)


def quick(root: Path, stages: Stages, last: BuildResult, files: set[Path], wanted: tuple[str, ...] = OPEN) -> dict[str, bytes]:
    config, _ = load_config(root)
    assert config is not None
    base = LastBuild.of(last)
    assert base is not None
    return quick_pages(stages, config, base, files, wanted, everything_ready)


@pytest.mark.parametrize("name", EDITS)
def test_the_quick_pages_of_an_edit_are_those_the_build_makes(warm: tuple[Path, Stages], name: str) -> None:
    root, stages = warm
    last, _ = rebuild(root, stages, set())
    before = content_bytes(root)
    step, expected = EDITS[name]
    step(root)
    made = quick(root, stages, last, changed_files(root, before))
    assert set(made) == expected
    result, _ = rebuild(root, stages, {"content"})
    for path, data in made.items():
        assert data == result.files[path], path


def test_an_edit_of_a_page_shown_as_a_fallback_makes_the_fallback_quick(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    delete("content/pt-br/307.md")(root)
    last, _ = rebuild(root, stages, {"content"})
    before = content_bytes(root)
    STEPS["body edited"](root)
    made = quick(root, stages, last, changed_files(root, before))
    assert set(made) == {"en/307/index.html", "pt-br/307/index.html"}
    assert b"Use a 307 (edited) when" in made["pt-br/307/index.html"]
    result, _ = rebuild(root, stages, {"content"})
    assert made == {path: result.files[path] for path in made}


def test_the_build_after_a_quick_page_renders_its_markdown_no_more(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    last, _ = rebuild(root, stages, set())
    before = content_bytes(root)
    STEPS["body edited"](root)
    assert quick(root, stages, last, changed_files(root, before))
    stages.take_work()
    rebuild(root, stages, {"content"})
    assert ("en", 307) not in stages.take_work().entries  # the quick page's markdown, from the cache


def test_a_problem_refused_makes_no_quick_page(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    last, _ = rebuild(root, stages, set())
    before = content_bytes(root)
    replace("content/en/307.md", "Use a 307 when", "Use a 307 ({{Nope}}) when")(root)
    config, _ = load_config(root)
    assert config is not None
    seen: list[list[Problem]] = []

    def strict(problems: list[Problem]) -> bool:
        seen.append(problems)
        return not problems

    base = LastBuild.of(last)
    assert base is not None
    assert quick_pages(stages, config, base, changed_files(root, before), OPEN, strict) == {}
    assert any("Nope" in problem.message for problem in seen[0])


def test_only_code_pages_are_entries() -> None:
    config, _ = load_config(Path(__file__).parent.parent)
    assert config is not None
    assert code_page_key(config, "fr/307/index.html") == ("fr", 307)
    assert code_page_key(config, "pt-br/307/index.html") == ("pt-BR", 307)
    for path in ("fr/index.html", "fr/4xx/index.html", "xx/307/index.html", "fr/307/card.png", "api/v1/fr/307.json", "307/index.html"):
        assert code_page_key(config, path) is None


SAVED_TOGETHER = {
    # the translation's outdated notice follows its source page, saved in the same batch
    "a page and its translation": (
        replace("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when"),
        replace("content/fr/307.md", "\n\n", "\n\nUn paragraphe de plus.\n\n"),
    ),
    # the open 307 shows the name of 303 (not open), which it links to
    "a page and one it links to": (replace("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when"), STEPS["name edited"]),
}


@pytest.mark.parametrize("name", SAVED_TOGETHER)
def test_files_saved_together_make_no_quick_page_the_build_does_not_make(warm: tuple[Path, Stages], name: str) -> None:
    root, stages = warm
    last, _ = rebuild(root, stages, set())
    before = content_bytes(root)
    for step in SAVED_TOGETHER[name]:
        step(root)
    made = quick(root, stages, last, changed_files(root, before), ("en/307/index.html", "fr/307/index.html"))
    result, _ = rebuild(root, stages, {"content"})
    assert {path for path, data in made.items() if data != result.files[path]} == set()
