"""The costly stages of a build, each result cached under the key of what it was made from.

:func:`sitegen.engine.build.build_site` runs the pipeline through a :class:`Stages`; every
build, cold or warm, command line or dev server, goes through the same code. What each
stage keys its results by (all keys also hold :func:`~sitegen.engine.keys.environment_key`:
the sitegen code, the Python version and the libraries' versions):

==============  ==============================================================================
stage           key
==============  ==============================================================================
``load``        a file's kind (page, intro, glossary), path, language and bytes -> its
                :class:`Page` (or :class:`Intro`, or :class:`Glossary`) and problems
``catalog``     the ``.po`` file's path and bytes, the language -> the compiled catalog
``markdown``    the entry's page, language and specs, and for a translation the headings
                of the source page (whose ids it takes) -> its rendered body, takeaways,
                overview, FAQ...; valid while every code it linked to is linked the same way
                (the name and URL of those pages, which the entry records as it renders);
                intros the same way
``highlight``   a fenced block's code and language -> its highlighted HTML
``templates``   every template file's name and bytes -> syntax errors and UI strings
``jinja``       a template's name and source -> its compiled code
``wording``     a page file's text, its language's glossary, whether French typography
                applies -> the typography and glossary warnings
``locale``      a language and a reader, a list and a language, a date and a language, a
                language tag -> the language's name in the reader's language, the list
                joined the language's way, the date as the reader's locale writes it, the
                tag as Open Graph writes a locale (Babel's data)
``minify``      a stylesheet's bytes -> the stylesheet without comments and spaces
``history``     not cached: one ``git log`` per build (the dev server asks once) -> the date of
                each content file's last commit ("Last updated"); the ``build`` key holds
                the commit checked out instead
``build``       everything the build reads (:mod:`sitegen.engine.inputs`) -> every output's
                key and the build's problems: a build whose inputs are the last one's
                changes nothing, and runs none of the stages below
``output``      the templates, the language's catalog, the output and its *view* (every value
                its template is given) -> the file; kept by the sink, not in the cache
                (:mod:`sitegen.output.write`: the previous ``_site/`` is the cache of outputs)
``reads``       what every view read (:mod:`sitegen.render.reads`), under the hash of the
                inputs all views share (templates, catalogs, configuration, codes...) ->
                per output, the list of entries and renderer calls its view read, the hash
                of what they gave and the view's ``output`` key: an output whose reads give
                the same is kept without making its view (counted as ``views`` kept)
``search``      a language, the path and ``output`` key of each of its HTML outputs (which fix
                their bytes) -> that language's Pagefind bundle (``pagefind/...``); fed to
                Pagefind while the pages are made, from the first page of the language made
                in the build (:mod:`sitegen.engine.search`); the bundles are merged
==============  ==============================================================================

A change therefore redoes exactly what depends on it: an edited body renders that entry's
markdown, then the outputs whose views now differ (its page; the pages that show its name
or overview only if those changed).

Adding to the engine:

- *A new kind of output* (a JSON API file, a hosting file, a new page kind): plan it in
  :func:`sitegen.render.plan.plan_outputs` and give it a view and a rendering in
  :class:`sitegen.render.views.Renderer`. It is cached like every output: rendered again
  exactly when its view changes. Put everything the file depends on in its view.
- *A new stage* (diagrams, a search index...): write it as a pure function, then call it
  through the cache: ``value = self.cache.get(stage, key)``; if that is :data:`MISSING`,
  compute and ``self.cache.put(stage, key, value)``, with ``key = fingerprint(
  environment_key(), stage, <every input>)``. Values are plain picklable data. Add the
  stage to :attr:`Stages.ran` when every input went through it, so that its unused
  entries are pruned. A stage that reads other results (all pages' HTML, say) keys by
  their keys or digests, not by re-reading them.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.engine.cache import MISSING, Cache
from sitegen.engine.keys import digest, environment_key, fingerprint
from sitegen.engine.progress import Progress
from sitegen.output.write import MemorySink, read_static
from sitegen.render.i18n import catalog_path, read_catalog, read_catalog_file, translations_of

if TYPE_CHECKING:
    from collections.abc import Callable, Collection
    from gettext import NullTranslations
    from pathlib import Path

    import jinja2

    from sitegen.content.headings import Outline
    from sitegen.content.load import ContentListing
    from sitegen.content.markdown import CodeLink, RenderedBody
    from sitegen.engine.result import BuildResult
    from sitegen.engine.search import SearchFeed
    from sitegen.output.write import Sink
    from sitegen.render.bodies import LinkFor, Markdown, PageMemo, Rendered, RenderedEntry, RenderedIntro
    from sitegen.render.plan import Output
    from sitegen.render.reads import Read, ReadMemory, Recorder
    from sitegen.render.views import LocaleText, Renderer
    from sitegen.site.model import Config, Glossary, Intro, Language, Page, Problem, Source
    from sitegen.site.resolve import Entry, IntroEntry, Site

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class MarkdownResult:
    """What the ``markdown`` stage keeps of an entry."""

    links: tuple[tuple[int, CodeLink | None], ...]
    """Every code the markdown asked a link for, and the answer it got."""
    rendered: RenderedEntry
    """The entry's markdown, its body without its HTML (:attr:`html`)."""
    problems: tuple[Problem, ...]
    highlights: tuple[str, ...]
    """The keys of the highlighted blocks it used, kept alive with it."""
    html: bytes = b""
    """The body's HTML, compressed as :class:`~sitegen.render.bodies.Bodies` keeps it: a build
    reading every entry from the cache reads and keeps it so, never compressing it again."""


