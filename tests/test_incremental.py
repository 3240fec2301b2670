"""Rebuilds in memory (the dev server's): the same bytes and problems as a full build, with less work."""

from __future__ import annotations

import difflib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.engine.build import BuildResult, build_site
from sitegen.engine.cache import Cache
from sitegen.engine.stages import EarlyPages, Stages
from sitegen.live.preview import changed_paths
from sitegen.output.hosting import HOSTING_FILES
from sitegen.site.model import Config, Problem
from tests.conftest import SITES
from tests.live import BROKEN_FRONT_MATTER, BROKEN_FRONT_MATTER_ERROR
from tests.projects import copy_project

Step = Callable[[Path], set[str]]
"""Changes a project; returns the kinds of input it changed, as the watcher would."""


def replace(relative: str, old: str, new: str, kind: str = "content") -> Step:
    def step(root: Path) -> set[str]:
        path = root / relative
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), "utf-8")
        return {kind}

    return step


def write(relative: str, text: str, kind: str = "content") -> Step:
    def step(root: Path) -> set[str]:
        (root / relative).write_text(text, "utf-8")
        return {kind}

    return step


def delete(*relatives: str) -> Step:
    def step(root: Path) -> set[str]:
        for relative in relatives:
            (root / relative).unlink()
        return {"content"}

    return step


def rename(source: str, target: str, old: str = "", new: str = "") -> Step:
    def step(root: Path) -> set[str]:
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / source).rename(root / target)
        if old:
            replace(target, old, new)(root)
        return {"content"}

    return step


NEW_PAGE = """\
---
code: 304
name: Not Modified
overview: The cached copy is still good.
seeAlso: [307]
---

Unlike {{HTTPStatus("307")}}, a 304 has no body.
"""

STEPS: dict[str, Step] = {
    "body edited": replace("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when"),
    "name edited": replace("content/en/303.md", "name: See Other", "name: See Another"),
    "overview edited": replace("content/en/308.md", "overview: ", "overview: Edited. "),
    "seeAlso edited": replace("content/en/307.md", "seeAlso: [302, 303, 308]", "seeAlso: [301]"),
    # the pages broken and deleted are in no comparison table (a table's code without a page is an error)
    "front matter broken": replace("content/en/418.md", *BROKEN_FRONT_MATTER),
    "page added": write("content/en/304.md", NEW_PAGE),
    "translation added": write("content/pt-br/304.md", NEW_PAGE.replace("Not Modified", "Não Modificado")),
    "translation deleted": delete("content/fr/307.md"),
    "page deleted everywhere": delete("content/en/410.md", "content/fr/410.md", "content/pt-br/410.md"),
    "page renamed": rename("content/en/307.md", "content/en/307/index.md"),  # MDN's layout
    "page renumbered": rename("content/pt-br/303.md", "content/pt-br/399.md", "code: 303", "code: 399\nstatus: unofficial"),
    "intro edited": replace("content/en/index.md", "Every HTTP response", "Each HTTP response"),
    "intro translation deleted": delete("content/pt-br/4xx.md"),
    "glossary edited": write("content/fr/glossary.yaml", "- use: demande\n  avoid: [requête]\n"),
    "template edited": replace("templates/code.html", "<h1 ", '<h1 class="edited" ', "templates"),
    "template broken": replace("templates/code.html", "{% endif %}", "{% endfi %}", "templates"),
    "stylesheet edited": replace("static/style.css", "--bg: light-dark(#fff,", "--bg: light-dark(#fefefe,", "static"),
    "static file added": write("static/extra.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>", "static"),
    "catalog edited": replace("locales/fr/LC_MESSAGES/messages.po", 'msgstr "Classe"', 'msgstr "Catégorie"', "locales"),
    "configuration edited": replace("sitegen.toml", 'title = "HTTP status codes"', 'title = "Status codes"', "config"),
}
"""Each change applies to the real project as it is, and in this order to the result of the last."""

FIXES: dict[str, Step] = {
    "template broken": replace("templates/code.html", "{% endfi %}", "{% endif %}", "templates"),
    "front matter broken": replace("content/en/418.md", BROKEN_FRONT_MATTER[1], BROKEN_FRONT_MATTER[0]),
}
"""What undoes an error, so the changes after it are built in full."""


def assert_same(incremental: BuildResult, full: BuildResult) -> None:
    """Fail with a diff of the first differing file unless both builds are identical."""
    assert incremental.problems == full.problems
    assert sorted(incremental.files) == sorted(full.files)
    for path, data in sorted(full.files.items()):
        if incremental.files[path] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                incremental.files[path].decode("utf-8", "replace").splitlines(),
                f"full/{path}",
                f"incremental/{path}",
                lineterm="",
            )
            pytest.fail("\n".join(list(diff)[:60]))


