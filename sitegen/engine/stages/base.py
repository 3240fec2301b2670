"""What every stage of a build shares: the cache, the progress, the work redone, the keys
the dev server gives again, the build's life (start, finish, timings, sinks) and a build
remembered whole. Each stage is a class over :class:`StagesBase` in a module of its own;
:class:`sitegen.engine.stages.Stages` is made of them all."""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.engine.cache import Cache
from sitegen.engine.keys import fingerprint
from sitegen.engine.progress import Progress
from sitegen.output.write import MemorySink

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import jinja2

    from sitegen.content.load import ContentListing
    from sitegen.engine.result import BuildResult
    from sitegen.output.write import Sink
    from sitegen.render.bodies import Markdown, PageMemo
    from sitegen.render.reads import ReadMemory
    from sitegen.site.model import Config


@dataclass(slots=True)
class Work:
    """What the stages redid since the last :meth:`Stages.take_work`."""

    loaded: list[str] = field(default_factory=list)
    """Content files loaded (paths relative to the project)."""
    entries: list[tuple[str, int]] = field(default_factory=list)
    """Entries whose markdown was rendered: (language tag, code)."""
    outputs: list[str] = field(default_factory=list)
    """Output files rendered."""


class StagesBase:
    """The state of the stages of a build, each remembering its results in :attr:`cache`
    (every stage's state is declared here, so that each stage's class may use it)."""

    def __init__(self, cache: Cache | None = None, progress: Progress | None = None) -> None:
        self.cache = cache if cache is not None else Cache()
        self.progress = progress or Progress()
        """Told how far the long stages (load, markdown, output) are."""
        self.ran: set[str] = set()
        """The stages every input went through in this build: their unused entries are pruned."""
        self._work = Work()
        self._pages = 0
        """How many page files the build has (a large build forks nothing: :meth:`_fork_least`)."""
        self._markdown: Markdown | None = None
        self._highlights: list[str] = []
        self._environments: dict[str, jinja2.Environment] = {}
        self._compiled: list[str] = []
        self._last_sink: MemorySink | None = None
        self._output_keys: dict[str, str] = {}
        """The key of every output given to the sink in this build."""
        self._history: tuple[tuple[object, ...], Mapping[str, datetime.date]] | None = None
        self._git_answers: dict[tuple[Path, str, str], bool | None] = {}
        self._page_memos: dict[str, PageMemo] = {}
        self._read_memory: ReadMemory | None = None
        self._keys: dict[tuple[str, object], tuple[tuple[object, ...], str]] = {}
        """The dev server's keys of the last build, by stage and slot, with their inputs (:meth:`_key`)."""
        self._new_keys: dict[tuple[str, object], tuple[tuple[object, ...], str]] = {}
        self._listing: ContentListing | None = None
        """This build's listing of ``content/`` (:meth:`~sitegen.engine.stages.load.LoadStage.load_pages`)."""
        self._stats: dict[tuple[str, str, Path, Path], tuple[tuple[int, ...], str]] = {}
        """The dev server's content files: the status each had when read, and the key of what was loaded
        (:meth:`~sitegen.engine.stages.load.LoadStage._unchanged`)."""

    # -- the build's life -------------------------------------------------------------

    def start(self) -> None:
        """Start a build."""
        self.cache.start()
        self.ran = set()
        self._listing = None
        self._keys, self._new_keys = self._new_keys or self._keys, {}
        self._output_keys = {}

    def _key(self, stage: str, slot: object, inputs: tuple[object, ...], make: Callable[[], str]) -> str:
        """Return ``make()``, the key of ``inputs``. The dev server gives the key of the last
        build again, unmade, while the inputs of ``slot`` (a page's path...) are equal to
        that build's: mostly the same objects, compared by identity first, where making the
        key pickles them (a page and its text) for every page of every build."""
        if not self.cache.keep_in_memory:
            return make()
        last = self._keys.get((stage, slot))
        key = last[1] if last is not None and last[0] == inputs else make()
        self._new_keys[(stage, slot)] = (inputs, key)
        return key

    # -- a build remembered whole -------------------------------------------------------

    def inputs_key(self, config: Config, search: bool = False) -> str | None:
        """Return the key of everything a build reads (:mod:`sitegen.engine.inputs`), where
        builds are remembered whole: with a persistent cache, and outputs that persist.
        Whether it makes the search index is part of it, and so is the commit checked out
        when the pages show the date of their last commit ("Last updated")."""
        if self.cache.store is None or self.cache.keep_in_memory:
            return None
        from sitegen.engine.inputs import inputs_key

        with self.timed("inputs"):
            key = inputs_key(config)
            if key is None:
                return None
            if config.features.last_updated:
                from sitegen.content.history import head_commit

                key = fingerprint(key, "history", head_commit(config))
            return fingerprint(key, "search", search)

    def recall_build(self, inputs: str, sink: Sink) -> BuildResult | None:
        """Return the last build if it read exactly ``inputs`` and ``sink`` still holds all
        its outputs (the files of ``_site/`` untouched); ``None`` otherwise."""
        from sitegen.engine.inputs import BuildRecord
        from sitegen.engine.result import BuildResult

        record = self.cache.get("build", inputs)
        if not isinstance(record, BuildRecord):
            return None
        with self.timed("output"):
            for path, key in record.outputs:
                if not sink.reuse(path, key):
                    return None
        self.cache.figures["output"].hits += len(record.outputs)
        self.ran.add("build")
        return BuildResult({}, list(record.problems), paths=record.paths, counts=record.counts)

    def remember_build(self, inputs: str, result: BuildResult) -> None:
        """Remember a build under the key of its inputs: the next one may be this one."""
        from sitegen.engine.inputs import BuildRecord

        assert result.site is not None
        counts = (len(result.site.entries), len(result.site.config.languages))
        record = BuildRecord(tuple(sorted(self._output_keys.items())), tuple(result.problems), result.paths, counts)
        self.cache.put("build", inputs, record)
        self.ran.add("build")

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Count the time spent in the block as ``stage``'s."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.cache.timed(stage, time.perf_counter() - started)

    def finish(self, *extra: str) -> None:
        """Write the new cache entries and prune the unused ones of the stages that ran in full."""
        self.cache.finish(self.ran | set(extra))

    def take_work(self) -> Work:
        """Return what was redone since the last call, and start counting again."""
        work, self._work = self._work, Work()
        return work

    def memory_sink(self) -> MemorySink:
        """Return a sink in memory; in the dev server, one that reuses the last build's outputs."""
        sink = MemorySink(self._last_sink if self.cache.keep_in_memory else None)
        return sink

    def keep_sink(self, sink: MemorySink) -> None:
        """Remember the outputs of a build that rendered them all, for the next one."""
        sink.finish()
        if self.cache.keep_in_memory:
            self._last_sink = sink

    def _fork_least(self, least: int) -> int:
        """Return the fewest items of a stage worth a forked child in this build: ``least``,
        but none in a large build (:data:`~sitegen.engine.memory.LARGE` pages or more): a
        child counts, in the memory of the process tree, all it shares with the build, and
        it took a 9,000-page build from 489 to 810 MB."""
        from sitegen.engine.memory import LARGE

        return least if self._pages < LARGE else sys.maxsize
