"""``sitegen build --out``: never lose an author's files (issue 10).

The build replaces only a folder it made itself (``.sitegen-output``), an empty one, or
an older sitegen output; any other folder is refused unless ``--force``, which still keeps
``.git``, ``CNAME`` and the dot-files at the top. A file, the project, a folder holding it
or a source folder, a folder inside a source folder or a ``.git`` folder are always
refused, and the message names the flag.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.output.swap import MARKER
from tests.conftest import REPO, page

CONFIG = """
[tool.sitegen]
title = "HTTP status codes"
base_url = "https://example.test/"

[[tool.sitegen.languages]]
tag = "en"
name = "English"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("templates", "static", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text(CONFIG, "utf-8")
    (root / "content" / "en").mkdir(parents=True)
    (root / "content" / "en" / "200.md").write_text(page(200, "OK"), "utf-8")
    return root


def build(root: Path, capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = main(["build", "--root", str(root), *arguments])
    return code, capsys.readouterr().err


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_issue_example_loses_nothing(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site)
    out = tmp_path / "out"
    (out / ".git").mkdir(parents=True)
    (out / "KEEP.txt").write_text("mine", "utf-8")
    code, err = build(site, capsys, "--out", "../out")
    assert code == 1
    assert err == (
        "../out: --out is a folder that sitegen did not make and that is not empty (KEEP.txt): nothing was written"
        " (choose an empty folder, or add --force to replace what it holds; .git, CNAME and the dot-files at its top are kept)\n"
        "Failed with 1 error(s) and 0 warning(s).\n"
    )
    assert (out / "KEEP.txt").read_text("utf-8") == "mine"
    assert (out / ".git").is_dir()


def test_force_replaces_the_rest_and_keeps_git_cname_and_dot_files(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", "utf-8")
    (out / "CNAME").write_text("http-status.example.org\n", "utf-8")
    (out / ".nojekyll").write_text("", "utf-8")
    (out / "KEEP.txt").write_text("old", "utf-8")
    (out / "old" / ".hidden").mkdir(parents=True)
    code, _err = build(site, capsys, "--out", str(out), "--force")
    assert code == 0
    assert (out / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/gh-pages\n"
    assert (out / ".git" / "objects").is_dir()
    assert (out / "CNAME").read_text("utf-8") == "http-status.example.org\n"
    assert (out / ".nojekyll").exists()
    assert not (out / "KEEP.txt").exists()
    assert not (out / "old").exists()
    assert (out / "en" / "200" / "index.html").is_file()
    assert (out / MARKER).is_file()
    # once marked, the folder is the build's own: no --force needed, and still kept
    assert build(site, capsys, "--out", str(out))[0] == 0
    assert (out / "CNAME").read_text("utf-8") == "http-status.example.org\n"
    assert (out / ".git" / "HEAD").is_file()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "--out is the project itself: nothing was written (choose a folder such as _site)"),
        ("..", "--out is {parent}, a folder that holds the project: nothing was written (choose a folder such as _site)"),
        ("content", "--out would replace the content folder ({root}/content): nothing was written"),
        ("templates", "--out would replace the templates folder ({root}/templates): nothing was written"),
        ("content/en/site", "--out is inside the content folder ({root}/content): nothing was written"),
        ("static/built", "--out is inside the static folder ({root}/static): nothing was written"),
        ("pyproject.toml", "--out is a file, not a folder: nothing was written"),
        (".git", "--out is inside a .git folder: nothing was written"),
        (".git/site", "--out is inside a .git folder: nothing was written"),
    ],
)
def test_always_refused_even_with_force(site: Path, out: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("x", "utf-8")
    before = tree(site)
    for extra in ((), ("--force",)):
        code, err = build(site, capsys, "--out", str(site / out), *extra)
        assert code == 1
        assert f"{site / out}: {message.format(root=site, parent=site.parent)}" in err
        assert not err.startswith("pyproject.toml:")
    assert tree(site) == before


def test_a_folder_of_the_project_that_is_not_a_source_needs_force(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "tests").mkdir()
    (site / "tests" / "test_x.py").write_text("assert True\n", "utf-8")
    code, err = build(site, capsys, "--out", str(site / "tests"))
    assert code == 1
    assert "--out is a folder that sitegen did not make and that is not empty (test_x.py)" in err
    assert (site / "tests" / "test_x.py").is_file()


def test_an_empty_folder_or_one_with_only_kept_files_is_used_without_force(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty, only_git = tmp_path / "empty", tmp_path / "only-git"
    empty.mkdir()
    only_git.mkdir()
    (only_git / ".git").write_text("gitdir: /elsewhere\n", "utf-8")
    assert build(site, capsys, "--out", str(empty))[0] == 0
    assert build(site, capsys, "--out", str(only_git))[0] == 0
    assert (only_git / ".git").read_text("utf-8") == "gitdir: /elsewhere\n"
    assert (empty / "en" / "200" / "index.html").is_file()


def test_the_output_key_in_the_configuration_is_named_in_the_message(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "public").mkdir()
    (site / "public" / "notes.txt").write_text("mine", "utf-8")
    (site / "pyproject.toml").write_text(CONFIG.replace("[tool.sitegen]\n", '[tool.sitegen]\noutput = "public"\n'), "utf-8")
    code, err = build(site, capsys)
    assert code == 1
    assert err.startswith("pyproject.toml:3: output is a folder that sitegen did not make and that is not empty (notes.txt)")
    assert (site / "public" / "notes.txt").is_file()


def test_an_output_from_before_the_marker_is_still_replaced(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, capsys)[0] == 0
    (site / "_site" / MARKER).unlink()
    assert build(site, capsys)[0] == 0
    (site / "_site" / MARKER).unlink()
    (site / "_site" / "notes.txt").write_text("mine", "utf-8")
    code, err = build(site, capsys)
    assert code == 1
    assert "_site: the output folder is a folder that sitegen did not make and that is not empty (notes.txt)" in err


def git(*arguments: str, cwd: Path) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.test",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *arguments], cwd=cwd, env=environment, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_publishing_into_a_gh_pages_worktree(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git("init", "-q", "-b", "main", cwd=site)
    git("add", "-A", cwd=site)
    git("commit", "-q", "-m", "sources", cwd=site)
    git("branch", "gh-pages", cwd=site)
    out = tmp_path / "gh-pages"
    git("worktree", "add", "-q", str(out), "gh-pages", cwd=site)
    # the branch still holds the sources: not a folder the build made
    code, err = build(site, capsys, "--out", str(out))
    assert code == 1 and "add --force" in err
    assert build(site, capsys, "--out", str(out), "--force")[0] == 0
    assert (out / ".git").is_file()  # a worktree's .git is a file naming the repository
    git("add", "-A", cwd=out)
    git("commit", "-q", "-m", "site", cwd=out)
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=site).split()
    assert "en/200/index.html" in files and "pyproject.toml" not in files
    # the next build needs no --force, keeps the worktree working, and changes nothing
    assert build(site, capsys, "--out", str(out))[0] == 0
    assert git("status", "--porcelain", cwd=out) == ""
    (site / "content" / "en" / "404.md").write_text(page(404, "Not Found"), "utf-8")
    assert build(site, capsys, "--out", str(out))[0] == 0
    assert "?? en/404/" in git("status", "--porcelain", cwd=out).splitlines()
    assert "gh-pages" in git("worktree", "list", cwd=site)


def test_the_home_folder_is_refused_even_with_force(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "todo.txt").write_text("mine", "utf-8")
    monkeypatch.setenv("HOME", str(home))
    before = tree(home)
    for out in (home, home / "notes"):
        code, err = build(site, capsys, "--out", str(out), "--force")
        if out == home:
            assert code == 1
            assert f"--out is {home}, your home folder or one that holds it: nothing was written (choose a folder such as _site)" in err
            assert tree(home) == before
    # a folder inside the home folder is like any other: replaced with --force
    assert (home / "notes" / "en" / "200" / "index.html").is_file() and not (home / "notes" / "todo.txt").exists()


def test_a_previous_folder_that_is_not_sitegens_is_never_removed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, capsys)[0] == 0
    backup = site / "._site.previous"
    backup.mkdir()
    (backup / "index.html").write_text("my old site, kept by hand", "utf-8")
    for extra in ((), ("--force",)):
        code, err = build(site, capsys, *extra)
        assert code == 1
        assert "has a sibling ._site.previous that sitegen did not make: nothing was written (sitegen parks the old site there" in err
    assert (backup / "index.html").read_text("utf-8") == "my old site, kept by hand"
    assert (site / "_site" / "en" / "200" / "index.html").is_file()
