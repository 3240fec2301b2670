"""The ``output`` stage: every output kept from the last build when what its view read
gives the same (``reads``), rendered otherwise; the files made without a template; the
search index fed with the pages (``search``)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.engine.keys import digest, environment_key, fingerprint
from sitegen.engine.stages.base import StagesBase

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from sitegen.engine.search import SearchFeed
    from sitegen.engine.stages.templates import Catalogs, Templates
    from sitegen.output.write import Sink
    from sitegen.render.bodies import PageMemo
    from sitegen.render.plan import Output
    from sitegen.render.reads import Read, ReadMemory, Recorder
    from sitegen.render.views import Renderer
    from sitegen.site.model import Problem

FORK_OUTPUTS = 64
"""The fewest outputs to make worth a forked child (~1-3 ms each)."""

CHECK_VIEWS = "SITEGEN_CHECK_VIEWS"
"""Set to ``1``, every view kept by its reads is made anyway, and a build fails if it
changed (the tests set it)."""


@dataclass(frozen=True)
class KeptView:
    """What an output's view read in the build that made it (:mod:`sitegen.render.reads`),
    the hash of what those reads gave, and the view's ``output`` key."""

    output: Output
    reads: tuple[Read, ...]
    reads_key: str
    key: str


@dataclass(frozen=True)
class EarlyPages:
    """Pages wanted before the rest of the outputs (the dev server's open pages): made
    first in the output stage, each given to :attr:`push` as soon as it is made, if it
    changed and if :attr:`ready` says that nothing of the build so far failed."""

    pages: Callable[[], Collection[str]]
    """The output paths wanted first (asked when the output stage starts)."""
    push: Callable[[str, bytes], None]
    """Given each of those pages made in this build with other bytes than the last one's."""
    ready: Callable[[list[Problem]], bool]
    """Whether the build's problems so far let a page be shown before the build is over."""


