"""What each output's view read, so that a build can tell an unchanged view without making it.

An output's ``output`` key is a hash of its view: every value its template is given
(:mod:`sitegen.engine.stages`). Making a view costs little, but a site has many outputs and
an edit changes few of them: making all the views again was most of an edit's rebuild.

So each view is made while a :class:`Recorder` watches what it reads of the site, in two
parts:

- the *shared* inputs, read by any view: the configuration, the codes, intros, comparisons
  and guides, the static files, the templates, the catalogs, the dates of "Last updated".
  Their hash is :meth:`Recorder.shared_key`; it is part of every view's dependencies.
- the *entries*, keyed by (language tag, code): an entry, its backlinks and its rendered
  markdown. The renderer is given mappings (:class:`Watched`) that note each key read, and
  note "every entry" when one is walked whole. Some methods of the renderer read a small
  part of an entry (a code's name and overview, for an index or a "see also" list): those
  are :func:`watched` and noted as a call instead, whose *result* is what the view depends on.

A view's dependencies are then a list of these reads; :meth:`Recorder.dependencies_key`
hashes what each of them gives in the current build. The next build recomputes that hash
from the list it kept: when it is the same, the view would be the same, and its ``output``
key is the one kept; when it is not, the view is made again (and watched again).

The dev server keeps a :class:`ReadMemory` of its last output stage, so that an edit costs
what it changes rather than what the site holds: an entry whose values are equal to last
time's (compared, not hashed: the same objects, mostly) gives last time's hash; a call
whose own reads (watched as it runs) all give the same gives last time's hash, when the
shared inputs are the same; and a view whose reads all give what they gave then keeps its
key without hashing them again (:meth:`Recorder.unchanged_reads`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.engine.keys import fingerprint
from sitegen.render.bodies import Bodies
from sitegen.site.model import Language

if TYPE_CHECKING:
    from sitegen.render.bodies import Rendered
    from sitegen.site.resolve import Site

Key = tuple[str, int]
Read = tuple[Any, ...]
"""One read of a view: ``("entry", key)``, ``("every entry",)`` or ``(method name, *arguments)``."""
EVERY_ENTRY: Read = ("every entry",)


class Tag(str):
    """A language among the arguments of a read, by its tag: a read is a key of the hashes
    of each build, looked up tens of thousands of times on a large site, and a tag is hashed
    (and pickled) far faster than a :class:`Language`."""

    __slots__ = ()


ENTRY_FIELDS = frozenset({"entries", "backlinks"})
"""The fields of the site keyed by entry: watched, not shared."""
NOT_SHARED = frozenset({"site", "config", "rendered", "recorder", "_environment", "translations", "locale_text"})
"""The renderer's attributes that are not in the shared key: the site and markdown (watched),
the recorder, and what the shared key holds otherwise (the templates and catalogs by their
keys; the text of locale data depends on the library's version, which every key holds)."""


def _plain(value: object) -> object:
    """Return a mapping as its sorted items (a key must not depend on insertion order)."""
    if isinstance(value, Mapping):
        return sorted(value.items())
    return value


K = TypeVar("K")
V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class ReadMemory:
    """What the reads gave in the dev server's last output stage (:meth:`Recorder.remember`)."""

    shared: str = ""
    """The shared key of that build."""
    entries: dict[Key, tuple[tuple[Any, ...], str]] = field(default_factory=dict)
    """Each entry read: what every part gave for it, and their hash."""
    calls: dict[Read, tuple[tuple[tuple[Read, str], ...], str]] = field(default_factory=dict)
    """Each call read: what the call read as it ran (and what each gave), and the hash of its result."""
    digests: dict[Read, str] = field(default_factory=dict)
    """The hash of every read the views of that build read."""


class Recorder:
    """Notes the reads of the view being made; hashes what reads give in this build.
    ``memory``: the dev server's memory of the last build, used and updated."""

    def __init__(self, memory: ReadMemory | None = None) -> None:
        self._memory = memory
        self._shared = ""
        self._values: dict[Key, tuple[Any, ...]] = {}
        """What every part gave for each entry read in this build (kept with a memory only)."""
        self._calls: dict[Read, tuple[tuple[Read, str], ...]] = {}
        """What each call read as it ran in this build, and what each read gave."""
        self.reads: dict[Read, None] | None = None
        """The reads of the view being made (``None``: no view is being watched)."""
        self._digests: dict[Read, str] = {}
        self._known: dict[Read, Read] = {}
        """One instance of each read: every view that reads it holds that one (at 9,000 pages
        the views' lists held millions of equal tuples)."""
        self._parts: tuple[Mapping[Key, Any], ...] = ()
        self._renderer: Any = None

    def read(self, what: Read) -> None:
        if self.reads is not None:
            self.reads[self._known.setdefault(what, what)] = None

    @contextmanager
    def watching(self) -> Iterator[dict[Read, None]]:
        """Note every read made in the block (a view being made)."""
        outer, self.reads = self.reads, {}
        try:
            yield self.reads
        finally:
            self.reads = outer

    @contextmanager
    def unwatched(self) -> Iterator[None]:
        """Note nothing in the block."""
        outer, self.reads = self.reads, None
        try:
            yield
        finally:
            self.reads = outer

    def watch(self, site: Site, rendered: Rendered) -> tuple[Site, Rendered]:
        """Return the site and markdown a renderer must be given: mappings of entries that
        note what is read of them. Resets the hashes: a new build starts."""
        import dataclasses

        self._digests = {}
        markdown = {field.name: getattr(rendered, field.name) for field in dataclasses.fields(rendered)}  # each keyed by entry
        self._parts = (site.entries, site.backlinks, *markdown.values())
        watched_site = dataclasses.replace(site, entries=Watched(site.entries, self), backlinks=Watched(site.backlinks, self))
        watched_rendered = dataclasses.replace(rendered, **{name: Watched(part, self) for name, part in markdown.items()})
        return watched_site, watched_rendered

    def attach(self, renderer: Any) -> None:
        """Watch the views of ``renderer`` (made with the mappings of :meth:`watch`)."""
        self._renderer = renderer
        renderer.recorder = self

    def shared_key(self, *parts: object) -> str:
        """Return the hash of what any view may read besides entries: every field of the
        site but its entries and backlinks, every attribute of the renderer but the site, the
        markdown and what ``parts`` stand for (the keys of the templates and catalogs)."""
        import dataclasses

        renderer = self._renderer
        site = renderer.site
        fields = [(field.name, getattr(site, field.name)) for field in dataclasses.fields(site) if field.name not in ENTRY_FIELDS]
        attributes = sorted((name, value) for name, value in vars(renderer).items() if name not in NOT_SHARED)
        self._shared = fingerprint("shared", parts, [(name, _plain(value)) for name, value in fields + attributes])
        return self._shared

    def digest(self, what: Read) -> str:
        """Return the hash of what a read gives in this build."""
        known = self._digests.get(what)
        if known is not None:
            return known
        memory = self._memory
        if what[0] == "entry":
            key = what[1]
            # a compressed body is hashed as it is kept (the same HTML compresses the same)
            values = [part.packed(key) if isinstance(part, Bodies) else part.get(key) for part in self._parts]
            last = memory.entries.get(key) if memory is not None else None
            if last is not None and last[0] == tuple(values):  # equal values, mostly the same objects: compared, not hashed
                made = last[1]
            else:
                made = fingerprint("entry", key, values)
            if memory is not None:
                self._values[key] = tuple(values)
        elif what == EVERY_ENTRY:
            keys = sorted({key for part in self._parts for key in part})
            made = fingerprint("every entry", [(key, self.digest(("entry", key))) for key in keys])
        else:
            call = memory.calls.get(what) if memory is not None and memory.shared == self._shared else None
            if call is not None and all(self.digest(read) == given for read, given in call[0]):
                made, subreads = call[1], call[0]  # it read the same, with the same shared inputs: the same result
            else:
                arguments = [
                    self._renderer.config.language(str(argument)) if isinstance(argument, Tag) else argument for argument in what[1:]
                ]
                method = getattr(self._renderer, what[0])
                if memory is None:
                    with self.unwatched():
                        made = fingerprint(what, method(*arguments))
                    subreads = ()
                else:
                    method = getattr(method, "__wrapped__", method).__get__(self._renderer)  # not noted as a read of its own
                    with self.watching() as reads:  # what the call reads, for the next build's memory
                        made = fingerprint(what, method(*arguments))
                    subreads = tuple((read, self.digest(read)) for read in reads)
            if memory is not None:
                self._calls[what] = subreads
        self._digests[what] = made
        return made

    def unchanged_reads(self) -> set[Read] | None:
        """Return the reads of the last output stage that give the same in this one: a view
        kept then whose reads are all among them is the same view (its dependencies key is
        the same); ``None`` without a memory of a build with the same shared inputs."""
        memory = self._memory
        if memory is None or not memory.digests or memory.shared != self._shared:
            return None
        return {read for read, last in memory.digests.items() if self.digest(read) == last}

    def remember(self) -> None:
        """Keep what the reads of this build gave in the memory, for the next build (once
        every view is checked or made: the memory then describes the views kept)."""
        memory = self._memory
        if memory is None:
            return
        digests = self._digests
        memory.shared = self._shared
        memory.entries = {key: (values, digests[("entry", key)]) for key, values in self._values.items()}
        memory.calls = {what: (subreads, digests[what]) for what, subreads in self._calls.items()}
        memory.digests = dict(digests)

    def dependencies_key(self, shared: str, reads: Iterable[Read]) -> str:
        """Return the hash of what ``reads`` give in this build, with the shared inputs (the
        hash of each read names the read: a list of other reads gives another key)."""
        hasher = hashlib.blake2b(shared.encode("ascii"), digest_size=20)
        for what in reads:
            hasher.update(self.digest(what).encode("ascii"))
        return hasher.hexdigest()


class Watched(Mapping[K, V]):
    """A mapping of entries that tells a :class:`Recorder` which keys are read."""

    def __init__(self, data: Mapping[K, V], recorder: Recorder) -> None:
        self._data = data
        self._recorder = recorder

    def __getitem__(self, key: K) -> V:
        self._recorder.read(("entry", key))
        return self._data[key]

    def get(self, key: K, default: Any = None) -> Any:
        self._recorder.read(("entry", key))
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._recorder.read(("entry", key))
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        self._recorder.read(EVERY_ENTRY)
        return iter(self._data)

    def __len__(self) -> int:
        self._recorder.read(EVERY_ENTRY)
        return len(self._data)


def watched(method: F) -> F:
    """Note a call of a renderer's method as one read: the view depends on its result, not
    on what the method reads to make it. The method must depend on its arguments, the
    shared inputs and entries only (no state of the renderer that a build changes)."""

    @functools.wraps(method)
    def call(self: Any, *arguments: Any) -> Any:
        recorder: Recorder | None = getattr(self, "recorder", None)
        if recorder is None or recorder.reads is None:
            return method(self, *arguments)
        recorder.read((method.__name__, *(Tag(argument.tag) if isinstance(argument, Language) else argument for argument in arguments)))
        with recorder.unwatched():
            return method(self, *arguments)

    return call  # type: ignore[return-value]