OPEN_PAGES = ("en/307/index.html", "fr/307/index.html", "en/303/index.html", "en/index.html", "index.html", "en/999/index.html")
"""The pages open in a browser during the rebuilds (made first, pushed when made: the dev server's)."""


def rebuild(root: Path, stages: Stages, kinds: set[str], pushed: list[tuple[str, bytes]] | None = None) -> tuple[BuildResult, Config]:
    """Build again after a change of ``kinds``, with :data:`OPEN_PAGES` made first: each page
    pushed before the build was over (listed in ``pushed``) is the one the build gives."""
    config, problems = load_config(root)
    assert config is not None, problems
    early: list[tuple[str, bytes]] = []
    ready: list[bool] = []

    def nothing_failed(problems: list[Problem]) -> bool:
        ready.append(not any(problem.severity == "error" for problem in problems))
        return ready[-1]

    pages = EarlyPages(lambda: OPEN_PAGES, lambda path, data: early.append((path, data)), nothing_failed)
    result = build_site(config, stages, early=pages if kinds else None)
    stages.cache.finish()
    assert len({path for path, _ in early}) == len(early)  # once each
    if early and not result.errors:
        assert all(result.files[path] is data for path, data in early)  # the very bytes published
    if ready and not ready[-1]:
        assert not early and result.errors
    if pushed is not None:
        pushed += early
    return result, config


@pytest.fixture
def warm(project: Path) -> tuple[Path, Stages]:
    """Return a project and stages that have built it once."""
    stages = Stages(Cache(keep_in_memory=True))
    rebuild(project, stages, set())
    stages.take_work()
    return project, stages


@pytest.mark.parametrize("name", STEPS)
def test_one_change_gives_the_full_build(warm: tuple[Path, Stages], name: str) -> None:
    root, stages = warm
    kinds = STEPS[name](root)
    incremental, config = rebuild(root, stages, kinds)
    assert_same(incremental, build_site(config))


