"""File events -> one batch of changes per save: filter, debounce, classify.

A watchdog observer reports every event under the watched folders. Editor droppings and
the output folder are left out, events are gathered until the files stop changing for a
moment (one save by an editor is several events: a probe file, a rename, a backup
deleted), and the batch is handed to a callback as :class:`Changes`, classified by the
folder it happened in (Zola's ``ChangeKind``, MkDocs' ``build_delay``).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

log = logging.getLogger(__name__)

COUNTED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
"""The events asked of the system: not opening or reading a file, which every build does
to every page (inotify would report each, and handling them slows the build down)."""
SETTLE_SECONDS = 0.03
"""How long events must stop before a batch is built, unless the last one is a write known
to be complete (see :class:`Debouncer`): this covers the gaps between the steps of one
save (a rename, then a new file), well under a millisecond, a few on a loaded machine."""
WRITING_SECONDS = 0.5
"""How long a batch waits at most for a created file to be closed by its writer."""
VANISHED_SECONDS = 0.25
"""How long a batch waits at most for a file that went away to come back: saving by
renaming the old file away first (vim, JetBrains) must not look like a deletion."""
IGNORED_NAMES = frozenset({"4913"})
"""vim writes and deletes ``4913`` to learn whether it may create files in a folder."""
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", "___jb_tmp___", "___jb_old___")
"""vim swap files, backups (vim, Emacs), temporary files, JetBrains' safe-write files."""


def is_ignored(name: str) -> bool:
    """Return whether a file or folder name is an editor's dropping or hidden."""
    return (
        name.startswith(".")  # dotfiles: .#lock files (Emacs), .swp of nano, .goutputstream (GNOME), .git
        or name in IGNORED_NAMES
        or name.endswith(IGNORED_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))  # Emacs auto-save
    )


@dataclass(frozen=True, slots=True)
class Changes:
    """The paths changed in one batch, by kind (``content``, ``templates``, ``static`` ...)."""

    paths: Mapping[str, frozenset[Path]]

    @property
    def kinds(self) -> frozenset[str]:
        """Return the kinds of input that changed."""
        return frozenset(kind for kind, paths in self.paths.items() if paths)

    def __getitem__(self, kind: str) -> frozenset[Path]:
        return self.paths.get(kind, frozenset())


class Classifier:
    """Says what kind of input a path is, or ``None`` when it does not count."""

    def __init__(self, folders: Mapping[Path, str], files: Mapping[Path, str] | None = None, ignore: Iterable[Path] = ()) -> None:
        # the deepest folder first, so a folder nested in another is classified as itself
        self.folders = dict(sorted(folders.items(), key=lambda item: len(item[0].parts), reverse=True))
        self.files = dict(files or {})
        self.ignore = tuple(ignore)

    def classify(self, path: Path) -> str | None:
        """Return the kind of ``path``: its folder's kind, unless it is ignored."""
        if path in self.files:
            return self.files[path]
        if any(path.is_relative_to(folder) for folder in self.ignore):
            return None
        for folder, kind in self.folders.items():
            if path.is_relative_to(folder):
                relative = PurePath(path.relative_to(folder))
                return None if any(is_ignored(part) for part in relative.parts) else kind
        return None


