"""Writing: a swap in one step, nothing outside the output folder, nothing stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.output.write import SiteWriter, write_site
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


def test_a_spare_tree_is_written_over_only_where_its_files_are_its_own(tmp_path: Path) -> None:
    # the tree a build replaced waits as the next build's staging folder: its own files are
    # written over in place (making a file costs more than writing over one), but a file
    # that has another name (the site's, hard-linked), a link or a pipe is never written through
    out, spare, outside = tmp_path / "_site", tmp_path / "cache" / "spare-site", tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.html").write_bytes(b"outside")
    first = SiteWriter(out, spare=spare)
    names = ("own", "linked", "pipe", "link", "longer", "private")
    for name in names:
        first.put(f"{name}/index.html", "1", b"first build: " + name.encode() * 20)
    first.commit()
    second = SiteWriter(out, manifest=first.manifest, spare=spare)
    second.put("own/index.html", "2", b"second build")  # the first tree becomes the spare
    second.commit()
    assert spare.is_dir()
    os.link(out / "own" / "index.html", tmp_path / "site-file")  # a second name, as a hard link is
    (spare / "linked" / "index.html").unlink()
    os.link(tmp_path / "site-file", spare / "linked" / "index.html")
    (spare / "pipe" / "index.html").unlink()
    os.mkfifo(spare / "pipe" / "index.html")  # opened for writing, it would wait for a reader
    (spare / "link" / "index.html").unlink()
    (spare / "link" / "index.html").symlink_to(outside / "kept.html")
    (spare / "private" / "index.html").chmod(0o600)  # not what a new file gets: made anew
    mode = (out / "own" / "index.html").stat().st_mode

    third = SiteWriter(out, spare=spare)
    files = {f"{name}/index.html": f"third build: {name}".encode() for name in names}
    with (spare / "own" / "index.html").open("rb") as own, (spare / "private" / "index.html").open("rb") as private:
        for path, data in files.items():
            third.put(path, "3", data)
        third.commit()
        assert own.read() == b"third build: own"  # written over, not made again (a new file would leave this one as it was)
        assert private.read() == b"first build: " + b"private" * 20

    assert {path: (out / path).read_bytes() for path in files} == files  # the longer file cut to its new length
    assert (tmp_path / "site-file").read_bytes() == b"second build"
    assert (outside / "kept.html").read_bytes() == b"outside"
    assert all((out / path).is_file() and not (out / path).is_symlink() for path in files)
    assert {(out / path).stat().st_mode for path in files} == {mode}
    fourth = SiteWriter(out, manifest=third.manifest)
    assert all(fourth.reuse(path, "3") for path in files)  # what the manifest says of each file is what it is
