"""Golden files: build each fixture site under ``tests/sites/`` and compare the output.

``make golden`` (``python -m tests.golden``) rewrites every ``expected/`` tree and
``expected-problems.txt``; review that diff like code before committing it.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

from sitegen.cli import format_problems
from sitegen.config import load_config
from sitegen.engine.build import build_site

SITES = Path(__file__).parent / "sites"


def fixture_sites() -> list[Path]:
    """Return the fixture sites that have a golden output."""
    return sorted(path for path in SITES.iterdir() if (path / "pyproject.toml").is_file())


def build_fixture(site: Path, *, with_static: bool = False) -> tuple[dict[str, bytes], str]:
    """Return the generated files and the problem report of a fixture site.

    Static files are left out: they are the repository's own, copied as they are
    (``test_static_files_are_copied_as_they_are_stylesheets_minified`` checks that once).
    """
    config, problems = load_config(site)
    assert config is not None, problems
    # "Last updated" comes from the repository's history: the expected files would change
    # with every commit of a fixture (tests/test_page_features.py checks it on its own)
    config = dataclasses.replace(config, features=dataclasses.replace(config.features, last_updated=False))
    result = build_site(config)
    report = "".join(line + "\n" for line in format_problems(result.problems))
    return {path: data for path, data in result.files.items() if with_static or not path.startswith("static/")}, report


def expected_files(site: Path) -> dict[str, bytes]:
    """Return the committed expected output of a fixture site."""
    expected = site / "expected"
    return {path.relative_to(expected).as_posix(): path.read_bytes() for path in sorted(expected.rglob("*")) if path.is_file()}


def regenerate(site: Path) -> None:
    """Rewrite the expected output of a fixture site."""
    files, report = build_fixture(site)
    expected = site / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    for relative, data in files.items():
        target = expected / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (site / "expected-problems.txt").write_text(report, "utf-8")


if __name__ == "__main__":
    for site in fixture_sites():
        regenerate(site)
        sys.stdout.write(f"regenerated {site.relative_to(Path.cwd()) if site.is_relative_to(Path.cwd()) else site}\n")