class Debouncer:
    """Gathers changed paths until they stop changing for ``delay`` seconds, then calls back once.

    A batch whose last change is *complete* (a file closed after writing, or renamed into
    place: inotify's close-write and moved-to) and that waits for no pending path is
    called back at once, without the settle: the goal is an edit shown in the browser
    within 100 ms of the write, and a save ends with such an event. A batch that starts
    while the callback runs, or less than ``delay`` after it, settles as usual: the rest
    of a burst of writes is one more batch, not one per write.

    A path can also be pending: created but not yet closed (still being written), or
    gone (maybe renamed away by an editor that writes a new file next). The batch waits
    for it to settle, or for as long as it was said to be pending, so that a slow save is
    never read half-written nor a rename-save taken for a deletion.
    """

    def __init__(self, callback: Callable[[Changes], None], delay: float = SETTLE_SECONDS) -> None:
        self.delay = delay
        self._callback = callback
        self._condition = threading.Condition()
        self._batch: dict[str, set[Path]] = {}
        self._pending: dict[Path, float] = {}
        """Pending paths, and until when the batch waits for each."""
        self._last = 0.0
        self._complete = False
        """Whether the last change was a complete write."""
        self._started = 0.0
        """When the first change of the batch came."""
        self._finished = -math.inf
        """When the last callback returned."""
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="sitegen-debounce", daemon=True)
        self._thread.start()

    def add(self, kind: str, path: Path, *, pending: float = 0.0, complete: bool = False) -> None:
        """Count a change of ``path``; wait up to ``pending`` seconds for it to settle;
        ``complete``: the change is a finished write, which needs no settle."""
        with self._condition:
            self._last = time.monotonic()
            if not self._batch:
                self._started = self._last
            self._batch.setdefault(kind, set()).add(path)
            self._complete = complete and not pending
            if pending:
                self._pending[path] = self._last + pending
            else:
                self._pending.pop(path, None)
            self._condition.notify()

    def close(self) -> None:
        """Stop; a batch still gathering is dropped."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _wait_for_batch(self) -> Changes | None:
        with self._condition:
            while not self._batch and not self._closed:
                self._condition.wait()
            while not self._closed:
                now = time.monotonic()
                quick = self._complete and self._started - self._finished >= self.delay
                remaining = 0.0 if quick else self._last + self.delay - now
                if self._pending:
                    remaining = max(remaining, max(self._pending.values()) - now)
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            if self._closed:
                return None
            batch, self._batch = self._batch, {}
            self._pending.clear()
            self._complete = False
        return Changes({kind: frozenset(paths) for kind, paths in sorted(batch.items())})

    def _run(self) -> None:
        while (changes := self._wait_for_batch()) is not None:
            try:
                self._callback(changes)
            except Exception:  # the callback reports its own errors; this keeps the watch alive
                log.exception("rebuild failed")
            with self._condition:
                self._finished = time.monotonic()


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into counted paths."""

    def __init__(self, classifier: Classifier, debouncer: Debouncer) -> None:
        self.classifier = classifier
        self.debouncer = debouncer
        self.close_events = False
        """Whether the platform reports closing a written file (inotify does)."""

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write") or (event.is_directory and kind == "modified"):
            return  # reads, and a folder's own listing changing, are no change of content
        if kind == "closed":
            self.close_events = True
            self._count(Path(os.fsdecode(event.src_path)), complete=True)
            return
        if kind == "modified" and self.close_events:
            return  # a write ends with a close event; a lone modified is only metadata
        source = Path(os.fsdecode(event.src_path))
        if kind == "moved":  # a rename counts for its destination, and as the source going
            self._count(source, VANISHED_SECONDS)
            self._count(Path(os.fsdecode(event.dest_path)), complete=not event.is_directory)
        elif kind == "deleted":
            self._count(source, VANISHED_SECONDS)
        elif kind == "created" and self.close_events and not event.is_directory:
            self._count(source, WRITING_SECONDS)
        else:
            self._count(source)

    def _count(self, path: Path, pending: float = 0.0, *, complete: bool = False) -> None:
        kind = self.classifier.classify(path)
        if kind is not None:
            self.debouncer.add(kind, path, pending=pending, complete=complete)


class Watcher:
    """Watches the classifier's folders and files, and calls back once per batch of changes."""

    def __init__(self, classifier: Classifier, callback: Callable[[Changes], None], delay: float = SETTLE_SECONDS) -> None:
        self.debouncer = Debouncer(callback, delay)
        self._observer = Observer()
        handler = _Handler(classifier, self.debouncer)
        watched: set[tuple[Path, bool]] = set()
        for folder in classifier.folders:
            if folder.is_dir():
                watched.add((folder, True))
        for file in classifier.files:
            if not any(file.is_relative_to(folder) for folder, _ in watched):
                watched.add((file.parent, False))
        for folder, recursive in sorted(watched):
            self._observer.schedule(handler, str(folder), recursive=recursive, event_filter=COUNTED_EVENTS)
        self.watched = sorted(watched)

    def start(self) -> None:
        """Start watching."""
        self._observer.start()

    def close(self) -> None:
        """Stop watching and stop calling back."""
        self._observer.stop()
        self._observer.join()
        self.debouncer.close()