@dataclass(frozen=True)
class IntroResult:
    """What the ``markdown`` stage keeps of an intro."""

    links: tuple[tuple[int, CodeLink | None], ...]
    rendered: RenderedIntro
    problems: tuple[Problem, ...]
    highlights: tuple[str, ...]


@dataclass(frozen=True)
class TemplateCheck:
    """What the ``templates`` stage keeps: the templates' problems and UI strings."""

    problems: tuple[Problem, ...]
    messages: Mapping[str, str]
    """Every UI string the templates translate, with where it is first used."""
    compiled: tuple[str, ...]
    """The keys of the compiled templates, kept alive with it."""


@dataclass(frozen=True)
class Templates:
    """The templates of a build: their key, and the Jinja environment made on demand."""

    key: str
    environment: Any
    """Returns the :class:`jinja2.Environment` (made, and Jinja imported, at the first call)."""

    def load_all(self) -> None:
        """Load every template now (compiled, or read from the cache's ``jinja`` stage)."""
        environment = self.environment()
        for name in environment.list_templates():
            environment.get_template(name)


@dataclass(frozen=True)
class Catalogs:
    """The UI catalogs of a build: the key of each language's, and its translations."""

    keys: Mapping[str, str]
    translations: Mapping[str, NullTranslations]


@dataclass(slots=True)
class Work:
    """What the stages redid since the last :meth:`Stages.take_work`."""

    loaded: list[str] = field(default_factory=list)
    """Content files loaded (paths relative to the project)."""
    entries: list[tuple[str, int]] = field(default_factory=list)
    """Entries whose markdown was rendered: (language tag, code)."""
    outputs: list[str] = field(default_factory=list)
    """Output files rendered."""


class _Translations(Mapping[str, "NullTranslations"]):
    """Each language's gettext translations, made from its compiled catalog when first asked."""

    def __init__(self, compiled: Mapping[str, bytes | None]) -> None:
        self._compiled = compiled
        self._made: dict[str, NullTranslations] = {}

    def __getitem__(self, tag: str) -> NullTranslations:
        if tag not in self._made:
            self._made[tag] = translations_of(self._compiled[tag])
        return self._made[tag]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compiled)

    def __len__(self) -> int:
        return len(self._compiled)


