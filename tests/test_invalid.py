"""Broken input, one fixture per kind of mistake, each with its exact messages.

Every case is a folder under ``tests/invalid/``: files laid over a copy of the real
project (templates, static files, catalogs) and ``expected.txt``, the exact stderr of
``sitegen build --strict``. Every case must exit 1, print no traceback and write nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.conftest import REPO

CASES = Path(__file__).parent / "invalid"
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


def make_project(case: Path, root: Path) -> Path:
    """Return a project made of the real templates with the case's files laid over."""
    for folder in ("templates", "static", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text(CONFIG, "utf-8")
    shutil.copytree(case, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    (root / "content").mkdir(exist_ok=True)
    return root


def run_case(case: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Return the exit code, stdout and stderr of a strict build of a case."""
    make_project(case, root)
    code = main(["build", "--strict", "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BROKEN = sorted(path for path in CASES.iterdir() if (path / "expected.txt").exists() and not path.name.endswith("-are-fine"))


@pytest.mark.parametrize("case", BROKEN, ids=lambda path: path.name)
def test_broken_input_is_reported_precisely(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_case(case, tmp_path / "site", capsys)
    assert err == (case / "expected.txt").read_text("utf-8")
    assert code == 1
    assert "Traceback" not in err
    assert not (tmp_path / "site" / "_site").exists()


def test_bom_and_crlf_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_case(CASES / "crlf-and-bom-are-fine", tmp_path / "site", capsys)
    assert (code, err) == (0, "")
    html = (tmp_path / "site" / "_site" / "en" / "307" / "index.html").read_text("utf-8")
    assert '<span class="code">307</span> Temporary Redirect</h1>' in html


if __name__ == "__main__":
    # regenerate expected.txt of every case: python -m tests.test_invalid (review the diff)
    import contextlib
    import io
    import sys
    import tempfile

    for case in sorted(path for path in CASES.iterdir() if path.is_dir() and not path.name.endswith("-are-fine")):
        with tempfile.TemporaryDirectory() as directory:
            make_project(case, Path(directory) / "site")
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                main(["build", "--strict", "--root", str(Path(directory) / "site")])
            (case / "expected.txt").write_text(stderr.getvalue(), "utf-8")
            sys.stdout.write(f"{case.name}: {stderr.getvalue()}")