class OutputStage(StagesBase):
    """The ``output``, ``reads`` and ``search`` stages."""

    def page_memo(self, name: str) -> PageMemo | None:
        """Return the dev server's memo of what ``name`` (``without_texts``...) made of each
        page in the last build; ``None`` in a build of its own (it would hold every page)."""
        if not self.cache.keep_in_memory:
            return None
        from sitegen.render.bodies import PageMemo

        return self._page_memos.setdefault(name, PageMemo())

    def read_memory(self) -> ReadMemory | None:
        """Return the dev server's memory of what the views' reads gave in the last build
        (:class:`~sitegen.render.reads.ReadMemory`); ``None`` in a build of its own."""
        if not self.cache.keep_in_memory:
            return None
        if self._read_memory is None:
            from sitegen.render.reads import ReadMemory

            self._read_memory = ReadMemory()
        return self._read_memory

    # -- outputs ------------------------------------------------------------------------

    def render_outputs(
        self,
        renderer: Renderer,
        recorder: Recorder,
        outputs: Mapping[str, Output],
        sink: Sink,
        templates: Templates,
        catalogs: Catalogs,
        feed: SearchFeed | None = None,
        early: EarlyPages | None = None,
    ) -> list[Problem]:
        """Give every output to ``sink``: kept from the last build when its view is the same
        (known by what ``recorder`` saw the view read), rendered otherwise; return the
        template errors met. ``feed`` is given every HTML page, in the same order in every
        build, for the search index. ``early``: pages made first, and pushed as soon as
        made when they changed, before the other outputs are checked (given to ``sink``
        in the usual order, as the same bytes)."""
        from sitegen.engine.parallel import Shared
        from sitegen.render.views import render_output

        problems: dict[Problem, None] = {}
        figures = self.cache.figures["output"]
        views = self.cache.figures["views"]
        source = renderer.config.source_language

        def output_key(output: Output, view: object) -> str:
            return fingerprint(environment_key(), "output", templates.key, catalogs.keys[output.language or source], output, view)

        self.progress.start("output", len(outputs))
        if feed is not None:
            for language, pages in Counter(output.language or "" for path, output in outputs.items() if path.endswith(".html")).items():
                feed.expect(language, pages)
        shared = recorder.shared_key(templates.key, sorted(catalogs.keys.items()))
        views_key = fingerprint(environment_key(), "reads", shared)
        stored = self.cache.get("reads", views_key)
        previous: Mapping[str, KeptView] = stored if isinstance(stored, dict) else {}
        known: dict[str, KeptView] = {}
        check = os.environ.get(CHECK_VIEWS) == "1"
        paths = sorted(outputs)
        unchanged: dict[str, KeptView] = {}

        def kept(path: str, same: set[Read] | None = None) -> KeptView | None:
            """Return the last build's view of ``path`` if what it read gives the same
            (``same``: reads known to give what they gave in the last build)."""
            output = outputs[path]
            last = previous.get(path)
            if last is None or last.output != output:
                return None
            if not (same is not None and same.issuperset(last.reads)) and recorder.dependencies_key(shared, last.reads) != last.reads_key:
                return None
            # what the view read is what it read last time: the same view, without making it
            if check:
                assert output_key(output, renderer.view(output)) == last.key, f"{path}: the view changed, but not what it read"
            return last

        def make(path: str) -> tuple[KeptView | None, bytes | Problem | None]:
            """Make an output's view, watching what it reads, and its bytes unless the sink
            has those of the same view; a view that fails is rendered to report its error."""
            output = outputs[path]
            try:
                with recorder.watching() as reads:
                    view = renderer.view(output)
            except Exception:  # the same error is raised, and reported, when it is rendered
                return None, render_output(renderer, output, None)
            key = output_key(output, view)
            made = KeptView(output, tuple(reads), recorder.dependencies_key(shared, reads), key)
            return made, None if sink.has(path, key) else render_output(renderer, output, view)

        premade: dict[str, tuple[KeptView | None, bytes | Problem | None]] = {}
        """The pages made first (``early``), by path."""
        for path in sorted(set(early.pages()) & outputs.keys()) if early is not None else ():
            last = kept(path)
            if last is not None:
                unchanged[path] = last  # the open page shows it already
                continue
            premade[path] = made_first = make(path)
            if early is not None and made_first[0] is not None and isinstance(made_first[1], bytes):
                early.push(path, made_first[1])  # (``None``: the same bytes as the last build's)
        same = recorder.unchanged_reads()  # the dev server: the views of the last build whose reads give the same are kept unhashed
        for path in paths:
            if path not in premade and path not in unchanged:
                last = kept(path, same)
                if last is not None:
                    unchanged[path] = last
        views.hits += len(unchanged)
        todo = [path for path in paths if path not in unchanged and path not in premade]
        views.misses += len(todo) + len(premade)
        worker = Shared(make, least=self._fork_least(FORK_OUTPUTS), setup=self.cache.detach, extra=self.cache.made, merge=self.cache.adopt)
        if worker.forks(todo):
            templates.load_all()  # compiled once, before the fork, not in both processes
        made = worker.stream(todo)
        try:
            for path in paths:
                self.progress.advance()
                output = outputs[path]
                last = unchanged.get(path)
                data: bytes | Problem | None = None
                if path in premade:
                    last, data = premade[path]
                elif last is None:
                    last, data = next(made)
                key = ""
                if last is not None:
                    key = last.key
                    self._output_keys[path] = key
                    known[path] = last
                    if sink.reuse(path, key):
                        figures.hits += 1
                        if feed is not None and path.endswith(".html"):
                            feed.page(output.language or "", path, key, None)
                        continue
                    if data is None:
                        data = render_output(renderer, output, renderer.view(output))
                assert data is not None
                figures.misses += 1
                self._work.outputs.append(path)
                if isinstance(data, bytes):
                    sink.put(path, key, data)
                    if feed is not None and path.endswith(".html"):
                        feed.page(output.language or "", path, key, data)
                else:
                    problems[data] = None
            assert next(made, None) is None  # and the child's cache entries are taken
        finally:
            made.close()
        recorder.remember()
        self.ran.add("reads")
        if known != previous:
            self.cache.put("reads", views_key, known)
        return list(problems)

    def put_files(self, files: Mapping[str, bytes], sink: Sink) -> None:
        """Give files made without a template (static files, hosting files) to ``sink``, kept
        from the last build when their bytes are the same."""
        for path, data in files.items():
            key = fingerprint(environment_key(), "file", digest(data))
            self._output_keys[path] = key
            if not sink.reuse(path, key):
                sink.put(path, key, data)

    # -- search -------------------------------------------------------------------------

    def search_feed(self, sink: Sink) -> SearchFeed:
        """Return where the output stage hands its pages for the search index."""
        from sitegen.engine.search import SearchFeed

        return SearchFeed(self.cache, sink)

    def index_search(self, feed: SearchFeed) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the search bundle (``pagefind/...``) of the pages given to ``feed``: each
        language's from the cache when none of its pages changed (their ``output`` keys fix
        their bytes), from Pagefind otherwise. A bundle that could not be made is never cached."""
        self.ran.add("search")
        return feed.finish()
