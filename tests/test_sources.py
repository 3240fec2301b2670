"""Source files: only regular files inside the project are read, from every folder.

Each class of file that must not be read (a link out of the project, a link to a hidden
file, a named pipe, a socket, a loop of links) is put in each folder a build reads
(``content/``, ``templates/``, ``static/``, ``locales/``): the build reports it with its path
and publishes nothing of it, and never hangs (the suite's per-test timeout would fail it).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.conftest import REPO, page

CONFIG = """
[tool.sitegen]
title = "HTTP status codes"
base_url = "https://example.test/"

[[tool.sitegen.languages]]
tag = "en"
name = "English"

[[tool.sitegen.languages]]
tag = "fr"
name = "Français"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a small project with its own templates, static files and catalogs."""
    root = tmp_path / "site"
    for folder in ("templates", "static", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text(CONFIG, "utf-8")
    (root / "content" / "en").mkdir(parents=True)
    (root / "content" / "en" / "200.md").write_text(page(200, "OK"), "utf-8")
    (root / "content" / "en" / "404.md").write_text(page(404, "Not Found"), "utf-8")
    return root


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """Return a file outside the project, standing for /etc/passwd."""
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text("root:x:0:0:SECRET-OUTSIDE:/root:/bin/bash\n", "utf-8")
    return path


def build(root: Path, capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = main(["build", "--root", str(root), *arguments])
    return code, capsys.readouterr().err


def published(root: Path) -> bytes:
    """Return every byte the last build wrote."""
    out = root / "_site"
    return b"".join(path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()) if out.is_dir() else b""


LINKS_OUT = {
    "static": "static/passwd.txt",
    "templates": "templates/passwd.html",
    "content page": "content/en/418.md",
    "content subfolder": "content/en/more/418.md",
    "intro": "content/en/index.md",
    "glossary": "content/en/glossary.yaml",
    "comparison tables": "content/en/compare.yaml",
}


@pytest.mark.parametrize("where", LINKS_OUT)
def test_a_link_out_of_the_project_is_refused_with_its_path(
    site: Path, secret: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    link = site / LINKS_OUT[where]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    code, err = build(site, capsys)
    assert f"{LINKS_OUT[where]}: a symbolic link to {secret}, outside the project: it is not read" in err
    assert code == 1
    assert b"SECRET-OUTSIDE" not in published(site)


def test_ln_s_etc_passwd_in_static_publishes_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "static" / "passwd.txt").symlink_to("/etc/passwd")
    code, err = build(site, capsys)
    assert "static/passwd.txt: a symbolic link to /etc/passwd, outside the project: it is not read" in err
    assert code == 1
    assert not (site / "_site").exists()


def test_a_language_folder_pointing_to_etc_is_refused(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    (elsewhere / "200.md").write_text(page(200, "SECRET-OUTSIDE"), "utf-8")
    (site / "content" / "fr").symlink_to(elsewhere)
    code, err = build(site, capsys)
    assert f"content/fr: a symbolic link to {elsewhere}, outside the project: it is not read" in err
    assert code == 1
    assert b"SECRET-OUTSIDE" not in published(site)


@pytest.mark.parametrize("folder", ["content", "templates", "static", "locales"])
def test_a_source_folder_that_is_a_link_out_is_refused(site: Path, tmp_path: Path, folder: str, capsys: pytest.CaptureFixture[str]) -> None:
    moved = tmp_path / f"elsewhere-{folder}"
    (site / folder).rename(moved)
    (site / folder).symlink_to(moved)
    code, err = build(site, capsys)
    assert f"{folder}: the {folder} folder is a symbolic link to {moved}, outside the project: it is not read" in err
    assert code == 1


def test_a_catalog_that_is_a_link_out_is_refused(site: Path, secret: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = site / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    catalog.unlink()
    catalog.symlink_to(secret)
    code, err = build(site, capsys)
    assert f"locales/fr/LC_MESSAGES/messages.po: a symbolic link to {secret}, outside the project: it is not read" in err
    assert code == 1


def test_a_link_to_a_hidden_file_of_the_project_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / ".env").write_text("TOKEN=SECRET-INSIDE\n", "utf-8")
    (site / "static" / "env.txt").symlink_to(site / ".env")
    code, err = build(site, capsys)
    assert f"static/env.txt: a symbolic link to {site / '.env'}, a hidden file: it is not read" in err
    assert code == 1


def test_links_inside_the_project_are_followed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "assets").mkdir()
    (site / "assets" / "logo.svg").write_text("<svg/>", "utf-8")
    (site / "static" / "logo.svg").symlink_to(Path("..") / "assets" / "logo.svg")
    (site / "shared").mkdir()
    (site / "shared" / "410.md").write_text(page(410, "Gone"), "utf-8")
    (site / "content" / "en" / "more").symlink_to(site / "shared")
    code, err = build(site, capsys)
    assert (code, err) == (0, "")
    assert (site / "_site" / "static" / "logo.svg").read_bytes() == b"<svg/>"
    assert (site / "_site" / "en" / "410" / "index.html").is_file()


def test_a_loop_of_links_is_reported_not_followed_for_ever(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "static" / "loop").symlink_to(site / "static")
    (site / "content" / "en" / "again").symlink_to(site / "content" / "en")
    code, err = build(site, capsys)
    assert "static/loop: a symbolic link back to a folder already read: it is not read" in err
    assert "content/en/again: a symbolic link back to a folder already read: it is not read" in err
    assert code == 1


def test_a_dangling_link_is_reported(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "static" / "gone.css").symlink_to(site / "static" / "missing.css")
    code, err = build(site, capsys)
    assert "static/gone.css: a symbolic link to nothing (a missing file): it is not read" in err
    assert code == 1


NOT_FILES = {
    "page": "content/en/994.md",
    "intro": "content/en/index.md",
    "glossary": "content/en/glossary.yaml",
    "comparison tables": "content/en/compare.yaml",
    "static": "static/feed.xml",
    "template": "templates/partial.html",
    "catalog": "locales/fr/LC_MESSAGES/messages.po",
}


@pytest.mark.parametrize("where", NOT_FILES)
def test_a_named_pipe_is_a_problem_never_a_hang(site: Path, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    pipe = site / NOT_FILES[where]
    pipe.parent.mkdir(parents=True, exist_ok=True)
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe)
    code, err = build(site, capsys)
    assert f"{NOT_FILES[where]}: not a regular file (a named pipe): it is not read" in err
    assert code == 1


def test_a_socket_is_a_problem(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "static" / "s.sock"
    if len(str(path)) > 100:
        pytest.skip("the temporary path is too long for a socket")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        code, err = build(site, capsys)
    finally:
        server.close()
    assert "static/s.sock: not a regular file (a socket): it is not read" in err
    assert code == 1


@pytest.mark.parametrize("name", ["418.MD", "418.Md", "418.markdown"])
def test_a_page_with_another_markdown_extension_is_reported(site: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content" / "en" / name).write_text(page(418, "I'm a teapot"), "utf-8")
    assert main(["check", "--strict", "--root", str(site)]) == 1
    err = capsys.readouterr().err
    suffix = name.partition(".")[2]
    assert f"content/en/{name}: warning: a page must end in '.md', not '.{suffix}': it is not read (rename it to 418.md)" in err
