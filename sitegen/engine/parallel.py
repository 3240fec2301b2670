"""Share a stage's work with a forked copy of the build, on the machine's second core.

A stage that has much to redo (every entry's markdown in a cold build, every page's
template) hands every other item to a child made with ``fork``: the child has the whole
build as it is at that moment (the site, the parsers, the templates), does its items and
sends each result back, pickled, as soon as it is made; the build does its own items
meanwhile and takes the child's in their places (:meth:`Shared.stream`). The results are
the same whoever made them: an item depends on its inputs only.

A fork is made only where it is safe and pays:

- on Linux, with a second core that is not already busy: the load average is under the
  number of cores (:func:`jobs`; ``SITEGEN_JOBS=2`` forks whatever the load);
- when there are at least ``least`` items: a fork costs a few milliseconds, and an edit
  redoes few items;
- when the process runs one thread: a child of a process with other threads (the dev
  server, the search index's) may find a lock that one of them held at the fork;
- while the process is small (:data:`MEMORY`): a child shares the parent's memory, but
  its resident size counts all it maps, and the peak of a large build (9,000 pages: the
  build ~600 MB) would count twice in what the whole process tree holds.

``SITEGEN_JOBS=1`` turns it off. A child that fails or dies is not an error: the items it
did not send are done here.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Sequence

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

JOBS = "SITEGEN_JOBS"
"""Set to ``1``, no stage forks."""
LEAST = "SITEGEN_FORK_LEAST"
"""The fewest items worth a fork, if set (the tests set it low: every build of more than
a couple of items takes the forked path, and its output is checked like any other)."""
PIPE_SIZE = 1 << 20
"""How much the child may send ahead of what the build has taken (Linux's default limit
for a pipe): a few dozen pages, so that neither process waits for the other."""
MEMORY = 256 << 20
"""The most resident memory a process may have to fork: a build of a few hundred pages
holds ~100 MB, one of 9,000 pages ~600 MB."""
_LENGTH = struct.Struct("<Q")


def jobs() -> int:
    """Return how many processes a stage may use: 1 or 2 (``$SITEGEN_JOBS`` if set)."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return 1  # macOS's libraries are not safe to use in a forked child
    asked = os.environ.get(JOBS, "").strip()
    if asked.isdigit():
        return 1 if int(asked) <= 1 else 2
    cores = len(os.sched_getaffinity(0))
    # a second process pays only where a core is free: on a machine already busy (other
    # builds, a test run) it adds its own work and takes nothing off the build's
    return 2 if cores > 1 and os.getloadavg()[0] < cores else 1


def least(default: int) -> int:
    """Return the fewest items worth a fork: ``default``, or ``$SITEGEN_FORK_LEAST``."""
    asked = os.environ.get(LEAST, "").strip()
    return int(asked) if asked.isdigit() else default


def resident() -> int:
    """Return the resident memory of this process, in bytes (0 where it is not known)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Shared(Generic[T, R]):
    """``work`` done on every item; every other item by a forked child when it pays.

    ``setup`` is called in the child before its items (to leave alone what it must not
    touch, such as the cache's database); ``extra`` after them, and what it returns (what
    the child changed besides its results: the cache entries it made) is given to
    ``merge`` here, once every result is taken.
    """

    def __init__(
        self,
        work: Callable[[T], R],
        *,
        least: int,
        setup: Callable[[], None] | None = None,
        extra: Callable[[], Any] | None = None,
        merge: Callable[[Any], None] | None = None,
    ) -> None:
        self._work = work
        self._least = least
        self._setup = setup
        self._extra = extra
        self._merge = merge
        self.forked = False
        """Whether the last :meth:`stream` shared its items with a child."""

    def forks(self, items: Sequence[T]) -> bool:
        """Return whether :meth:`stream` would share these items with a child."""
        return len(items) >= least(self._least) and jobs() > 1 and threading.active_count() == 1 and resident() < MEMORY

    def run(self, items: Sequence[T]) -> list[R]:
        """Return ``work(item)`` for every item, in order."""
        return list(self.stream(items))

    def stream(self, items: Sequence[T]) -> Generator[R, None, None]:
        """Yield ``work(item)`` for every item, in order, each as it is asked for.

        The child, if any, is forked at once (before the caller starts threads of its own),
        once the first item is made here: what every item needs once (an import, a compiled
        template, a language's locale data) is then made once, before the fork, not in both.
        """
        self.forked = False
        if not self.forks(items):
            return self._results(items, None, [])
        first = [self._work(items[0])]
        child = _fork(lambda writer: self._child(items[1::2], writer))
        self.forked = child is not None
        if child is not None:
            log.debug("%d items shared with a forked child (pid %d)", len(items), child.pid)
        return self._results(items, child, first)

    def _results(self, items: Sequence[T], child: _Child | None, made: list[R]) -> Generator[R, None, None]:
        """Yield the results: ``made`` (those of the first items) first, then the rest."""
        yield from made
        if child is None:
            for item in items[len(made) :]:
                yield self._work(item)
            return
        try:
            for index in range(len(made), len(items)):
                if index % 2 == 0:
                    yield self._work(items[index])
                    continue
                record = child.next()
                yield record[1] if record is not None and record[0] == "item" else self._work(items[index])
            record = child.next()
            if record is not None and record[0] == "extra" and self._merge is not None:
                self._merge(record[1])
        finally:
            child.close()

    def _child(self, items: Sequence[T], writer: Callable[[object], None]) -> None:
        if self._setup is not None:
            self._setup()
        for item in items:
            writer(("item", self._work(item)))
        writer(("extra", self._extra() if self._extra is not None else None))


class _Child:
    """A forked child, and the records it sends (``None`` once it sends no more)."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self._pipe = os.fdopen(reader, "rb")
        self._done = False

    def next(self) -> tuple[str, Any] | None:
        if self._done:
            return None
        head = self._pipe.read(_LENGTH.size)
        if len(head) == _LENGTH.size:
            (length,) = _LENGTH.unpack(head)
            payload = self._pipe.read(length)
            if len(payload) == length:
                record: tuple[str, Any] = pickle.loads(payload)
                if record[0] != "failed":
                    return record
                log.debug("a forked child failed; what it did not send is done here:\n%s", record[1])
        self._done = True
        return None

    def close(self) -> None:
        """Stop the child if it is still at work, and wait for it."""
        self._pipe.close()
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _fork(job: Callable[[Callable[[object], None]], None]) -> _Child | None:
    """Start a child that runs ``job`` with a function sending records back; ``None`` if
    none could start."""
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    with contextlib.suppress(OSError, AttributeError, ValueError):
        import fcntl

        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # type: ignore[attr-defined,unused-ignore]
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: never returns
        _run_child(job, reader, writer)
    os.close(writer)
    return _Child(pid, reader)


def _run_child(job: Callable[[Callable[[object], None]], None], reader: int, writer: int) -> None:
    status = 0
    gc.freeze()  # the child's collections leave the objects it shares with the build untouched
    try:
        os.close(reader)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once: the parent reports it
        with os.fdopen(writer, "wb") as out:

            def send(record: object) -> None:
                payload = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_LENGTH.pack(len(payload)))
                out.write(payload)
                out.flush()

            try:
                job(send)
            except BaseException:  # sent as a failure: the parent does what is left
                status = 1
                send(("failed", traceback.format_exc()))
    except BaseException:
        status = 1
    finally:
        os._exit(status)
