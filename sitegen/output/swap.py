"""Put a new site in the place of the output folder in one step, and survive a crash.

A build writes the new tree into a *staging* folder beside the output (``._site-XXXX``),
then swaps the two folders with one ``renameat2(RENAME_EXCHANGE)`` call (Linux 3.15+, on
ext4, XFS, Btrfs, tmpfs and most others; ``renamex_np(RENAME_SWAP)`` on macOS): a reader,
a web server or a crash sees the old site or the new one, never a missing or half-written
one. The old tree, now at the staging folder's name, is then removed, or kept as the
*spare* tree of the next build when the caller gives one (a folder in the build cache):
removing a tree of a few hundred folders costs more than building after an edit (a
folder's removal frees its disk block, which some file systems, mounted with
``discard``, pass on to the disk at once). The next build takes the spare as its staging
folder: its folders are there, and its files are checked one by one by the writer
(:class:`sitegen.output.write.SiteWriter`), so it gives the same tree as a fresh one.

Where no exchange exists (another system, a file system that refuses it), two renames
are used: the output moves to ``.<name>.previous``, then the staging folder takes its
place. A crash between the two leaves no output folder for a moment; the next build
(:func:`recover`) puts the previous site back before it does anything else.

The new files are flushed to the disk before the swap and the swap itself after it, so
that a power loss too leaves one whole site. Every staging folder is locked (``flock``) by the build that made it while it lives, and
marked as sitegen's: the next build removes those whose build is gone (killed, or the
machine stopped), and nothing else.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

log = logging.getLogger(__name__)

MARKER = ".sitegen-output"
"""The file that marks a folder as made by ``sitegen build`` (see :mod:`sitegen.output.target`)."""
MARKER_TEXT = b"This folder is made by 'sitegen build', which replaces it whole on every build.\n"
FAULT_ENV = "SITEGEN_TEST_FAULT"
"""Test hook: the name of a step (:data:`STEPS`) at which the build kills itself (SIGKILL)."""
SWAP_ENV = "SITEGEN_TEST_SWAP"
"""Test hook: ``rename`` forces the two-rename fallback where the exchange exists."""
STEPS = ("staged", "kept", "moved-previous", "swapped")
"""The moments of a swap, in order, at which :data:`FAULT_ENV` can stop the process."""
_LEGACY = re.compile(r"^(?:old-)?[a-z0-9_]{8}$")
"""``tempfile.mkdtemp`` names left by builds before staging folders were marked."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h


