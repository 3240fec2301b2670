"""What the stages remember: results by key, in memory and in the persistent store.

A stage asks ``cache.get(stage, key)`` before doing its work and ``cache.put(stage, key,
value)`` after; the key is :func:`sitegen.engine.keys.fingerprint` of everything the value
was made from. Values are plain picklable data (frozen dataclasses, tuples, bytes).

- ``sitegen build`` and ``check`` use a :class:`Cache` on a :class:`~sitegen.engine.store.Store`:
  values are pickled into it and read back in the next process.
- The dev server also keeps the values in memory (``keep_in_memory=True``): a rebuild
  unpickles nothing, and pickles what it made into the store only at :meth:`Cache.save`,
  which the dev server calls once the saves pause, and at :meth:`Cache.close`.
- Without a store (``--no-cache``, tests), a cache is empty at the start of each build:
  that build is a cold one, made by the same code.

At the end of a build, :meth:`Cache.finish` writes what is new and prunes, stage by stage,
the entries that build did not use: a stage that ran in full (every page went through
it) knows which of its entries are still alive. The cache therefore holds about one
build's worth of results, whatever the history.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sitegen.engine.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What :meth:`Cache.get` returns for a key it does not hold (values may be ``None``)."""


@dataclass(slots=True)
class StageFigures:
    """What one stage did in a build: for ``sitegen build --timings``."""

    hits: int = 0
    misses: int = 0
    seconds: float = 0.0


class Cache:
    """Results of the stages by key: in memory for this build (and the next, in the dev
    server), and in a persistent store when there is one."""

    def __init__(self, store: Store | None = None, *, keep_in_memory: bool = False) -> None:
        self.store = store
        self.keep_in_memory = keep_in_memory
        self._memory: dict[str, Any] = {}
        self._used: dict[str, set[str]] = defaultdict(set)
        self._unsaved: dict[str, tuple[str, Any]] = {}
        """Values kept in memory and not yet pickled into the store: written by :meth:`save`
        (and :meth:`finish`, :meth:`close`)."""
        self.figures: dict[str, StageFigures] = defaultdict(StageFigures)
        """Hits, misses and time of each stage in the current build."""
        self._made: list[tuple[str, str, Any]] | None = None

    def start(self) -> None:
        """Start counting a new build."""
        self._used.clear()
        self.figures.clear()

    def get(self, stage: str, key: str) -> Any:
        """Return the value stored under ``key``, or :data:`MISSING`."""
        self._used[stage].add(key)
        value = self._memory.get(key, MISSING)
        if value is MISSING and key in self._unsaved:  # made, let go of by the last build, not written yet
            value = self._memory[key] = self._unsaved[key][1]
        if value is MISSING and self.store is not None:
            payload = self.store.get(key)
            if payload is not None:
                try:
                    value = pickle.loads(payload)
                except Exception as error:  # a foreign entry that passed the checksum: never trusted
                    log.warning("cache entry %s of %s cannot be read (%s): ignored", key, stage, error)
                    value = MISSING
                if value is not MISSING and self.keep_in_memory:
                    self._memory[key] = value
        figures = self.figures[stage]
        if value is MISSING:
            figures.misses += 1
        else:
            figures.hits += 1
        return value

    def put(self, stage: str, key: str, value: Any) -> None:
        """Remember ``value`` under ``key``."""
        self._used[stage].add(key)
        if self._made is not None:
            self._made.append((stage, key, value))
        if self.keep_in_memory:
            self._memory[key] = value
            if self.store is not None:
                self._unsaved[key] = (stage, value)
        elif self.store is not None:
            self.store.put(stage, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _save(self) -> None:
        """Pickle into the store the values kept in memory since the last call."""
        if self.store is not None:
            for key, (stage, value) in self._unsaved.items():
                self.store.put(stage, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._unsaved.clear()

    def put_fresh(self, stage: str, key: str, value: T) -> T:
        """Remember ``value`` under ``key``; return it as the next build reads it back.

        Pickling a string that is not ASCII leaves a UTF-8 copy of it in the string for as
        long as it lives: a value that is kept (a large site's pages) would be held twice,
        the copy read back is held once.
        """
        if self.store is None or self.keep_in_memory:
            self.put(stage, key, value)
            return value
        self._used[stage].add(key)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.store.put(stage, key, payload)
        fresh: T = pickle.loads(payload)
        return fresh

    def touch(self, stage: str, keys: Iterable[str]) -> None:
        """Count ``keys`` as used by this build, unread: a result that is alive keeps the
        entries it was made with alive too."""
        self._used[stage].update(keys)

    def detach(self) -> None:
        """In a forked child (:mod:`sitegen.engine.parallel`): leave the store alone (its
        database is the parent's), and count and note what is done from now on, for
        :meth:`made`."""
        self.store = None
        self._made = []
        self.figures = defaultdict(StageFigures)

    def made(self) -> tuple[list[tuple[str, str, Any]], dict[str, tuple[int, int]]]:
        """Return the stage, key and value of everything put since :meth:`detach`, and the
        hits and misses of each stage since."""
        return list(self._made or ()), {stage: (figures.hits, figures.misses) for stage, figures in self.figures.items()}

    def adopt(self, made: tuple[list[tuple[str, str, Any]], dict[str, tuple[int, int]]]) -> None:
        """Keep what a forked child :meth:`made`, and count its hits and misses."""
        entries, counts = made
        for stage, key, value in entries:
            self.put(stage, key, value)
        for stage, (hits, misses) in counts.items():
            self.figures[stage].hits += hits
            self.figures[stage].misses += misses

    def timed(self, stage: str, seconds: float) -> None:
        """Add time spent in ``stage``."""
        self.figures[stage].seconds += seconds

    def used(self, stage: str) -> set[str]:
        """Return the keys of ``stage`` this build asked for or stored."""
        return self._used[stage]

    def finish(self, complete: Iterable[str] = ()) -> None:
        """Write the new entries, and prune those of the ``complete`` stages that this build
        did not use (a stage is complete when every input went through it)."""
        started = time.perf_counter()
        self._save()
        self.forget_unused()
        if self.store is not None:
            self.store.flush()
            for stage in complete:
                pruned = self.store.prune(stage, self._used[stage])
                if pruned:
                    log.debug("cache: pruned %d entries of %s", pruned, stage)
        self.timed("cache", time.perf_counter() - started)

    def forget_unused(self) -> None:
        """Let go of the values kept in memory that this build did not use (the dev server
        after an edit calls this alone, and :meth:`save` once the edits pause)."""
        if self.keep_in_memory:
            alive = set().union(*self._used.values()) if self._used else set()
            self._memory = {key: value for key, value in self._memory.items() if key in alive}

    def save(self) -> None:
        """Write the entries kept in memory and not yet written."""
        self._save()
        if self.store is not None:
            self.store.flush()

    def close(self) -> None:
        """Write what is pending and release the store."""
        self._save()
        if self.store is not None:
            self.store.close()
