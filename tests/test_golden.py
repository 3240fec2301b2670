"""Golden-file tests: each fixture site's whole output, compared file by file."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden import build_fixture, expected_files, fixture_sites


@pytest.mark.parametrize("site", fixture_sites(), ids=lambda path: path.name)
def test_output_matches_golden_files(site: Path) -> None:
    files, report = build_fixture(site)
    expected = expected_files(site)
    assert sorted(files) == sorted(expected), "file list differs; run 'make golden' if the change is intended"
    for path in sorted(files):
        if files[path] != expected[path]:
            diff = difflib.unified_diff(
                expected[path].decode("utf-8", "replace").splitlines(),
                files[path].decode("utf-8", "replace").splitlines(),
                f"expected/{path}",
                f"built/{path}",
                lineterm="",
            )
            pytest.fail("\n".join(list(diff)[:80]) + "\n(run 'make golden' if the change is intended)")
    assert report == (site / "expected-problems.txt").read_text("utf-8")


@pytest.mark.parametrize("site", fixture_sites(), ids=lambda path: path.name)
def test_build_is_byte_identical_twice(site: Path) -> None:
    assert build_fixture(site) == build_fixture(site)
