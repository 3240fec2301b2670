"""Crash safety: a build killed at any moment leaves the previous site whole (or the new
one whole), and the next build cleans up and writes exactly what a clean build writes.

Two kinds of kill: at each named step of the swap (the fault hook of
:mod:`sitegen.output.swap`), with the one-step exchange and with the two-rename fallback;
and ``SIGKILL`` at random moments of real ``sitegen build`` processes. The number of
random kills is ``SITEGEN_KILLS`` (default 24).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.output.swap import FAULT_ENV, MARKER, STEPS, SWAP_ENV, Staging, recover
from sitegen.output.write import write_site
from tests.conftest import REPO

Versions = tuple[Path, dict[str, bytes], dict[str, bytes]]
"""A project, its site as it is, and its site after an edit."""
SITE = Path(__file__).parent / "sites" / "multilingual"
"""A small site: a build is short, so the kills fall in every stage, the write included."""
KILLS = int(os.environ.get("SITEGEN_KILLS", "24"))


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def siblings(output: Path) -> list[str]:
    """Return what builds left beside the output folder (staging folders, a parked site)."""
    return sorted(path.name for path in output.parent.iterdir() if path.name.startswith(f".{output.name}"))


def run_build(root: Path, **environment: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", "--root", str(root)],
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def build(root: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    """Return a project and its two sites: as it is (old) and after an edit (new), each
    built cleanly elsewhere."""
    root = tmp_path_factory.mktemp("crash") / "project"
    shutil.copytree(SITE / "content", root / "content")
    config = (SITE / "pyproject.toml").read_text("utf-8").replace('"../../../', f'"{REPO}/')
    (root / "pyproject.toml").write_text(config, "utf-8")
    build(root)
    old = tree(root / "_site")
    page = root / "content" / "en" / "307.md"
    page.write_text(page.read_text("utf-8").replace("## ", "## Edited: ", 1), "utf-8")
    build(root)
    new = tree(root / "_site")
    assert old != new
    return root, old, new


def reset(root: Path, old: dict[str, bytes]) -> None:
    """Put the old site in ``_site/`` and nothing beside it."""
    output = root / "_site"
    write_site(old, output)
    for name in siblings(output):
        shutil.rmtree(output.parent / name)
    assert tree(output) == old


@pytest.mark.parametrize(
    ("step", "swap", "left"),
    [
        ("staged", "exchange", "old"),
        ("kept", "exchange", "old"),
        ("swapped", "exchange", "new"),
        ("staged", "rename", "old"),
        ("moved-previous", "rename", "old after recovery"),
        ("swapped", "rename", "new"),
    ],
)
def test_killed_at_each_step_of_the_swap(versions: Versions, step: str, swap: str, left: str) -> None:
    root, old, new = versions
    output = root / "_site"
    reset(root, old)
    assert step in STEPS
    process = run_build(root, **{FAULT_ENV: step, **({SWAP_ENV: "rename"} if swap == "rename" else {})})
    assert process.wait() == -signal.SIGKILL
    assert siblings(output) != []  # what the killed build left
    if left == "old after recovery":
        assert not output.exists()  # the moment the fallback cannot avoid
        assert recover(output)
    assert tree(output) == (new if left == "new" else old)
    build(root)
    assert tree(output) == new
    assert siblings(output) == []


@pytest.mark.timeout(900)
def test_killed_at_random_moments(versions: Versions) -> None:
    root, old, new = versions
    output = root / "_site"
    rng = random.Random(int(os.environ.get("SITEGEN_KILL_SEED", "11")))
    start = time.perf_counter()
    build(root)
    duration = time.perf_counter() - start
    outcomes = {"old": 0, "new": 0}
    for kill in range(KILLS):
        reset(root, old)
        process = run_build(root)
        if kill % 2:
            # anywhere in the build
            time.sleep(rng.uniform(0.2, 1.1) * duration)
        else:
            # in the write stage: from the moment the staging folder appears
            deadline = time.perf_counter() + 4 * duration
            while not any(name.startswith("._site-") for name in siblings(output)) and time.perf_counter() < deadline:
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = tree(output)
        assert found in (old, new), f"kill {kill}: the site is neither the old one nor the new one"
        outcomes["old" if found == old else "new"] += 1
    build(root)
    assert tree(output) == new
    assert siblings(output) == []
    print(f"{KILLS} kills: {outcomes['old']} left the old site, {outcomes['new']} the new one; none left a mix")


def test_a_live_build_is_never_cleaned_up_by_another(tmp_path: Path) -> None:
    output = tmp_path / "_site"
    staging = Staging(output)
    (staging.path / "index.html").write_bytes(b"new")
    assert recover(output) == []  # locked by this build: left alone
    assert (staging.path / MARKER).is_file()
    staging.commit()
    assert tree(output) == {MARKER: (output / MARKER).read_bytes(), "index.html": b"new"}
    assert siblings(output) == []


def test_only_sitegen_staging_folders_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "_site"
    mine = tmp_path / "._site-notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", "utf-8")
    legacy = tmp_path / "._site-old-ab12cd_3"
    legacy.mkdir()
    (legacy / "index.html").write_text("x", "utf-8")
    done = recover(output)
    assert done == ["removed ._site-old-ab12cd_3, left by a build that did not finish"]
    assert (mine / "keep.txt").is_file()


def test_a_folder_named_like_a_staging_folder_is_removed_only_if_it_holds_pages(tmp_path: Path) -> None:
    output = tmp_path / "_site"
    notes = tmp_path / "._site-archived"  # the name of a staging folder from before the marker
    notes.mkdir()
    (notes / "notes.md").write_text("mine", "utf-8")
    parked = tmp_path / "._site.previous"  # the fallback's name, but not a site it parked
    parked.mkdir()
    (parked / "index.html").write_text("mine too", "utf-8")
    pages = tmp_path / "._site-ab12cd34"
    (pages / "en").mkdir(parents=True)
    (pages / "index.html").write_text("x", "utf-8")
    assert recover(output) == ["removed ._site-ab12cd34, left by a build that did not finish"]
    assert (notes / "notes.md").read_text("utf-8") == "mine"
    assert (parked / "index.html").read_text("utf-8") == "mine too"
    assert not output.exists()
