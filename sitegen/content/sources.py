"""The files a build reads: every source folder is listed, and every file opened, here.

``content/``, ``templates/``, ``static/`` and ``locales/`` are written by many hands. Only
regular files inside the project are read. A symbolic link that leads out of it
(``static/passwd.txt -> /etc/passwd``, a ``content/en`` folder pointing to ``/etc``) would
publish what it points at; one to a hidden file (``.env``, ``.git/``) too. A named pipe
would hang the build for ever, and a device or a socket is no source. Each of these is a
problem with its path, never a silence and never a hang.

"Inside the project" means under the project root or under one of the configured source
folders (a configuration may keep its templates elsewhere on purpose).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.site.model import Problem

if TYPE_CHECKING:
    from sitegen.site.model import Config


@dataclass(frozen=True, slots=True)
class Listing:
    """What one source folder holds, in a stable order."""

    files: tuple[Path, ...] = ()
    """Regular files that may be read, as listed (under the folder, links not resolved)."""
    folders: tuple[Path, ...] = ()
    """Folders found (only when listing one level)."""
    problems: tuple[Problem, ...] = field(default=())
    """Everything that is not read and why: links out of the project, pipes, devices."""


def allowed_places(config: Config) -> tuple[Path, ...]:
    """Return the folders a source file (or what a link in one points at) may be in."""
    folders = (config.root, config.content_dir, config.templates_dir, config.static_dir, config.locales_dir)
    return tuple(dict.fromkeys(folder.resolve() for folder in folders))


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    return next((name for test, name in kinds if test(mode)), "a folder" if stat.S_ISDIR(mode) else "not a file")


def link_problem(path: Path, config: Config, places: tuple[Path, ...] | None = None) -> str | None:
    """Return why the symbolic links on ``path`` must not be followed, or ``None``.

    Any component of ``path`` may be a link; what counts is where the whole path leads.
    """
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "a symbolic link to nothing (a missing file)"
    except (OSError, RuntimeError) as error:  # a loop of links
        return f"a symbolic link that cannot be followed ({getattr(error, 'strerror', None) or error})"
    places = places if places is not None else allowed_places(config)
    inside = [place for place in places if target.is_relative_to(place)]
    if not inside:
        return f"a symbolic link to {target}, outside the project"
    if all(any(part.startswith(".") for part in target.relative_to(place).parts) for place in inside):
        return f"a symbolic link to {target}, a hidden file"
    return None


def list_folder(folder: Path, config: Config, *, recursive: bool = True) -> Listing:
    """Return the regular files under ``folder`` (and its folders, when not ``recursive``).

    Names starting with ``.`` are skipped (editors' and tools' files). A folder that is
    not there gives an empty listing: saying so is the caller's business.
    """
    places = allowed_places(config)
    files: list[Path] = []
    folders: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()

    def refuse(path: Path, why: str) -> None:
        problems.append(Problem(config.shown(path), None, f"{why}: it is not read"))

    def walk(current: Path) -> None:
        try:
            real = current.resolve()
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            if error.errno not in (errno.ENOENT, errno.ENOTDIR) or current != folder:
                refuse(current, f"cannot list the folder ({error.strerror or error})")
            return
        if real in seen:
            refuse(current, "a symbolic link back to a folder already read")
            return
        seen.add(real)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            link = entry.is_symlink()
            if link and (why := link_problem(path, config, places)) is not None:
                refuse(path, why)
                continue
            if not link and entry.is_file(follow_symlinks=False):
                files.append(path)  # the listing said so (d_type): no stat needed
                continue
            try:
                mode = path.stat().st_mode
            except OSError as error:
                refuse(path, f"cannot read it ({error.strerror or error})")
                continue
            if stat.S_ISDIR(mode):
                if recursive:
                    walk(path)
                else:
                    folders.append(path)
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                refuse(path, f"not a regular file ({_kind(mode)})")

    folder_problem = link_problem(folder, config, places) if folder.is_symlink() else None
    if folder_problem is not None:
        return Listing(problems=(Problem(config.shown(folder), None, f"{folder_problem}: it is not read"),))
    walk(folder)
    return Listing(tuple(files), tuple(folders), tuple(problems))


def read_source(file: Path, path: str, limit: int | None = None) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a source file, or why it is not read (``path`` is how it is shown).

    The file is opened without blocking and checked once open: a named pipe put in the
    place of a listed file cannot hang the build, and what is read is what was checked.
    ``limit`` refuses a larger file unread.
    """
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return None, [Problem(path, None, f"cannot read the file: {error.strerror or error}")]
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return None, [Problem(path, None, f"not a regular file ({_kind(status.st_mode)}): it is not read")]
        if limit is not None and status.st_size > limit:
            return None, [
                Problem(
                    path,
                    None,
                    f"page is {status.st_size:,} bytes, the limit is {limit:,} bytes ({limit // 2**20} MiB)",
                    hint="split it into smaller pages",
                )
            ]
        try:
            return handle.read() if limit is None else handle.read(limit + 1), []
        except OSError as error:
            return None, [Problem(path, None, f"cannot read the file: {error.strerror or error}")]


def read_checked(file: Path, config: Config, limit: int | None = None) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a file named by the code rather than found by a listing (a
    catalog, ``index.md``): the links on its path are checked first, then it is read as
    :func:`read_source` does."""
    path = config.shown(file)
    if file.resolve() != file.absolute() and (why := link_problem(file, config)) is not None:
        return None, [Problem(path, None, f"{why}: it is not read")]
    return read_source(file, path, limit)
