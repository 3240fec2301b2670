"""The search stage: each language's Pagefind index, fed while the output stage makes pages.

The output stage hands every HTML output to :meth:`SearchFeed.page`, in its order (sorted
paths, so each language's pages come together and in the same order in every build), with
its bytes if it was made in this build. A language whose pages are all kept from the last
build is not read at all: its index is most likely in the cache. At the first page made in a
language, the pages of that language so far are read back from the sink and the language is
fed to Pagefind from then on, page by page, while the build renders the rest: Pagefind works
on another core. :meth:`SearchFeed.finish` then takes each language's bundle from the cache
(keyed by the path and ``output`` key of each of its pages, which fix their bytes) or from
Pagefind, and merges them.
"""

from __future__ import annotations

import pickle
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.config import CONFIG_FILE
from sitegen.engine.cache import MISSING
from sitegen.engine.keys import environment_key, fingerprint
from sitegen.engine.memory import LARGE, release
from sitegen.output.search import INDEXED_MARK, Answer, Service, merge_bundles
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from sitegen.engine.cache import Cache
    from sitegen.output.write import Sink


@dataclass
class _Language:
    pages: list[tuple[str, str]] = field(default_factory=list)
    """The path and ``output`` key of each of its HTML outputs, in the order given."""
    expected: int = -1
    """How many HTML outputs it has (``-1``: not known)."""
    index: int | None = None
    indexed: int = 0
    """How many of its pages were given to Pagefind (those that mark their text)."""
    fed: bool = False
    """Whether its pages are being given to Pagefind."""
    bundle: object = MISSING
    """Its bundle from the cache, or Pagefind's answer once asked for (:class:`Answer`)."""
    key: str = ""

    @property
    def cacheable(self) -> bool:
        """Whether its bundle may be cached: every page has a key (a page made without a
        view has none, and its bytes are not known by its key)."""
        return all(key for _path, key in self.pages)


class _PutAside:
    """A language's bundle kept in a temporary file until the end of the build, not in
    memory: 18 bundles of 500 pages were ~29 MB held through the output stage."""

    def __init__(self, bundle: dict[str, bytes]) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115  # closed by load()
        pickle.dump(bundle, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self) -> dict[str, bytes]:
        with self._file:
            self._file.seek(0)
            bundle: dict[str, bytes] = pickle.load(self._file)  # written by this process
        return bundle


class SearchFeed:
    """The pages of a build on their way to the search index."""

    def __init__(self, cache: Cache, sink: Sink) -> None:
        self._cache = cache
        self._sink = sink
        self._service = Service()
        self._languages: dict[str, _Language] = {}

    def expect(self, language: str, pages: int) -> None:
        """Say how many HTML outputs ``language`` has: once they are all given, its bundle is
        asked for at once, and Pagefind makes it while the build goes on."""
        self._languages.setdefault(language, _Language()).expected = pages

    def page(self, language: str, path: str, key: str, data: bytes | None) -> None:
        """Take an HTML output of the build: ``data`` if it was made in this build, ``None``
        if it was kept from the last one; ``key`` is ``""`` for a page made without a view."""
        group = self._languages.setdefault(language, _Language())
        group.pages.append((path, key))
        if group.fed:
            self._add(group, path, data)
        elif data is not None:
            self._feed(group, made=(path, data))
        if len(group.pages) == group.expected:
            self._complete(language, group)

    def _pages(self) -> int:
        return sum(max(group.expected, 0) for group in self._languages.values())

    def _put_aside(self) -> None:
        """Move the bundles that came (or were read from the cache) out of memory until
        :meth:`finish`, in a large site."""
        if self._pages() < LARGE:
            return
        for group in self._languages.values():
            bundle = group.bundle
            if isinstance(bundle, Answer) and bundle.event.is_set():
                bundle = self._service.files(bundle)
                if bundle is None:
                    continue  # the service failed: finish says why
                group.bundle = bundle
                if group.cacheable:
                    self._cache.put("search", group.key, bundle)
            if isinstance(bundle, dict) and bundle:
                group.bundle = _PutAside(bundle)

    def _complete(self, language: str, group: _Language) -> None:
        """Every page of ``language`` is in: take its bundle from the cache, or ask Pagefind."""
        self._put_aside()
        group.key = fingerprint(environment_key(), "search", language, group.pages)
        group.bundle = self._cache.get("search", group.key) if group.cacheable else MISSING
        if group.bundle is not MISSING:
            return
        if not group.fed:
            self._feed(group)
        if group.indexed:
            group.bundle = self._service.ask_files(group.index)
            self._service.delete_index(group.index)
            release(self._pages())
        elif self._service.problem is None:
            group.bundle = {}  # no page of the language marks its text for the index
            if group.cacheable:
                self._cache.put("search", group.key, group.bundle)

    def _feed(self, group: _Language, made: tuple[str, bytes] | None = None) -> None:
        """Give Pagefind the pages of ``group`` so far (read back from the sink but the one just made)."""
        group.fed = True
        for path, _key in group.pages:
            self._add(group, path, made[1] if made is not None and path == made[0] else None)

    def _add(self, group: _Language, path: str, data: bytes | None) -> None:
        if self._service.problem is not None:
            return
        data = self._sink.read(path) if data is None else data
        if INDEXED_MARK not in data:
            return
        if group.index is None:
            # an index for every language that may need one, in one go: each waits for
            # the pages sent before it (what is not used is dropped with the service)
            waiting = [other for other in self._languages.values() if other.index is None and (other is group or other.expected > 0)]
            for other, index in zip(waiting, self._service.new_indexes(len(waiting)), strict=True):
                other.index = index
        self._service.add(group.index, path, data)
        group.indexed += 1

    def close(self) -> None:
        """Stop without a bundle (the build failed)."""
        self._service.close()

    def finish(self) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the search bundle of the site (``pagefind/...``), and what went wrong."""
        bundles = []
        try:
            for language, group in sorted(self._languages.items()):
                if group.bundle is MISSING:
                    self._complete(language, group)
                if isinstance(group.bundle, Answer):
                    bundle = self._service.files(group.bundle)
                    if bundle is None:
                        break  # the service failed: it says why
                    group.bundle = bundle
                    if group.cacheable:
                        self._cache.put("search", group.key, bundle)
        finally:
            self._service.close()  # before the bundles put aside come back: Pagefind holds ~100 MB
        for _language, group in sorted(self._languages.items()):
            kept = group.bundle.load() if isinstance(group.bundle, _PutAside) else group.bundle
            if not isinstance(kept, dict):
                break
            bundles.append(kept)
        if self._service.problem is not None:
            return {}, [self._service.problem]
        if len(bundles) != len(self._languages):
            return {}, [Problem(CONFIG_FILE, None, "search: Pagefind gave no index")]
        return merge_bundles(bundles)
