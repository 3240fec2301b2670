"""A stage's work shared with a forked child (sitegen/engine/parallel.py): the same results,
in the same order, whoever made them; a child that fails costs time, never a result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from sitegen.config import load_config
from sitegen.engine import parallel
from sitegen.engine.build import build_site, open_stages
from sitegen.engine.parallel import JOBS, LEAST, Shared, jobs
from tests.projects import REPO, copy_project

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="forks on Linux only")


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOBS, "2")  # whatever the machine's load
    monkeypatch.setenv(LEAST, "2")


def in_a_fresh_process(check: Callable[..., None], *arguments: str) -> None:
    """Run ``check`` in a new interpreter: a build forks only in a process of one thread,
    and a test process may hold others (Playwright's, for the browser tests)."""
    script = f"import sys; from tests.test_parallel import {check.__name__} as check; check(*sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", script, *arguments], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "check",
    [
        "every_other_item_is_made_by_a_child_and_the_results_keep_their_order",
        "what_the_child_changed_is_given_back",
        "a_child_that_fails_leaves_its_items_to_the_build",
        "a_child_that_dies_leaves_its_items_to_the_build",
        "an_error_of_the_build_itself_stops_the_child",
        "too_few_items_or_one_job_fork_nothing",
        "a_large_process_forks_nothing",
    ],
)
def test_forked_work(check: str) -> None:
    in_a_fresh_process(globals()[check])


def test_a_forked_build_is_the_sequential_build(tmp_path: Path) -> None:
    in_a_fresh_process(a_forked_build_is_the_sequential_build, str(tmp_path))


def test_a_large_site_forks_nothing(tmp_path: Path) -> None:
    in_a_fresh_process(a_large_site_forks_nothing, str(tmp_path))


def a_large_site_forks_nothing(folder: str) -> None:
    from sitegen.engine import memory
    from sitegen.engine.cache import Cache
    from sitegen.engine.stages import Stages

    del os.environ[LEAST]  # the stages' own thresholds
    root = copy_project(Path(folder) / "project")
    config, _ = load_config(root)
    assert config is not None
    asked: list[bool] = []
    forks = Shared.forks

    def noting(self: Shared[Any, Any], items: Sequence[Any]) -> bool:
        asked.append(forks(self, items))
        return asked[-1]

    Shared.forks = noting  # type: ignore[method-assign]
    build_site(config, Stages(Cache()))
    assert any(asked)  # the same build forks when nothing stops it
    asked.clear()
    memory.LARGE = 100  # the real site has 270 pages: "large" for this build
    build_site(config, Stages(Cache()))
    assert asked and not any(asked)  # a child would count, in the tree's memory, all it shares


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def every_other_item_is_made_by_a_child_and_the_results_keep_their_order() -> None:
    shared = Shared(square_and_pid, least=2)
    results = shared.run(list(range(9)))
    assert shared.forked
    assert [square for square, _pid in results] == [number * number for number in range(9)]
    pids = {pid for _square, pid in results}
    assert pids == {os.getpid(), results[1][1]} and results[1][1] != os.getpid()
    assert {pid for _square, pid in results[::2]} == {os.getpid()}


def too_few_items_or_one_job_fork_nothing() -> None:
    shared = Shared(square_and_pid, least=2)
    shared.run(list(range(9)))
    assert shared.forked  # the same call forks when nothing stops it
    os.environ[LEAST] = "10"
    assert {pid for _square, pid in shared.run(list(range(9)))} == {os.getpid()}
    assert not shared.forked
    os.environ[LEAST] = "2"
    os.environ[JOBS] = "1"
    assert {pid for _square, pid in shared.run(list(range(9)))} == {os.getpid()}
    assert not shared.forked


def test_a_busy_machine_gets_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOBS)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 1.0, 1.0))  # more than two cores' worth of work
    assert jobs() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.7, 1.0, 1.0))  # a core is free
    assert jobs() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert jobs() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    monkeypatch.setenv(JOBS, "2")  # asked for: whatever the load
    assert jobs() == 2


