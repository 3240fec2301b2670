"""The persistent build cache: every build gives the bytes of a cold one.

Each test builds through the command line (``sitegen build``) in a copy of the real
project, and compares ``_site/`` with a build that used no cache (``--no-cache``). The
cache must never change what is built: not after any kind of change, not in a process
with another ``PYTHONHASHSEED``, not with torn or foreign entries.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.engine.store import DATABASE, Store
from sitegen.output.swap import FAULT_ENV
from tests.conftest import REPO
from tests.projects import copy_project

Capture = pytest.CaptureFixture[str]
CACHE = ".sitegen-cache"
CODES = (200, 301, 302, 303, 307, 308, 404, 500, 503)
"""A part of the real content: pages that link to each other, translated or not."""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("content")
    for language in (REPO / "content").iterdir():
        (folder / language.name).mkdir()
        for code in CODES:
            if (language / f"{code}.md").is_file():
                (folder / language.name / f"{code}.md").write_bytes((language / f"{code}.md").read_bytes())
    return folder


@pytest.fixture
def project(tmp_path: Path, content: Path) -> Path:
    """Return a copy of the real project with a part of its content."""
    return copy_project(tmp_path / "project", content=content)


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` by relative path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def build(root: Path, capsys: Capture, *options: str) -> tuple[str, str]:
    """Build the project with ``options``; return what it printed (stdout, stderr)."""
    capsys.readouterr()
    assert main(["build", "--root", str(root), *options]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    return captured.out, captured.err


def made(timings: str) -> dict[str, int]:
    """Return, per stage, how many results a build made (the last column of ``--timings``)."""
    counts = {}
    for line in timings.splitlines()[1:]:
        parts = line.split()
        if len(parts) == 5 and parts[2] == "ms":
            counts[parts[0]] = int(parts[4])
    return counts


def assert_like_a_cold_build(root: Path, capsys: Capture, tmp_path: Path) -> str:
    """Build with the cache, then without it elsewhere: same files, same problems.
    Return what the cached build printed."""
    out, err = build(root, capsys, "--timings")
    cold_err = build(root, capsys, "--no-cache", "--out", str(tmp_path / "cold"))[1]
    assert err == cold_err
    cached, cold = tree(root / "_site"), tree(tmp_path / "cold")
    assert sorted(cached) == sorted(cold)
    different = [path for path in cold if cached[path] != cold[path]]
    assert not different, f"differs from a cold build: {different[:5]}"
    return out


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return change


def add(relative: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / relative).write_text(text, "utf-8")

    return change


def delete(*relatives: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for relative in relatives:
            (root / relative).unlink()

    return change


def rename(source: str, target: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / source).rename(root / target)

    return change


NEW_PAGE = """\
---
code: 304
name: Not Modified
overview: The cached copy is still good.
seeAlso: [307]
---