def _bytecode_cache(cache: Cache, keys: list[str]) -> jinja2.BytecodeCache:
    """Return a Jinja bytecode cache that keeps compiled templates in ``cache`` (stage
    ``jinja``) and appends the key of each template it is asked for to ``keys``."""
    import jinja2

    class Bytecode(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            key = fingerprint(environment_key(), "jinja", bucket.key, bucket.checksum)
            keys.append(key)
            data = cache.get("jinja", key)
            if data is not MISSING:
                bucket.bytecode_from_string(data)  # checks Jinja's magic and the source's checksum

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            key = fingerprint(environment_key(), "jinja", bucket.key, bucket.checksum)
            keys.append(key)
            cache.put("jinja", key, bucket.bytecode_to_string())

    return Bytecode()


def _markdown_key(entry: Entry, source: tuple[Outline, str] | None, raw_html: str, callouts: bool) -> str:
    """Return the key of an entry's markdown: its page, reader, specs and code, and the
    headings of the source page it follows, if any."""
    page = dataclasses.replace(entry.page, body=digest(entry.page.body.encode("utf-8")))  # by its digest: see check_wording
    return fingerprint(environment_key(), "markdown", page, entry.language, entry.specs, entry.code, source, raw_html, callouts)


def _links_of(site: Site) -> LinkFor:
    """Return how each code is linked in ``site`` for readers of a language, each answer
    made once: the entries of a build ask for the same links again and again."""
    from sitegen.render.bodies import code_link

    links: dict[tuple[str, int], CodeLink | None] = {}

    def link_for(language: Language, code: int) -> CodeLink | None:
        key = (language.tag, code)
        if key not in links:
            links[key] = code_link(site, language, code)
        return links[key]

    return link_for


def _read_glossary(raw: bytes, path: str, tag: str, stem: str) -> tuple[Glossary | None, list[Problem]]:
    from sitegen.content.glossary import glossary_of_bytes

    return glossary_of_bytes(raw, path, tag)


def _cached_locale_text(cache: Cache) -> LocaleText:
    """Return names of languages and joined lists remembered in the cache (stage ``locale``)."""
    from sitegen.render.views import LocaleText, display_name, format_list

    class CachedLocaleText(LocaleText):
        def __init__(self) -> None:
            self._known: dict[str, str] = {}

        def _remembered(self, key: str, make: Callable[[], str]) -> str:
            if key not in self._known:
                text = cache.get("locale", key)
                if text is MISSING:
                    text = make()
                    cache.put("locale", key, text)
                self._known[key] = str(text)
            return self._known[key]

        def display_name(self, language: Language, reader: Language) -> str:
            key = fingerprint(environment_key(), "display_name", language, reader)
            return self._remembered(key, lambda: display_name(language, reader))

        def format_list(self, items: tuple[str, ...], language: Language) -> str:
            key = fingerprint(environment_key(), "format_list", items, language)
            return self._remembered(key, lambda: format_list(items, language))

        def format_date(self, day: datetime.date, language: Language) -> str:
            from sitegen.render.navigation import format_day

            key = fingerprint(environment_key(), "format_date", day.isoformat(), language)
            return self._remembered(key, lambda: format_day(day, language))

        def og_locale(self, tag: str) -> str:
            from sitegen.render.sharing import og_locale

            key = fingerprint(environment_key(), "og_locale", tag)
            return self._remembered(key, lambda: og_locale(tag))

    return CachedLocaleText()


UNCHANGED_AFTER_NS = 2_000_000_000
"""How long ago a file must have last changed for the dev server to trust its status next
time: file times are coarse (a few ms on Linux, 2 s on FAT), so a file read in the tick it
was written could be written again, to the same size, without its times changing."""


Status = tuple[os.stat_result, int]
"""A content file's status, and when it was taken (``time.time_ns()``)."""


def _signature(status: os.stat_result) -> tuple[int, ...]:
    """Return what changes when a file is written or replaced: its times, size and inode."""
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino, status.st_dev)


FORK_FILES = 96
"""The fewest content files to read worth a forked child (~1 ms each)."""

FORK_ENTRIES = 48
"""The fewest entries whose markdown is worth a forked child (~2-5 ms each; a fork of a
small build costs ~5 ms)."""

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


