"""Write a built site: into a staging folder beside ``_site/``, then swapped in in one
step (:mod:`sitegen.output.swap`); what may be replaced is :mod:`sitegen.output.target`'s.

The engine hands every output to a *sink* as soon as it is made (:class:`Sink`): the
bytes are written at once and never held for the whole site. A sink is also asked
whether it still has an output made from the same inputs (:meth:`Sink.reuse`, by the
output's cache key): :class:`SiteWriter` then hard-links the file of the previous build
into the new tree instead of rendering it again, and :class:`MemorySink` (tests, the dev
server) keeps the bytes of its previous build.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from pathlib import Path
from stat import S_IMODE, S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, NamedTuple, Protocol

from sitegen.content.sources import list_folder, read_source
from sitegen.output.swap import MARKER, Staging, remove
from sitegen.output.target import is_kept
from sitegen.site.urls import safe_output_path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from sitegen.site.model import Config, Problem

log = logging.getLogger(__name__)

SPARE_TREE = "spare-site"
"""The folder of the build cache where the replaced output tree waits for the next build."""


class Sink(Protocol):
    """Where a build puts its outputs, each with the cache key of what it was made from."""

    def reuse(self, path: str, key: str) -> bool:
        """Keep the output ``path`` made from ``key`` by an earlier build; return whether it could."""
        ...

    def has(self, path: str, key: str) -> bool:
        """Return whether :meth:`reuse` may keep the output ``path`` made from ``key`` (asked
        where nothing may change, as in a forked child: :mod:`sitegen.engine.parallel`)."""
        ...

    def put(self, path: str, key: str, data: bytes) -> None:
        """Add the output ``path``, made from ``key``."""
        ...

    def read(self, path: str) -> bytes:
        """Return the bytes of an output put or reused in this build (the search index is
        made from the pages)."""
        ...


class MemorySink:
    """Outputs in memory; reuses the bytes of the build that filled ``previous``."""

    def __init__(self, previous: MemorySink | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.keys: dict[str, str] = {}
        self._previous = previous

    def has(self, path: str, key: str) -> bool:
        """Return whether the previous build made ``path`` from ``key``."""
        return self._previous is not None and self._previous.keys.get(path) == key

    def reuse(self, path: str, key: str) -> bool:
        """Take the bytes of the previous build if they were made from ``key``."""
        if self._previous is None or not self.has(path, key):
            return False
        self.files[path] = self._previous.files[path]
        self.keys[path] = key
        return True

    def put(self, path: str, key: str, data: bytes) -> None:
        """Keep ``data`` as the output ``path``."""
        self.files[path] = data
        self.keys[path] = key

    def read(self, path: str) -> bytes:
        """Return the bytes of the output ``path``."""
        return self.files[path]

    def finish(self) -> None:
        """Forget the previous build: what it had and this one has not is gone."""
        self._previous = None


class KnownOutputs:
    """A sink for ``check``: nothing is kept; an output is known good when the last build
    wrote it from the same key (``manifest``), so it need not be rendered to be checked."""

    def __init__(self, manifest: Mapping[str, WrittenFile] | None = None) -> None:
        self._manifest: Mapping[str, WrittenFile] = manifest or {}

    def reuse(self, path: str, key: str) -> bool:
        """Return whether the last build wrote ``path`` from ``key``."""
        written = self._manifest.get(path)
        return written is not None and written.key == key

    has = reuse

    def put(self, path: str, key: str, data: bytes) -> None:
        """Drop the output: checking writes nothing."""

    def read(self, path: str) -> bytes:
        """Refuse: nothing is kept (``check`` makes no search index)."""
        raise KeyError(path)


class WrittenFile(NamedTuple):
    """A file of the output folder, as the build that wrote it left it."""

    key: str
    """The cache key of what it was made from."""
    size: int
    mtime_ns: int
    inode: int
    derived: tuple[str, ...] = ()
    """The files made from this one (its ``.gz`` and ``.br``), reused with it."""


Manifest = dict[str, WrittenFile]
"""Every file of an output folder by path: what the next build may hard-link."""


def read_static(config: Config) -> tuple[dict[str, bytes], list[Problem]]:
    """Return every file under ``static/``, keyed by its output path (``static/...``), and
    the files that are not copied (links out of the project, pipes) as problems."""
    files: dict[str, bytes] = {}
    listing = list_folder(config.static_dir, config)
    problems = list(listing.problems)
    for path in listing.files:
        data, found = read_source(path, config.shown(path))
        problems.extend(found)
        if data is not None:
            files[f"static/{path.relative_to(config.static_dir).as_posix()}"] = data
    return files, problems


FILE_MODE = 0o644
"""The permissions a file of the site is made with (less the umask)."""


@functools.cache
def _new_file_mode() -> int:
    """Return the permissions of a file the build makes (:data:`FILE_MODE` less the umask)."""
    try:
        for line in Path("/proc/self/status").read_text("utf-8").splitlines():
            if line.startswith("Umask:"):
                return FILE_MODE & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # where /proc does not say it: set and put back
    os.umask(mask)
    return FILE_MODE & ~mask


def _safe(relative: str) -> str:
    safe = safe_output_path(relative)
    if safe is None:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return safe


class SiteWriter:
    """Writes a new output folder beside the old one, then swaps it in (:meth:`commit`).

    Files the previous build wrote (``manifest``) and that are unchanged, on disk and in
    what they are made from, are hard-linked into the new tree: unchanged pages cost
    neither a render nor a write. When every file is unchanged and nothing else is in the
    folder, the folder is left as it is. ``derive`` adds files made from each file put
    (the ``.gz`` and ``.br`` copies of ``precompress``): they are reused with it.

    ``spare`` is where the replaced tree is kept for the next build, which fills it
    instead of a new folder (:mod:`sitegen.output.swap`): a file there that is already the
    one to link stays, anything else in its place is removed before the new file is
    written (never written through: it may be a link to a file of the site; a file of its
    own is rewritten in place, see :meth:`_own_file`), and what this build did not put
    there is removed before the swap.
    """

    def __init__(
        self,
        output_dir: Path,
        manifest: Mapping[str, WrittenFile] | None = None,
        derive: Callable[[str, bytes], dict[str, bytes]] | None = None,
        spare: Path | None = None,
    ) -> None:
        self.output_dir = output_dir.resolve()
        self._out = str(self.output_dir)
        self._spare = spare
        self._recycled = False
        self._previous: Mapping[str, WrittenFile] = manifest or {}
        self._derive = derive
        self._staging: Staging | None = None
        self._folders: set[str] = set()
        """The folders of the new tree known to be there, relative (``""``: its root)."""
        self._linked: dict[str, WrittenFile] = {}
        """Reused files not yet linked (the staging folder is made at the first new file)."""
        self.manifest: Manifest = {}
        self.paths: list[str] = []
        """Every output put or reused, derived copies left out."""
        self.written = 0
        """How many files were written (the others were linked)."""

    def has(self, path: str, key: str) -> bool:
        """Return whether the previous build wrote ``path`` from ``key`` (:meth:`reuse` also
        checks that the file is untouched)."""
        previous = self._previous.get(_safe(path))
        return previous is not None and previous.key == key

    def reuse(self, path: str, key: str) -> bool:
        """Hard-link the previous build's file if it was made from ``key`` and is untouched."""
        path = _safe(path)
        previous = self._previous.get(path)
        if previous is None or previous.key != key or not self._untouched(path, previous):
            return False
        if (self.manifest.get(path) or self._linked.get(path)) == previous:
            return True  # asked again (a build that could not be taken whole): already there
        derived = previous.derived if self._derive else ()
        if not all(name in self._previous and self._untouched(name, self._previous[name]) for name in derived):
            return False
        for name in (path, *derived):
            if self._staging is None:
                self._linked[name] = self._previous[name]
            else:
                self._link(name, self._previous[name])
        self.paths.append(path)
        return True

    def read(self, path: str) -> bytes:
        """Return the bytes of an output of this build: from the new tree, or from the
        output folder for a reused file not linked yet."""
        path = _safe(path)
        if self._staging is not None and path in self.manifest:
            return (self._staging.path / path).read_bytes()
        if path in self._linked:
            return (self.output_dir / path).read_bytes()
        raise KeyError(path)

    def _untouched(self, path: str, previous: WrittenFile) -> bool:
        try:
            stat = os.lstat(f"{self._out}/{path}")
        except OSError:
            return False
        # else changed by hand since: make it again
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (previous.size, previous.mtime_ns, previous.inode)

    def put(self, path: str, key: str, data: bytes) -> None:
        """Write the file ``path`` (and what is derived from it) into the new tree."""
        derived = self._derive(path, data) if self._derive is not None else {}
        for name, made in derived.items():
            self._write(_safe(name), f"{key}:{name}", made)
        self._write(_safe(path), key, data, tuple(derived))
        self.paths.append(path)

    def _write(self, path: str, key: str, data: bytes, derived: tuple[str, ...] = ()) -> None:
        target = self._target(path)  # (the files reused so far are linked, and in the manifest, once it returns)
        if path in self.manifest:
            remove(Path(target))  # linked earlier in this build: the file may be the site's too
            descriptor = None
        else:
            descriptor = self._own_file(path, target) if self._recycled else None
        rewritten = descriptor is not None
        if descriptor is None:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
        with open(descriptor, "wb") as file:
            file.write(data)
            if rewritten:
                file.truncate()  # what a longer file had past the new bytes
            file.flush()  # the size and time of the file as it stays
            stat = os.fstat(file.fileno())
        self.manifest[path] = WrittenFile(key, stat.st_size, stat.st_mtime_ns, stat.st_ino, derived)
        self.written += 1

    def _own_file(self, path: str, target: str) -> int | None:
        """Return ``target`` of a spare tree opened for writing, if it is a file of the build's
        own that no other name links to; else remove what is there and return ``None``.

        Making a file costs far more than writing over one on some file systems (an inode
        allocated: 0.08-0.8 ms on ext4 in the machine this was measured on, against 0.02 ms
        to write over a file's blocks and cut it to its new length; emptying it first frees
        its blocks, 0.14 ms), and a build after a template change rewrites every page: the
        spare tree's own files are written over in place. A file that is also the site's
        (hard-linked by an earlier build) is never written through: its link count and inode
        are read on the open file, before anything is written. A file of another owner, or
        with other permissions than a new file would get, is made anew, so that the tree is
        the one a new folder would hold. The spare tree is the site two builds back: a server
        still reading one of its files through a descriptor kept open since (a file cache)
        may see it change, as it would in a site written in place (Hugo's, Zola's)."""
        try:
            # never blocks (a pipe left there), never follows a link
            descriptor = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:  # nothing there: made
            return None
        except OSError:  # a link, a folder, a pipe, or not writable: made anew
            remove(Path(target))
            return None
        try:
            status = os.fstat(descriptor)
            previous = self._previous.get(path)
            if (
                S_ISREG(status.st_mode)
                and status.st_nlink == 1
                and (previous is None or previous.inode != status.st_ino)
                and status.st_uid == os.geteuid()
                and S_IMODE(status.st_mode) == _new_file_mode()
            ):
                os.set_blocking(descriptor, True)
                return descriptor
        except OSError:
            pass
        os.close(descriptor)
        remove(Path(target))
        return None

    def _stage(self) -> Path:
        """Return the new tree's folder, made (with the files reused so far) on first use."""
        if self._staging is None:
            self._staging = Staging(self.output_dir, self._spare)
            self._recycled = self._staging.recycled
            self._folders.add("")
            linked, self._linked = self._linked, {}
            for relative, previous in linked.items():
                self._link(relative, previous)
        return self._staging.path

    def _target(self, path: str) -> str:
        """Return where ``path`` goes in the new tree, its folder made. (Strings, not
        :class:`Path`: an edit's build asks this for each of the site's ~800 files.)"""
        root = str(self._stage())
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            if self._recycled:
                self._make_folders(root, folder)
            else:
                Path(root, folder).mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)
        return f"{root}/{path}"

    def _make_folders(self, root: str, folder: str) -> None:
        """Make ``folder`` in a spare tree, each part a real folder: a file or a link left
        in its place is removed (a link would lead the writes out of the tree)."""
        current = ""
        for part in folder.split("/"):
            current = f"{current}/{part}" if current else part
            if current in self._folders:
                continue
            place = f"{root}/{current}"
            try:
                mode: int | None = os.lstat(place).st_mode
            except FileNotFoundError:
                mode = None
            if mode is not None and not S_ISDIR(mode):
                remove(Path(place))
                mode = None
            if mode is None:
                Path(place).mkdir()
            self._folders.add(current)

    def _link(self, path: str, previous: WrittenFile) -> None:
        target = self._target(path)
        if self._recycled:
            try:
                found = os.lstat(target)
            except FileNotFoundError:
                pass
            else:
                if S_ISREG(found.st_mode) and found.st_ino == previous.inode:
                    self.manifest[path] = previous  # the spare tree holds that very file
                    return
                remove(Path(target))
        source = f"{self._out}/{path}"
        try:
            os.link(source, target)
            self.manifest[path] = previous
        except OSError:  # a file system without hard links: copy
            shutil.copy2(source, target)
            stat = Path(target).stat()
            self.manifest[path] = WrittenFile(previous.key, stat.st_size, stat.st_mtime_ns, stat.st_ino, previous.derived)

    def _unchanged(self, kept: Iterable[str]) -> bool:
        """Return whether the output folder already holds exactly the files of this build."""
        if self._staging is not None or self._linked.keys() != self._previous.keys():
            return False
        if not (self.output_dir / MARKER).is_file():
            return False
        skipped = {MARKER, *kept}
        found = 0
        for folder, folders, names in os.walk(self.output_dir):
            if Path(folder) == self.output_dir:
                folders[:] = [name for name in folders if name not in skipped]
                names = [name for name in names if name not in skipped]
            for name in names:
                relative = Path(folder, name).relative_to(self.output_dir).as_posix()
                if relative not in self._linked:
                    return False
                found += 1
        return found == len(self._linked)

    def commit(self, kept: Iterable[str] = ()) -> Manifest:
        """Put the new tree in the place of the output folder, carrying ``kept`` (top-level
        names such as ``.git`` or ``CNAME``) over; return what it holds."""
        kept = tuple(kept)
        if self._unchanged(kept):
            self.manifest = dict(self._linked)
            log.debug("%s is unchanged", self.output_dir)
            return self.manifest
        try:
            self._stage()
            assert self._staging is not None
            if self._recycled:
                self._sweep(self._staging.path)
            self._staging.commit(kept, self._spare)
        except BaseException:
            self.abort()
            raise
        self._staging = None
        return self.manifest

    def _sweep(self, root: Path) -> None:
        """Remove from a spare tree everything this build did not put there."""
        wanted = {*self.manifest, MARKER}
        folders: set[str] = set()
        for path in wanted:
            folder = path.rpartition("/")[0]
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]

        def sweep(folder: str, relative: str) -> None:
            with os.scandir(folder) as scan:
                entries = list(scan)
            for entry in entries:
                name = f"{relative}{entry.name}"
                if entry.is_dir(follow_symlinks=False) and name in folders:
                    sweep(entry.path, name + "/")
                elif name not in wanted or entry.is_dir(follow_symlinks=False):
                    remove(Path(entry.path))

        sweep(str(root), "")

    def abort(self) -> None:
        """Drop the new tree: the output folder stays as it was."""
        if self._staging is not None:
            self._staging.abort(self._spare)
            self._staging = None


def write_site(files: Mapping[str, bytes], output_dir: Path, kept: Iterable[str] | None = None) -> None:
    """Replace ``output_dir`` with exactly ``files`` (plus the marker), in one step.

    The new tree is written into a staging folder beside the output, then swapped in
    (:class:`~sitegen.output.swap.Staging`): a reader, a failed build or a killed one
    never sees a half-written site, and files no longer produced disappear. ``kept`` are
    the top-level names of the old folder carried over (``.git``, ``CNAME``, dot-files;
    by default every such name it holds, see :func:`~sitegen.output.target.is_kept`).
    """
    for relative in files:
        _safe(relative)  # refuse before anything is written
    if kept is None:
        kept = [entry.name for entry in _entries(output_dir) if is_kept(entry.name)]
    writer = SiteWriter(output_dir)
    try:
        for relative, data in sorted(files.items()):
            writer.put(relative, "", data)
    except BaseException:
        writer.abort()
        raise
    writer.commit(kept)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []
