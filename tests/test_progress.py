"""Progress of a long build: shown on a terminal after a while, never in a pipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.engine.progress import SHOW_AFTER, TerminalProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_quick_build_shows_nothing() -> None:
    written: list[str] = []
    clock = Clock()
    progress = TerminalProgress(written.append, clock)
    progress.start("markdown", 192)
    clock.now += SHOW_AFTER / 2
    progress.advance(100)
    progress.finish()
    assert written == []


def test_a_long_build_shows_the_stage_the_count_and_the_rate_then_clears_the_line() -> None:
    written: list[str] = []
    clock = Clock()
    progress = TerminalProgress(written.append, clock)
    progress.start("load", 9000)
    clock.now += SHOW_AFTER + 1
    progress.advance(3000)
    assert written[-1].startswith("\r")
    assert written[-1].split() == ["load", "3,000/9,000", f"{3000 / (SHOW_AFTER + 1):,.0f}/s"]
    shown = len(written)
    progress.advance()  # a moment later: the line is not redrawn for each page
    assert len(written) == shown
    progress.start("markdown", 9000)
    assert written[-1].split()[:2] == ["markdown", "0/9,000"]
    progress.finish()
    assert written[-1].strip() == "" and written[-1].endswith("\r")


def test_in_a_pipe_a_build_prints_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(project)]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.out + captured.err
    assert captured.out.splitlines()[-1].startswith("Built ")
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