def test_a_fix_after_an_error_gives_the_full_build(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    STEPS["front matter broken"](root)
    broken, _ = rebuild(root, stages, {"content"})
    assert [problem.format() for problem in broken.errors] == [f"content/en/418.md:{BROKEN_FRONT_MATTER_ERROR}"]
    FIXES["front matter broken"](root)
    STEPS["body edited"](root)
    fixed, config = rebuild(root, stages, {"content"})
    assert_same(fixed, build_site(config))
    assert not fixed.errors
    assert b"Use a 307 (edited) when" in fixed.files["en/307/index.html"]


def test_a_link_to_a_page_added_later_is_rendered_again(tmp_path: Path) -> None:
    # the French MDN page of this fixture links to 404, which has no page yet
    root = copy_project(tmp_path / "formats", content=SITES / "formats" / "content")
    stages = Stages(Cache(keep_in_memory=True))
    first, _ = rebuild(root, stages, set())
    assert any("status code 404 has no page" in problem.message for problem in first.problems)
    stages.take_work()
    write("content/en/404.md", NEW_PAGE.replace("304", "404").replace("Not Modified", "Not Found"))(root)
    incremental, config = rebuild(root, stages, {"content"})
    assert_same(incremental, build_site(config))
    assert ("fr", 307) in stages.take_work().entries
    assert b'href="/fr/404/"' in incremental.files["fr/307/index.html"]


def test_a_body_edit_renders_only_what_it_changes(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    before, _ = rebuild(root, stages, set())
    stages.take_work()
    STEPS["body edited"](root)
    after, _ = rebuild(root, stages, {"content"})
    work = stages.take_work()
    assert work.loaded == ["content/en/307.md"]
    assert ("en", 307) in work.entries
    assert {code for _, code in work.entries} == {307}  # its translations too, when their outdated notice changes
    assert "en/307/index.html" in work.outputs
    assert work.outputs == changed_paths(before.files, after.files)


def test_a_body_edit_pushes_the_open_pages_it_changes_as_they_are_made(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    before, _ = rebuild(root, stages, set())
    STEPS["body edited"](root)
    pushed: list[tuple[str, bytes]] = []
    after, config = rebuild(root, stages, {"content"}, pushed)
    assert [path for path, _ in pushed] == [path for path in sorted(OPEN_PAGES) if path in changed_paths(before.files, after.files)]
    assert dict(pushed)["en/307/index.html"] == build_site(config).files["en/307/index.html"]
    assert b"Use a 307 (edited) when" in dict(pushed)["en/307/index.html"]
    pushed.clear()
    rebuild(root, stages, {"content"}, pushed)  # nothing changed: nothing to push
    assert pushed == []


def test_a_build_that_failed_before_its_outputs_pushes_nothing(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    STEPS["body edited"](root)
    STEPS["front matter broken"](root)
    pushed: list[tuple[str, bytes]] = []
    broken, _ = rebuild(root, stages, {"content"}, pushed)
    assert broken.errors
    assert pushed == []


def test_a_body_edit_renders_the_fallback_copies_too(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    delete("content/fr/307.md")(root)
    before, _ = rebuild(root, stages, {"content"})
    stages.take_work()
    STEPS["body edited"](root)
    after, _ = rebuild(root, stages, {"content"})
    work = stages.take_work()
    assert {("en", 307), ("fr", 307)} <= set(work.entries)
    assert {"en/307/index.html", "fr/307/index.html"} <= set(work.outputs)
    assert work.outputs == changed_paths(before.files, after.files)


def test_a_name_edit_renders_the_pages_that_show_the_name(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    before, _ = rebuild(root, stages, set())
    stages.take_work()
    STEPS["name edited"](root)
    after, _ = rebuild(root, stages, {"content"})
    outputs = stages.take_work().outputs
    # 303's own page, the English pages that link to it, and the English indexes
    assert {"en/303/index.html", "en/307/index.html", "en/3xx/index.html", "en/index.html"} <= set(outputs)
    assert outputs == changed_paths(before.files, after.files)


def test_no_change_renders_nothing(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    rebuild(root, stages, {"content"})
    work = stages.take_work()
    assert (work.loaded, work.entries, work.outputs) == ([], [], [])


def test_a_template_edit_renders_every_page_from_the_remembered_markdown(warm: tuple[Path, Stages]) -> None:
    root, stages = warm
    STEPS["template edited"](root)
    result, _ = rebuild(root, stages, {"templates"})
    work = stages.take_work()
    assert work.entries == []
    # static files are copied and the hosting files (_headers...) made from the plan: neither is rendered
    assert sorted(work.outputs) == sorted(path for path in result.files if not path.startswith("static/") and path not in HOSTING_FILES)


def test_a_different_configuration_starts_afresh(warm: tuple[Path, Stages], tmp_path: Path) -> None:
    _, stages = warm
    other = copy_project(tmp_path / "other")
    shutil.rmtree(other / "content" / "fr")
    incremental, config = rebuild(other, stages, set())
    assert_same(incremental, build_site(config))


AGED = 0.3
"""Seconds after which the dev server's stages trust a file's status, in the tests below."""


@pytest.mark.timeout(600)  # twenty-odd full builds of the (trimmed) real project, on a machine others share
def test_every_change_in_turn_gives_the_full_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every change in turn, each on the result of the last, as a dev server sees a session of
    # work: it reads again only the files whose status (times, size, inode) changed, the other
    # files having aged enough to be trusted (each change alone, on files too fresh to be
    # trusted, is test_one_change_gives_the_full_build)
    monkeypatch.setattr("sitegen.engine.stages.load.UNCHANGED_AFTER_NS", int(AGED * 1e9))
    stages = Stages(Cache(keep_in_memory=True))
    time.sleep(AGED + 0.05)
    rebuild(project, stages, set())
    steps = list(STEPS.items())
    steps.insert(list(STEPS).index("template broken") + 1, ("template fixed", FIXES["template broken"]))
    steps.append(("front matter fixed", FIXES["front matter broken"]))
    for name, step in steps:
        kinds = step(project)
        incremental, config = rebuild(project, stages, kinds)
        full = build_site(config)
        assert incremental.problems == full.problems, name
        assert incremental.files == full.files, name
    assert not full.errors


def test_a_save_of_the_same_size_is_read_again(warm: tuple[Path, Stages], monkeypatch: pytest.MonkeyPatch) -> None:
    root, stages = warm
    monkeypatch.setattr("sitegen.engine.stages.load.UNCHANGED_AFTER_NS", int(AGED * 1e9))
    page = root / "content/en/307.md"
    original = page.read_text("utf-8")
    page.write_text(original.replace("Use a 307 when", "Use a 307 (aaaa) when", 1), "utf-8")
    time.sleep(AGED + 0.05)
    rebuild(root, stages, set())  # the page is now known by its status
    for word in ("bbbb", "cccc", "dddd"):  # the same size; the last two maybe within one tick of file times
        page.write_text(original.replace("Use a 307 when", f"Use a 307 ({word}) when", 1), "utf-8")
        result, _ = rebuild(root, stages, {"content"})
        assert f"Use a 307 ({word}) when".encode() in result.files["en/307/index.html"], word
