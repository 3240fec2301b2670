"""Writing: a swap in one step, nothing outside the output folder, nothing stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.output.write import write_site
from sitegen.site.urls import safe_output_path


def test_write_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site({"a/index.html": b"1", "b.txt": b"2"}, out)
    write_site({"a/index.html": b"3"}, out)
    assert sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()) == [".sitegen-output", "a/index.html"]
    assert (out / "a" / "index.html").read_bytes() == b"3"
    assert [path.name for path in tmp_path.iterdir()] == ["_site"]


def test_a_path_leaving_the_folder_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site({"index.html": b"old"}, out)
    with pytest.raises(ValueError, match="outside the output folder"):
        write_site({"index.html": b"new", "../evil.html": b"x"}, out)
    assert (out / "index.html").read_bytes() == b"old"
    assert not (tmp_path / "evil.html").exists()
    assert [path.name for path in tmp_path.iterdir()] == ["_site"]


@given(st.lists(st.sampled_from(["..", ".", "a", "b", "", "%2e%2e", "\\", "/"]), max_size=6).map("/".join))
def test_output_paths_always_stay_under_the_folder(relative: str) -> None:
    safe = safe_output_path(relative)
    if safe is not None:
        resolved = (Path("/site") / safe).resolve()
        assert resolved.is_relative_to(Path("/site"))
        assert ".." not in Path(safe).parts