def fault(step: str) -> None:
    """Kill this process at ``step`` if the test hook asks for it (never set outside tests)."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def previous_path(output_dir: Path) -> Path:
    """Return where the two-rename fallback parks the old output folder."""
    return output_dir.with_name(f".{output_dir.name}.previous")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; return ``False`` where the system cannot."""
    if os.environ.get(SWAP_ENV) == "rename":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(os.fsencode(first), os.fsencode(second), _RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the kernel or the file system has no exchange
    raise OSError(number, os.strerror(number), str(first), None, str(second))


class Staging:
    """A new tree beside the output folder: made and locked, filled by the caller
    (:attr:`path`), then swapped in by :meth:`commit` or dropped by :meth:`abort`."""

    def __init__(self, output_dir: Path, spare: Path | None = None) -> None:
        self.output_dir = output_dir
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        while True:
            path = output_dir.with_name(f".{output_dir.name}-{secrets.token_hex(4)}")
            recycled = spare is not None and _claim(spare, path)
            spare = None  # taken once, or not at all
            if not recycled:
                try:
                    path.mkdir(mode=0o755)
                except FileExistsError:
                    continue
            lock = _lock(path)
            if lock is None:
                continue  # removed by another build's clean-up before we could lock it
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _same(lock, path):
                break
            os.close(lock)  # it went while we waited for the lock: take another name
        self.path = path
        self._lock = lock
        self.recycled = recycled
        """Whether the folder is a spare tree, holding what an earlier build left in it."""
        # marked once locked: another build's clean-up never takes a live folder
        if recycled:
            remove(path / MARKER)  # maybe a link to the site's own marker: never written through
        (path / MARKER).write_bytes(MARKER_TEXT)

    def commit(self, kept: Iterable[str] = (), spare: Path | None = None) -> None:
        """Swap the new tree in; carry ``kept`` (top-level names of the old folder, such as
        ``.git`` or ``CNAME``) over as hard links first; remove the old tree, or keep it
        as the ``spare`` tree of the next build."""
        fault("staged")
        if self.output_dir.is_dir():
            for name in kept:
                if not os.path.lexists(self.path / name):
                    link_tree(self.output_dir / name, self.path / name)
        fault("kept")
        _sync(self._lock)  # the new files reach the disk before the swap makes them the site
        if not os.path.lexists(self.output_dir):
            self.path.rename(self.output_dir)
        elif _exchange(self.path, self.output_dir):
            fault("swapped")
        else:
            previous = previous_path(self.output_dir)
            if os.path.lexists(previous):
                if not (previous / MARKER).is_file():  # check_target refuses this before a build
                    raise FileExistsError(errno.EEXIST, "in the way of the swap, not made by sitegen", str(previous))
                _remove(previous)
            self.output_dir.rename(previous)
            fault("moved-previous")
            self.path.rename(self.output_dir)
            fault("swapped")
            self.path = previous  # what is left to remove
        log.debug("swapped a new tree into %s", self.output_dir)
        _sync_folder(self.output_dir.parent)
        self._close()
        if self.path.exists() and self.path != self.output_dir:
            _park(self.path, spare)

    def abort(self, spare: Path | None = None) -> None:
        """Drop the new tree (or keep it as the ``spare`` tree of the next build): the
        output folder stays as it was."""
        self._close()
        if self.path != self.output_dir:
            _park(self.path, spare)

    def _close(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def _sync(descriptor: int) -> None:
    """Flush the file system holding ``descriptor`` (``syncfs``; ``sync`` elsewhere): after a
    power loss, the folder swapped in holds its files, not empty ones."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if hasattr(libc, "syncfs") and libc.syncfs(descriptor) == 0:
            return
    except OSError:
        pass
    os.sync()


def link_tree(source: Path, target: Path) -> None:
    """Recreate ``source`` at ``target`` with hard links (copies where links fail): the
    files are the same files, and nothing changes at ``source``."""
    if source.is_symlink():
        target.symlink_to(source.readlink())
    elif source.is_dir():
        target.mkdir()
        shutil.copystat(source, target)
        for child in sorted(source.iterdir()):
            link_tree(child, target / child.name)
    elif source.is_file():
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove(path: Path) -> None:
    """Remove what is at ``path``: a file, a link, or a folder and everything in it."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


_remove = remove


def _claim(spare: Path, path: Path) -> bool:
    """Take the spare tree as the staging folder ``path``; return whether it was there."""
    try:
        if spare.is_symlink() or not spare.is_dir():
            return False
        spare.rename(path)  # one build takes it: a second one finds it gone
    except OSError:
        return False  # none, taken by another build, or on another file system
    return True


def _park(path: Path, spare: Path | None) -> None:
    """Keep the tree ``path`` as the next build's ``spare`` tree; remove it where it cannot be
    (no spare asked for, one there already, another file system)."""
    if spare is not None and not os.path.lexists(spare):
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
            path.rename(spare)
        except OSError:
            pass
        else:
            return
    _remove(path)


def recover(output_dir: Path) -> list[str]:
    """Repair what a killed build left beside ``output_dir``; return what was done.

    A site parked by the two-rename fallback (marked) is put back when the output folder is
    missing (else it is an old one, removed); staging folders whose build is gone are
    removed. Folders locked by a running build, and anything sitegen did not make, stay.
    """
    done: list[str] = []
    parent = output_dir.parent
    previous = previous_path(output_dir)
    if previous.is_dir() and not previous.is_symlink() and (previous / MARKER).is_file():
        if not os.path.lexists(output_dir):
            previous.rename(output_dir)
            done.append(f"put back {previous.name} as {output_dir.name} (a build was stopped mid-swap)")
        else:
            _remove(previous)
            done.append(f"removed {previous.name}")
    # an unmarked folder of that name is someone's own: left alone (check_target names it)
    try:
        siblings = sorted(parent.iterdir())
    except OSError:
        return done
    prefix = f".{output_dir.name}-"
    for path in siblings:
        if path.name.startswith(prefix) and not path.is_symlink() and path.is_dir() and _remove_if_stale(path, path.name[len(prefix) :]):
            done.append(f"removed {path.name}, left by a build that did not finish")
    return done


def _lock(path: Path) -> int | None:
    """Return a descriptor of the folder ``path`` to lock, or ``None`` if it is gone."""
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


def _same(descriptor: int, path: Path) -> bool:
    """Return whether ``path`` is still the folder open as ``descriptor``."""
    try:
        return os.path.samestat(os.fstat(descriptor), path.stat())
    except OSError:
        return False


def _remove_if_stale(path: Path, suffix: str) -> bool:
    """Remove a staging folder that belongs to no running build; return whether it went.

    It is removed under its lock: a build that made it a moment ago, and waits for that
    lock, sees it gone and takes another name.
    """
    descriptor = _lock(path)
    if descriptor is None:
        return False
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a build is filling it now
        try:
            ours = (path / MARKER).is_file() or not any(path.iterdir()) or (_LEGACY.match(suffix) is not None and _only_pages(path))
        except OSError:
            return False
        if ours and _same(descriptor, path):
            shutil.rmtree(path, ignore_errors=True)
            return True
        return False
    finally:
        os.close(descriptor)


_PAGE_SUFFIXES = (".html", ".json", ".xml", ".txt", ".gz", ".br")


def _only_pages(path: Path) -> bool:
    """Return whether an unmarked folder holds only what a build from before the marker
    wrote at the top of its staging folder (pages, data, folders): never someone's notes
    in a folder whose name happens to look like one (``._site-archived``)."""
    with os.scandir(path) as entries:
        return all(
            entry.is_dir(follow_symlinks=False) or entry.name.endswith(_PAGE_SUFFIXES) or entry.name.startswith("_") for entry in entries
        )