class Stages:
    """The stages of a build, each remembering its results in :attr:`cache`."""

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
        """This build's listing of ``content/`` (:meth:`load_pages`)."""
        self._stats: dict[tuple[str, str, Path, Path], tuple[tuple[int, ...], str]] = {}
        """The dev server's content files: the status each had when read, and the key of what was loaded (:meth:`_unchanged`)."""

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

    # -- load -------------------------------------------------------------------------

    def _fork_least(self, least: int) -> int:
        """Return the fewest items of a stage worth a forked child in this build: ``least``,
        but none in a large build (:data:`~sitegen.engine.memory.LARGE` pages or more): a
        child counts, in the memory of the process tree, all it shares with the build, and
        it took a 9,000-page build from 489 to 810 MB."""
        from sitegen.engine.memory import LARGE

        return least if self._pages < LARGE else sys.maxsize

    def _load(
        self,
        kind: str,
        config: Config,
        tag: str,
        file: Path,
        raw: bytes,
        read: Callable[[bytes, str, str, str], tuple[Any, list[Problem]]],
        status: Status | None = None,
    ) -> tuple[Any, tuple[Problem, ...]]:
        """Return what ``read`` makes of a file's bytes, read only if never seen; ``status``:
        the file's, taken before reading it (the dev server then trusts it next time)."""
        return self._load_many(kind, config, [(tag, file, raw, status)], read)[0]

    def _load_many(
        self,
        kind: str,
        config: Config,
        files: list[tuple[str, Path, bytes, Status | None]],
        read: Callable[[bytes, str, str, str], tuple[Any, list[Problem]]],
    ) -> list[tuple[Any, tuple[Problem, ...]]]:
        """Return what ``read`` makes of each file's bytes (:meth:`_load`), those never seen
        read by a forked child too when there are many (:mod:`sitegen.engine.parallel`)."""
        from sitegen.engine.parallel import Shared

        keys: list[str] = []
        found: list[Any] = []
        todo: list[tuple[bytes, str, str, str]] = []
        for tag, file, raw, _status in files:
            path = config.shown(file)
            key = fingerprint(environment_key(), "load", kind, path, tag, file.stem, digest(raw))
            loaded = self.cache.get("load", key)
            if loaded is MISSING:
                todo.append((raw, path, tag, file.stem))
            keys.append(key)
            found.append(loaded)

        def read_file(job: tuple[bytes, str, str, str]) -> tuple[Any, tuple[Problem, ...]]:
            value, problems = read(*job)
            return value, tuple(problems)

        made = Shared(read_file, least=self._fork_least(FORK_FILES)).stream(todo)
        try:
            for index, (tag, file, _raw, status) in enumerate(files):
                if found[index] is MISSING:
                    found[index] = self.cache.put_fresh("load", keys[index], next(made))
                    self._work.loaded.append(config.shown(file))
                if status is not None:
                    slot = (kind, tag, file, config.root)
                    stat, taken = status
                    if taken - max(stat.st_mtime_ns, stat.st_ctime_ns) > UNCHANGED_AFTER_NS:
                        self._stats[slot] = (_signature(stat), keys[index])
                    else:
                        self._stats.pop(slot, None)  # written in the same tick, it could be written again unseen
            assert next(made, None) is None
        finally:
            made.close()
        return found

    def _status(self, file: Path) -> Status | None:
        """Return the file's status, taken before it is read, and when, in the dev server."""
        if not self.cache.keep_in_memory:
            return None
        try:
            return file.stat(), time.time_ns()
        except OSError:
            return None

    def _unchanged(self, kind: str, config: Config, tag: str, file: Path) -> tuple[Any, tuple[Problem, ...]] | None:
        """Return what the dev server loaded from ``file`` last time if its status (times,
        size, inode) is the same as then, unread; ``None`` otherwise. Reading and hashing
        every content file cost about a fifth of a rebuild after an edit."""
        known = self._stats.get((kind, tag, file, config.root)) if self.cache.keep_in_memory else None
        if known is None:
            return None
        try:
            if _signature(file.stat()) != known[0]:
                return None
        except OSError:
            return None
        loaded = self.cache.get("load", known[1])
        return None if loaded is MISSING else loaded

    def load_pages(self, config: Config) -> tuple[list[Page], list[Problem]]:
        """Return every page under ``content/``, loading only the files never seen."""
        from sitegen.content.load import content_files, list_content, load_bytes, read_page_bytes

        self._listing = list_content(config)  # the intros and glossaries are found in it too
        files, problems = content_files(config, self._listing)
        self._pages = len(files)  # a large build forks nothing (_fork_least)
        pages: list[Page] = []
        self.progress.start("load", len(files))
        listed: list[tuple[Any, tuple[Problem, ...]] | int] = []
        """Each file's page and problems, or the index of the file among those to read."""
        unread_files: list[tuple[str, Path, bytes, Status | None]] = []
        for tag, file in files:
            loaded = self._unchanged("page", config, tag, file)
            if loaded is None:
                status = self._status(file)
                raw, unread = read_page_bytes(file, config.shown(file))
                if raw is None:
                    self.progress.advance()
                    if file.is_symlink() or file.exists():
                        problems.extend(unread)  # why it is not read
                    # else deleted since it was listed: the watcher has seen it go and will rebuild
                    continue
                listed.append(len(unread_files))
                unread_files.append((tag, file, raw, status))
            else:
                listed.append(loaded)
        made = self._load_many("page", config, unread_files, load_bytes)
        for place in listed:
            self.progress.advance()
            page, found = made[place] if isinstance(place, int) else place
            problems.extend(found)
            if page is not None:
                pages.append(page)
        self.ran.add("load")
        return pages, problems

    def load_page(self, config: Config, tag: str, file: Path) -> tuple[Page | None, list[Problem]]:
        """Return the page of one content file of language ``tag``, loaded as
        :meth:`load_pages` loads it (from the cache if its bytes were seen)."""
        from sitegen.content.load import load_bytes, read_page_bytes

        status = self._status(file)
        raw, unread = read_page_bytes(file, config.shown(file))
        if raw is None:
            return None, unread
        page, found = self._load("page", config, tag, file, raw, load_bytes, status)
        return page, list(found)

    def load_intros(self, config: Config) -> tuple[list[Intro], list[Problem]]:
        """Return every intro page (``index.md``, ``4xx.md``), loading only the files never seen."""
        from sitegen.content.intros import intro_files, load_intro_bytes
        from sitegen.content.limits import MAX_PAGE_BYTES
        from sitegen.content.sources import read_source

        intros: list[Intro] = []
        problems: list[Problem] = []
        for tag, file in intro_files(config, self._listing):
            loaded = self._unchanged("intro", config, tag, file)
            if loaded is None:
                status = self._status(file)
                raw, unread = read_source(file, config.shown(file), MAX_PAGE_BYTES)
                if raw is None:
                    problems.extend(unread)
                    continue
                loaded = self._load("intro", config, tag, file, raw, load_intro_bytes, status)
            intro, found = loaded
            problems.extend(found)
            if intro is not None:
                intros.append(intro)
        return intros, problems

    def load_glossaries(self, config: Config) -> tuple[dict[str, Glossary], list[Problem]]:
        """Return the glossary of every language that has one, reading only the files never seen."""
        from sitegen.content.glossary import glossary_files
        from sitegen.content.limits import MAX_PAGE_BYTES
        from sitegen.content.sources import read_source

        glossaries: dict[str, Glossary] = {}
        problems: list[Problem] = []
        for tag, file in glossary_files(config, self._listing):
            loaded = self._unchanged("glossary", config, tag, file)
            if loaded is None:
                status = self._status(file)
                raw, unread = read_source(file, config.shown(file), MAX_PAGE_BYTES)
                problems.extend(unread)
                if raw is None:
                    continue
                loaded = self._load("glossary", config, tag, file, raw, _read_glossary, status)
            glossary, found = loaded
            problems.extend(found)
            if glossary is not None:
                glossaries[tag] = glossary
        return glossaries, problems

    def load_catalogs(self, config: Config) -> tuple[Catalogs, list[Problem]]:
        """Return the UI catalogs of every language, compiling only the changed ones."""
        keys: dict[str, str] = {}
        compiled: dict[str, bytes | None] = {}
        problems: list[Problem] = []
        for language in config.languages:
            path = catalog_path(config, language)
            raw, unread = read_catalog_file(config, path)
            source = language.tag == config.source_language
            content = digest(raw) if raw is not None else None
            key = fingerprint(environment_key(), "catalog", config.shown(path), language, source, content, unread)
            value = self.cache.get("catalog", key)
            if value is MISSING:
                mo, found = read_catalog(config, language, raw, unread)
                value = (mo, tuple(found))
                self.cache.put("catalog", key, value)
            keys[language.tag], compiled[language.tag] = key, value[0]
            problems.extend(value[1])
        self.ran.add("catalog")
        return Catalogs(keys, _Translations(compiled)), problems

    # -- markdown ---------------------------------------------------------------------

    def _parsers(self, callouts: bool) -> Markdown:
        if self._markdown is None or self._markdown.callouts != callouts:
            from sitegen.render.bodies import Markdown

            self._markdown = Markdown(self._highlight, callouts)
        return self._markdown

    def _highlight(self, code: str, language: str) -> str:
        from sitegen.content.markdown import highlight_block

        key = fingerprint(environment_key(), "highlight", code, language)
        self._highlights.append(key)
        html = self.cache.get("highlight", key)
        if html is MISSING:
            html = highlight_block(code, language)
            self.cache.put("highlight", key, html)
        return str(html)

    def render_markdown(self, site: Site) -> tuple[Rendered, list[Problem]]:
        """Return every entry's markdown, rendering again the entries whose inputs changed
        (shared with a forked child when there are many: :mod:`sitegen.engine.parallel`)."""
        from sitegen.engine.parallel import Shared
        from sitegen.render.bodies import Bodies, Rendered, rendering_order, source_outline

        link_for = _links_of(site)
        raw_html, callouts = site.config.raw_html, site.config.features.callouts

        def render(job: tuple[tuple[str, int], tuple[Outline, str] | None]) -> MarkdownResult:
            key, source = job
            return self._render_entry(site.entries[key], link_for, source, raw_html, callouts)

        least = self._fork_least(FORK_ENTRIES)
        shared = Shared(render, least=least, setup=self.cache.detach, extra=self.cache.made, merge=self.cache.adopt)
        entries: dict[tuple[str, int], RenderedEntry] = {}
        bodies: dict[tuple[str, int], RenderedBody] = {}
        packed = Bodies()  # the HTML compressed as it comes: a large site never holds it all
        problems: list[Problem] = []
        self.progress.start("markdown", len(site.entries))
        order = rendering_order(site)  # the source pages first: translations take their heading ids
        source_language = site.config.source_language
        for phase in ([key for key in order if key[0] == source_language], [key for key in order if key[0] != source_language]):
            found: list[tuple[tuple[str, int], str, Any]] = []
            todo: list[tuple[tuple[str, int], tuple[Outline, str] | None]] = []
            for key in phase:
                entry = site.entries[key]
                source = source_outline(site, entry, bodies)
                inputs = (entry.page, entry.language, entry.specs, entry.code, source, raw_html, callouts)
                cache_key = self._key("markdown", key, inputs, functools.partial(_markdown_key, entry, source, raw_html, callouts))
                result = self.cache.get("markdown", cache_key)
                if result is MISSING or any(link_for(entry.language, code) != link for code, link in result.links):
                    todo.append((key, source))
                    result = MISSING
                else:
                    self.cache.touch("highlight", result.highlights)
                found.append((key, cache_key, result))
            if todo:
                self._parsers(callouts)  # made once, before a fork
                made = dict(zip([key for key, _source in todo], shared.run(todo), strict=True))
                self._work.entries.extend(key for key, _source in todo)
            for key, cache_key, result in found:
                self.progress.advance()
                if result is MISSING:
                    result = made[key]
                    self.cache.put("markdown", cache_key, result)
                bodies[key], _html = packed.add(key, result.rendered.body, (result.rendered.body, result.html))
                entries[key] = result.rendered
                problems.extend(result.problems)
        self.ran.update({"markdown", "highlight"})
        return Rendered.of(dict(sorted(entries.items())), packed), list(dict.fromkeys(problems))

    def render_entry(self, site: Site, key: tuple[str, int], bodies: Mapping[tuple[str, int], RenderedBody]) -> MarkdownResult:
        """Return the markdown of one entry of ``site``, rendered (and cached) as
        :meth:`render_markdown` renders it; ``bodies``: those of the source pages, whose
        heading ids a translation takes."""
        from sitegen.render.bodies import source_outline

        entry = site.entries[key]
        source = source_outline(site, entry, bodies)
        raw_html, callouts = site.config.raw_html, site.config.features.callouts
        result = self._render_entry(entry, _links_of(site), source, raw_html, callouts)
        self.cache.put("markdown", _markdown_key(entry, source, raw_html, callouts), result)
        return result

    def render_intros(self, site: Site) -> tuple[dict[tuple[str, str], RenderedIntro], list[Problem]]:
        """Return every intro rendered for its reader, rendering again those whose inputs changed."""
        link_for = _links_of(site)
        rendered: dict[tuple[str, str], RenderedIntro] = {}
        problems: list[Problem] = []
        for key, entry in sorted(site.intros.items()):
            callouts = site.config.features.callouts
            cache_key = fingerprint(environment_key(), "intro", entry.intro, entry.language, site.config.raw_html, callouts)
            result = self.cache.get("markdown", cache_key)
            if result is MISSING or any(link_for(entry.language, code) != link for code, link in result.links):
                result = self._render_intro(entry, link_for, site.config.raw_html, callouts)
                self.cache.put("markdown", cache_key, result)
            else:
                self.cache.touch("highlight", result.highlights)
            rendered[key] = result.rendered
            problems.extend(result.problems)
        return rendered, list(dict.fromkeys(problems))

    def _render_intro(self, entry: IntroEntry, link_for: LinkFor, raw_html: str, callouts: bool) -> IntroResult:
        asked: dict[int, CodeLink | None] = {}

        def recording(language: Language, code: int) -> CodeLink | None:
            asked[code] = link = link_for(language, code)
            return link

        self._highlights = []
        from sitegen.render.bodies import render_intro

        rendered, problems = render_intro(entry, self._parsers(callouts), recording, raw_html)
        return IntroResult(tuple(sorted(asked.items())), rendered, tuple(problems), tuple(dict.fromkeys(self._highlights)))

    def load_data(self, config: Config, name: str, load: Callable[[Config], tuple[T, list[Problem]]]) -> tuple[T, list[Problem]]:
        """Return what ``load`` makes of the data files ``content/<lang>/<name>`` (the
        comparison tables, the guide), read again only when one of those files changed."""
        from sitegen.content.load import language_folders

        def versions() -> list[tuple[str, str]]:
            folders, _problems = language_folders(config)  # content_files reports these
            found = []
            for language in config.languages:
                folder = folders.get(language.tag)
                if folder is not None and (folder / name).is_file():
                    found.append((config.shown(folder / name), digest((folder / name).read_bytes())))
            return found

        files = versions()
        key = fingerprint(environment_key(), "data", name, files, config.languages, config.source_language, config.root)
        value = self.cache.get("data", key)
        if value is MISSING:
            made, found = load(config)
            value = (made, tuple(found))
            if versions() == files:  # not changed while it was read: the result is that of ``files``
                self.cache.put("data", key, value)
        self.ran.add("data")
        return value[0], list(value[1])

    def check_wording(
        self, sources: list[tuple[str, Source]], french_typography: tuple[str, ...], glossaries: Mapping[str, Glossary]
    ) -> list[Problem]:
        """Return the typography and glossary warnings of the page files, checking again
        only the files (or glossaries) that changed."""
        from sitegen.site.wording import glossary_problems, typography_problems

        typography: list[Problem] = []
        wording: list[Problem] = []
        for language, source in sources:
            french = language in french_typography
            glossary = glossaries.get(language)

            def make_key(source: Source = source, french: bool = french, glossary: Glossary | None = glossary) -> str:
                # the text by its digest: a pickled string would keep a UTF-8 copy of itself
                return fingerprint(environment_key(), "wording", source.path, digest(source.text.encode("utf-8")), french, glossary)

            key = self._key("wording", source.path, (source, french, glossary), make_key)
            found = self.cache.get("wording", key)
            if found is MISSING:
                found = (
                    typography_problems(source.path, source.text) if french else (),
                    glossary_problems(source.path, source.text, glossary) if glossary is not None else (),
                )
                self.cache.put("wording", key, found)
            typography.extend(found[0])
            wording.extend(found[1])
        self.ran.add("wording")
        return typography + wording

    def _render_entry(
        self, entry: Entry, link_for: LinkFor, source: tuple[Outline, str] | None, raw_html: str, callouts: bool
    ) -> MarkdownResult:
        asked: dict[int, CodeLink | None] = {}

        def recording(language: Language, code: int) -> CodeLink | None:
            asked[code] = link = link_for(language, code)
            return link

        self._highlights = []
        from sitegen.render.bodies import pack, render_entry

        rendered, problems = render_entry(entry, self._parsers(callouts), recording, source, raw_html)
        meta, html = pack(rendered.body)
        return MarkdownResult(
            tuple(sorted(asked.items())),
            dataclasses.replace(rendered, body=meta),
            tuple(problems),
            tuple(dict.fromkeys(self._highlights)),
            html,
        )

    # -- templates ----------------------------------------------------------------------

    def load_templates(self, config: Config) -> tuple[Templates, list[Problem], Mapping[str, str]]:
        """Return the templates, their syntax errors and their UI strings; Jinja reads the
        templates only when one changed (or when an output must be rendered)."""
        from sitegen.content.sources import list_folder, read_source

        folder = config.templates_dir
        listing = list_folder(folder, config)
        files = []
        for path in listing.files:
            data, unread = read_source(path, config.shown(path))
            files.append((path.relative_to(folder).as_posix(), digest(data) if data is not None else unread))
        # what cannot be read (a link out of the project, a pipe) is a problem the templates stage reports
        key = fingerprint(environment_key(), "templates", config.root, folder, files, listing.problems)
        check = self.cache.get("templates", key)
        if check is MISSING:
            from sitegen.render.templating import check_templates, template_messages

            environment = self._environment(config, key)
            problems = check_templates(environment, config)  # compiles every template
            messages = template_messages(environment, config)
            check = TemplateCheck(tuple(problems), messages, tuple(dict.fromkeys(self._compiled)))
            self.cache.put("templates", key, check)
        else:
            self.cache.touch("jinja", check.compiled)
        self.ran.update({"templates", "jinja"})
        return Templates(key, lambda: self._environment(config, key)), list(check.problems), check.messages

    def _environment(self, config: Config, key: str) -> jinja2.Environment:
        """Return the Jinja environment of the templates ``key``, made once per process."""
        if key not in self._environments:
            from sitegen.render.templating import create_environment

            self._compiled = []
            bytecode = _bytecode_cache(self.cache, self._compiled)
            self._environments = {key: create_environment(config.templates_dir, config, bytecode)}
        return self._environments[key]

    def read_static(self, config: Config) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the static files, keyed by output path (stylesheets minified: stage
        ``minify``), and the files not copied."""
        files, problems = read_static(config)
        for path, data in files.items():
            if path.endswith(".css"):
                key = fingerprint(environment_key(), "minify", digest(data))
                minified = self.cache.get("minify", key)
                if minified is MISSING:
                    from sitegen.output.minify import minify_css

                    minified = minify_css(data.decode("utf-8")).encode("utf-8")
                    self.cache.put("minify", key, minified)
                files[path] = minified
        self.ran.add("minify")
        return files, problems

    def load_history(self, config: Config) -> Mapping[str, datetime.date]:
        """Return the date of each content file's last commit ("Last updated"), if the site
        shows it. One ``git log`` (~60 ms on the real site) per build; the dev server asks
        once (a save does not commit; a commit shows after a restart)."""
        if not config.features.last_updated:
            return {}
        asked = (config.root, config.content_dir)
        if self._history is not None and self._history[0] == asked:
            return self._history[1]
        from sitegen.content.history import last_commit_dates

        dates = last_commit_dates(config)
        if self.cache.keep_in_memory:
            self._history = (asked, dates)
        return dates

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

    def git_changed_since(self, config: Config) -> Callable[[str, str], bool | None]:
        """Return whether a file changed in git since a commit, or whether a blob id names
        another version of it (:func:`sitegen.site.translations.git_changed_since`). Two ``git``
        runs per outdated translation; the dev server asks once per file and version, as it
        asks ``load_history`` once (a save does not commit; a commit shows after a restart)."""
        from sitegen.site.translations import git_changed_since

        ask = git_changed_since(config)
        if not self.cache.keep_in_memory:
            return ask
        answers = self._git_answers

        def changed(path: str, version: str) -> bool | None:
            key = (config.root, path, version)
            if key not in answers:
                answers[key] = ask(path, version)
            return answers[key]

        return changed

    def locale_text(self) -> LocaleText:
        """Return the texts made from Babel's locale data, remembered in the cache (stage
        ``locale``): Babel is loaded only for a language or list never seen."""
        self.ran.add("locale")
        return _cached_locale_text(self.cache)

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
