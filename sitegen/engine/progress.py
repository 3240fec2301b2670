"""Progress of a long build: the stage, how many of its items are done, how fast.

The stages report to a :class:`Progress` (:meth:`Progress.start` a stage, then
:meth:`Progress.advance` per item); what is shown, and where, is the caller's: the command
line passes :class:`TerminalProgress` when its error stream is a terminal, which stays
silent for the first seconds (a quick build shows nothing) and then rewrites one status
line in place. In a pipe or a CI log nothing is shown: the command's last line says it all.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

SHOW_AFTER = 2.0
"""Seconds a build runs before its progress is shown."""
EVERY = 0.1
"""Seconds between two updates of the status line."""


class Progress:
    """Where the stages report their progress; this one ignores it."""

    def start(self, stage: str, total: int) -> None:
        """Start ``stage``, which has ``total`` items to go through."""

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items of the current stage as done."""

    def finish(self) -> None:
        """End the build's progress: clear what is shown."""


class TerminalProgress(Progress):
    """One status line on a terminal, rewritten in place: ``markdown  1200/9000 pages  450/s``."""

    def __init__(self, write: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self._write = write
        self._clock = clock
        self._began = clock()
        self._stage = ""
        self._total = 0
        self._done = 0
        self._stage_began = self._began
        self._shown_at = 0.0
        self._width = 0

    def start(self, stage: str, total: int) -> None:
        """Start ``stage``, which has ``total`` items to go through."""
        self._stage, self._total, self._done = stage, total, 0
        self._stage_began = self._clock()
        self._show(force=True)

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items as done; redraw at most every :data:`EVERY` seconds."""
        self._done += count
        self._show()

    def _show(self, force: bool = False) -> None:
        now = self._clock()
        if now - self._began < SHOW_AFTER or (not force and now - self._shown_at < EVERY):
            return
        self._shown_at = now
        elapsed = now - self._stage_began
        rate = f"  {self._done / elapsed:,.0f}/s" if elapsed > 0.2 and self._done else ""
        line = f"{self._stage:<10} {self._done:,}/{self._total:,}{rate}"
        self._write("\r" + line.ljust(self._width))
        self._width = len(line)

    def finish(self) -> None:
        """Clear the status line, if one was shown."""
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0
