"""The ``load`` stage: the content files (pages, intros, glossaries) read only when their
bytes were never seen, and in the dev server not even read while their status is the
same; the data files (comparisons, guides) and the wording checks of the pages."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.engine.cache import MISSING
from sitegen.engine.keys import digest, environment_key, fingerprint
from sitegen.engine.stages.base import StagesBase

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from sitegen.site.model import Config, Glossary, Intro, Page, Problem, Source

T = TypeVar("T")


def _read_glossary(raw: bytes, path: str, tag: str, stem: str) -> tuple[Glossary | None, list[Problem]]:
    from sitegen.content.glossary import glossary_of_bytes

    return glossary_of_bytes(raw, path, tag)


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


class LoadStage(StagesBase):
    """The ``load`` stage, and the checks of what it loaded (``data``, ``wording``)."""

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
        from sitegen.content.load import page_name
        from sitegen.engine.parallel import Shared

        keys: list[str] = []
        found: list[Any] = []
        todo: list[tuple[bytes, str, str, str]] = []
        for tag, file, raw, _status in files:
            path = config.shown(file)
            name = page_name(file) if kind == "page" else file.stem
            key = fingerprint(environment_key(), "load", kind, path, tag, name, digest(raw))
            loaded = self.cache.get("load", key)
            if loaded is MISSING:
                todo.append((raw, path, tag, name))
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

        problems: list[Problem] = []
        loaded = self._load_each("intro", config, intro_files(config, self._listing), load_intro_bytes, problems)
        return [intro for _tag, intro in loaded], problems

    def load_glossaries(self, config: Config) -> tuple[dict[str, Glossary], list[Problem]]:
        """Return the glossary of every language that has one, reading only the files never seen."""
        from sitegen.content.glossary import glossary_files

        problems: list[Problem] = []
        loaded = self._load_each("glossary", config, glossary_files(config, self._listing), _read_glossary, problems)
        return dict(loaded), problems

    def _load_each(
        self,
        kind: str,
        config: Config,
        files: Iterable[tuple[str, Path]],
        read: Callable[[bytes, str, str, str], tuple[T | None, list[Problem]]],
        problems: list[Problem],
    ) -> list[tuple[str, T]]:
        """Return the language tag and what ``read`` made of each of ``files`` (of ``kind``),
        read only if changed since last seen; add what went wrong to ``problems``."""
        from sitegen.content.limits import MAX_PAGE_BYTES
        from sitegen.content.sources import read_source

        made: list[tuple[str, T]] = []
        for tag, file in files:
            loaded = self._unchanged(kind, config, tag, file)
            if loaded is None:
                status = self._status(file)
                raw, unread = read_source(file, config.shown(file), MAX_PAGE_BYTES)
                problems.extend(unread)
                if raw is None:
                    continue
                loaded = self._load(kind, config, tag, file, raw, read, status)
            value, found = loaded
            problems.extend(found)
            if value is not None:
                made.append((tag, value))
        return made

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