def a_large_process_forks_nothing() -> None:
    shared = Shared(square_and_pid, least=2)
    shared.run(list(range(9)))
    assert shared.forked  # the same call forks when nothing stops it
    parallel.MEMORY = parallel.resident()  # this process is now too large
    assert {pid for _square, pid in shared.run(list(range(9)))} == {os.getpid()}
    assert not shared.forked


def what_the_child_changed_is_given_back() -> None:
    seen: list[object] = []
    made: list[int] = []

    def work(number: int) -> int:
        made.append(number)  # in the child, this list is the child's
        return number

    # the child starts from what was made before the fork (the first item): setup forgets it
    shared = Shared(work, least=2, setup=made.clear, extra=lambda: sorted(made), merge=seen.append)
    assert shared.run([0, 1, 2, 3, 4]) == [0, 1, 2, 3, 4]
    assert made == [0, 2, 4]
    assert seen == [[1, 3]]


def a_child_that_fails_leaves_its_items_to_the_build() -> None:
    parent = os.getpid()

    def work(number: int) -> tuple[int, int]:
        if os.getpid() != parent and number == 3:
            raise RuntimeError("the child fails at its second item")
        return number, os.getpid()

    shared = Shared(work, least=2)
    results = shared.run(list(range(8)))
    assert [number for number, _pid in results] == list(range(8))
    assert results[1][1] != parent  # sent before the failure
    assert results[3][1] == results[5][1] == results[7][1] == parent  # done here after it


def a_child_that_dies_leaves_its_items_to_the_build() -> None:
    parent = os.getpid()

    def work(number: int) -> tuple[int, int]:
        if os.getpid() != parent:
            os._exit(3)
        return number, os.getpid()

    shared = Shared(work, least=2)
    assert shared.run(list(range(6))) == [(number, parent) for number in range(6)]
    assert shared.forked


def an_error_of_the_build_itself_stops_the_child() -> None:
    parent = os.getpid()

    def work(number: int) -> int:
        if os.getpid() != parent and number == 3:
            signal.pause()  # a child at work, until it is stopped: never waited for
        if number == 4:
            raise ValueError("ours")
        return number

    shared = Shared(work, least=2)
    with pytest.raises(ValueError, match="ours"):
        shared.run([0, 1, 4, 3])  # the child sends 1, then works on 3 while we fail at 4
    assert shared.forked  # and the child, stopped, is gone: no process is left to wait for
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def a_forked_build_is_the_sequential_build(folder: str) -> None:
    root = copy_project(Path(folder) / "site")
    config, problems = load_config(root)
    assert config is not None and not problems
    os.environ[JOBS] = "1"
    alone = build_site(config, open_stages(config, persistent=False))
    os.environ[JOBS] = "2"
    forked: list[bool] = []
    stream = Shared.stream

    def noting(self: Shared[object, object], items: list[object]) -> object:
        made = stream(self, items)
        forked.append(self.forked)
        return made

    Shared.stream = noting  # type: ignore[method-assign,assignment]  # a process of its own
    shared = build_site(config, open_stages(config, persistent=False))
    # the pages read, the markdown of the source pages and of the translations, the outputs
    assert forked.count(True) == 4, forked
    assert shared.files == alone.files
    assert shared.problems == alone.problems


def test_sitegen_build_writes_the_same_files_with_a_forked_child_or_without(tmp_path: Path) -> None:
    # through the command and the output folder's writer: the children's pages come back
    # to the build, which writes every file
    root = copy_project(tmp_path / "site")
    trees = {}
    for jobs_asked in ("1", "2"):
        out = tmp_path / f"out-{jobs_asked}"
        command = [sys.executable, "-m", "sitegen", "--debug", "build", "--root", str(root), "--no-cache", "--quiet", "--out", str(out)]
        done = subprocess.run(command, cwd=REPO, env={**os.environ, JOBS: jobs_asked}, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert ("shared with a forked child" in done.stderr) == (jobs_asked == "2")
        trees[jobs_asked] = {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert len(trees["1"]) > 500
    assert trees["1"] == trees["2"]