Unlike {{HTTPStatus("307")}}, a 304 has no body.
"""

CHANGES: dict[str, Callable[[Path], None]] = {
    "content": edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when"),
    "name": edit("content/en/303.md", "name: See Other", "name: See Another"),
    "template": edit("templates/code.html", "<h1 ", '<h1 class="edited" '),
    "catalog": edit("locales/fr/LC_MESSAGES/messages.po", 'msgstr "Classe"', 'msgstr "Catégorie"'),
    "config": edit("sitegen.toml", 'title = "HTTP status codes"', 'title = "Status codes"'),
    "static file": edit("static/style.css", "--bg: light-dark(#fff,", "--bg: light-dark(#fefefe,"),
    "page added": add("content/en/304.md", NEW_PAGE),
    "translation deleted": delete("content/fr/307.md"),
    "page deleted": delete("content/en/308.md", "content/fr/308.md", "content/pt-br/308.md"),
    "page renamed": rename("content/en/307.md", "content/en/307/index.md"),  # MDN's layout
}
"""One change of each kind of input a build reads."""


def test_a_warm_build_makes_nothing_and_gives_the_same_bytes(project: Path, capsys: Capture, tmp_path: Path) -> None:
    first = build(project, capsys, "--timings")[0]
    assert made(first)["markdown"] > 0 and made(first)["output"] > 0
    before = {path: (project / "_site" / path).stat().st_ino for path in tree(project / "_site")}
    out = assert_like_a_cold_build(project, capsys, tmp_path)
    assert {stage: count for stage, count in made(out).items() if count} == {}
    # an unchanged site is left as it is: the same files, not copies
    assert {path: (project / "_site" / path).stat().st_ino for path in before} == before


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_gives_the_bytes_of_a_cold_build(project: Path, capsys: Capture, tmp_path: Path, change: str) -> None:
    build(project, capsys)
    CHANGES[change](project)
    out = assert_like_a_cold_build(project, capsys, tmp_path)
    if change == "content":
        assert made(out) | {"markdown": 1, "load": 1} == made(out)  # only what the edit touched
        assert made(out)["output"] < 5


def test_a_page_edited_by_hand_in_the_output_is_made_again(project: Path, capsys: Capture, tmp_path: Path) -> None:
    build(project, capsys)
    page = project / "_site" / "en" / "307" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<h1", b"<h1 hacked"))
    (project / "_site" / "stray.html").write_text("not built", "utf-8")
    assert_like_a_cold_build(project, capsys, tmp_path)
    assert not (project / "_site" / "stray.html").exists()


def _sitegen(root: Path, seed: str, *options: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--root", str(root), "--timings", *options],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_keys_and_output_do_not_depend_on_the_hash_seed(project: Path, tmp_path: Path) -> None:
    _sitegen(project, "1")
    # a process with another seed finds every result, and builds the same bytes as a cold build
    warm = _sitegen(project, "2")
    assert {stage: count for stage, count in made(warm).items() if count} == {}
    _sitegen(project, "3", "--no-cache", "--out", str(tmp_path / "cold"))
    assert tree(project / "_site") == tree(tmp_path / "cold")
    # after an edit, every stage runs: each finds what the other seed's process made
    edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")(project)
    edited = made(_sitegen(project, "4"))
    assert (edited["load"], edited["markdown"]) == (1, 1)
    _sitegen(project, "5", "--no-cache", "--out", str(tmp_path / "cold"))
    assert tree(project / "_site") == tree(tmp_path / "cold")


def _entries(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / CACHE / DATABASE, isolation_level=None)


def test_torn_entries_are_ignored(project: Path, capsys: Capture, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    build(project, capsys)
    with _entries(project) as connection:
        # every entry cut short, as a crash in the middle of a write would leave it
        connection.execute("UPDATE entries SET value = substr(value, 1, length(value) - 7)")
    connection.close()
    (project / "_site").rename(tmp_path / "old")  # no output to link from either
    out = assert_like_a_cold_build(project, capsys, tmp_path)
    assert made(out)["markdown"] > 0 and made(out)["load"] > 0
    assert "torn or foreign: ignored" in caplog.text


def test_foreign_entries_are_ignored(project: Path, capsys: Capture, tmp_path: Path) -> None:
    build(project, capsys)
    with _entries(project) as connection:
        # well sealed, but not what this version wrote: never trusted
        store = Store(project / CACHE)
        rows = connection.execute("SELECT key FROM entries WHERE stage = 'markdown'").fetchall()
        for (key,) in rows:
            store.put("markdown", key, b"not a pickle")
        store.close()
    connection.close()
    edit("templates/code.html", "<h1 ", '<h1 class="edited" ')(project)  # every page rendered again
    out = assert_like_a_cold_build(project, capsys, tmp_path)
    assert made(out)["markdown"] == len(rows)


def test_an_unreadable_cache_file_is_replaced(project: Path, capsys: Capture, tmp_path: Path) -> None:
    build(project, capsys)
    (project / CACHE / DATABASE).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (project / CACHE / (DATABASE + suffix)).unlink(missing_ok=True)
    assert_like_a_cold_build(project, capsys, tmp_path)
    assert Store(project / CACHE).stages()["load"] > 0  # a fresh cache was made and filled


def test_unused_entries_are_pruned(project: Path, capsys: Capture) -> None:
    build(project, capsys)
    before = Store(project / CACHE).stages()
    delete("content/en/308.md", "content/fr/308.md", "content/pt-br/308.md")(project)
    for _ in range(3):  # however many builds: one build's worth of entries
        edit("content/en/307.md", "Use a 307", "Use a 307 (again)")(project)
        build(project, capsys)
    after = Store(project / CACHE).stages()
    assert after["load"] == before["load"] - 3
    assert after["markdown"] == before["markdown"] - 3
    assert after["manifest"] == 1


def test_no_cache_neither_reads_nor_writes_it(project: Path, capsys: Capture) -> None:
    out = build(project, capsys, "--no-cache", "--timings")[0]
    assert made(out)["markdown"] > 0
    assert not (project / CACHE).exists()


def test_clean_removes_the_cache_and_the_output(project: Path, capsys: Capture) -> None:
    build(project, capsys)
    assert (project / CACHE / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    capsys.readouterr()
    assert main(["clean", "--root", str(project)]) == 0
    assert capsys.readouterr().out == f"Removed {CACHE}/ and _site/.\n"
    assert not (project / CACHE).exists() and not (project / "_site").exists()
    assert main(["clean", "--root", str(project)]) == 0
    assert capsys.readouterr().out == "Nothing to remove.\n"


def test_the_cache_can_live_in_the_xdg_folder(project: Path, capsys: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    config = project / "sitegen.toml"
    config.write_text(config.read_text("utf-8").replace('title = "', 'cache = "xdg"\ntitle = "', 1), "utf-8")
    build(project, capsys)
    assert not (project / CACHE).exists()
    assert [path.name for path in (tmp_path / "xdg" / "sitegen").iterdir()] == [f"project-{path_hash(project)}"]
    out = build(project, capsys, "--timings")[0]
    assert made(out).get("markdown", 0) == 0


def path_hash(root: Path) -> str:
    import hashlib

    return hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]


def test_a_cache_folder_that_holds_the_project_is_refused(project: Path, capsys: Capture) -> None:
    config = project / "sitegen.toml"
    config.write_text(config.read_text("utf-8").replace('title = "', 'cache = "."\ntitle = "', 1), "utf-8")
    assert main(["clean", "--root", str(project)]) == 1
    assert "the cache folder" in capsys.readouterr().err
    assert (project / "content").is_dir()


def test_a_build_that_changes_nothing_loads_no_parser(project: Path) -> None:
    # what makes a no-change build fast: it reads its inputs, finds them unchanged, and runs
    # no stage; YAML, markdown, Pygments, Jinja, Babel and the views are imported by the
    # stages that need them (a module that imports one at its top would put it back)
    _sitegen(project, "0")
    script = (
        "import sys\n"
        "from sitegen.cli import main\n"
        f"assert main(['build', '--root', {str(project)!r}]) == 0\n"
        "heavy = {'yaml', 'markdown_it', 'pygments', 'jinja2', 'babel', 'sitegen.render.views', 'sitegen.content.markdown'}\n"
        "print(sorted(heavy & ({name.split('.')[0] for name in sys.modules} | set(sys.modules))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


SPARE = f"{CACHE}/spare-site"


def test_every_build_fills_the_tree_the_last_one_replaced(project: Path, capsys: Capture, tmp_path: Path) -> None:
    # the replaced site waits in the cache (removing a few hundred folders costs more than
    # an edit's build); each build below fills it: the same bytes as a new tree
    build(project, capsys)
    for change in CHANGES.values():
        change(project)
        assert_like_a_cold_build(project, capsys, tmp_path)
        assert (project / SPARE).is_dir()
        assert sorted(path.name for path in project.iterdir() if path.name.startswith("._site")) == []


def test_what_was_left_in_the_spare_tree_is_never_trusted(project: Path, capsys: Capture, tmp_path: Path) -> None:
    build(project, capsys)
    edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")(project)
    build(project, capsys)
    spare = project / SPARE
    outside = tmp_path / "outside"
    outside.mkdir()
    (spare / "stray.html").write_text("not built", "utf-8")
    (spare / "old" / "deep").mkdir(parents=True)
    (spare / "old" / "deep" / "index.html").write_text("not built", "utf-8")
    (spare / "en" / "404" / "index.html").unlink()
    (spare / "en" / "404" / "index.html").mkdir()  # a folder where a page goes
    shutil.rmtree(spare / "fr")
    (spare / "fr").symlink_to(outside)  # a link where a folder goes: never written through
    (spare / "en" / "307" / "index.html").write_text("stale", "utf-8")  # its own file, not the site's
    edit("content/en/307.md", "Use a 307 (edited) when", "Use a 307 (edited again) when")(project)
    assert_like_a_cold_build(project, capsys, tmp_path)
    assert list(outside.iterdir()) == []


def test_a_build_that_fills_the_spare_tree_never_writes_into_the_site(project: Path, capsys: Capture) -> None:
    build(project, capsys)
    edit("content/en/307.md", "Use a 307 when", "Use a 307 (edited) when")(project)
    build(project, capsys)  # the spare tree's files are mostly the site's, linked
    site = tree(project / "_site")
    edit("content/en/303.md", "name: See Other", "name: See Another")(project)  # a name many pages show
    killed = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--root", str(project)],
        env={**os.environ, FAULT_ENV: "staged"},  # killed when the new tree is whole, before the swap
        capture_output=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert tree(project / "_site") == site


def test_the_dev_server_finds_what_it_made_and_has_not_written_yet(tmp_path: Path) -> None:
    from sitegen.engine.cache import MISSING, Cache

    cache = Cache(Store(tmp_path / "cache"), keep_in_memory=True)
    cache.start()
    cache.put("markdown", "made-by-build-1", ("an entry's markdown",))
    cache.forget_unused()
    cache.start()  # build 2 does not use it: let go of in memory, still to be written
    cache.forget_unused()
    cache.start()  # build 3 (an undo) asks for it again
    assert cache.get("markdown", "made-by-build-1") == ("an entry's markdown",)
    assert cache.get("markdown", "never-made") is MISSING
    cache.close()
    reopened = Cache(Store(tmp_path / "cache"))
    assert reopened.get("markdown", "made-by-build-1") == ("an entry's markdown",)
    reopened.close()
