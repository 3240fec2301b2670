"""Everything a build reads, as one key: a build whose key is the last one's changes nothing.

Every file a build reads is under the project's source folders (``content/``,
``templates/``, ``static/``, ``locales/``), in sitegen's own package (the environment key)
or in the configuration (the :class:`Config`, whole). :func:`inputs_key` hashes all of it;
when it equals the key of the last build that succeeded, that build's outputs and problems
are its outputs and problems (:meth:`sitegen.engine.stages.Stages.recall_build`): nothing
is loaded, rendered or even imported.

Names starting with ``.`` are left out, as every listing of the build leaves them out. A
symbolic link anywhere in the folders gives no key: what it points at may be outside them,
and such a build goes through every stage (each cached).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.engine.keys import environment_key, fingerprint

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.site.model import Config, Problem


@dataclass(frozen=True, slots=True)
class BuildRecord:
    """A build remembered whole, under the key of its inputs."""

    outputs: tuple[tuple[str, str], ...]
    """(path, key) of every output: what the sink must still hold."""
    problems: tuple[Problem, ...]
    paths: tuple[str, ...]
    counts: tuple[int, int]
    """Code pages and languages, for the summary line."""


class _Linked(Exception):
    """A symbolic link was met: no key."""


def _digest_folder(folder: Path, hasher: hashlib.blake2b) -> None:
    """Feed every file under ``folder`` (its path and bytes) to ``hasher``, in a stable order."""

    def walk(current: str, relative: str) -> None:
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except FileNotFoundError:
            hasher.update(b"\0missing\0" + relative.encode())
            return
        except NotADirectoryError:
            raise _Linked from None  # a file where a folder should be: let the stages say so
        for entry in entries:
            if entry.name.startswith("."):
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            name = f"{relative}/{entry.name}"
            if stat.S_ISLNK(mode):
                raise _Linked
            if stat.S_ISDIR(mode):
                hasher.update(b"\0dir\0" + name.encode())
                walk(entry.path, name)
            elif stat.S_ISREG(mode):
                with open(entry.path, "rb") as file:
                    data = file.read()
                hasher.update(b"\0file\0" + name.encode() + len(data).to_bytes(8, "little"))
                hasher.update(data)
            else:
                raise _Linked  # a pipe, a socket: the stages report it

    if folder.is_symlink():
        raise _Linked
    walk(str(folder), "")


def inputs_key(config: Config) -> str | None:
    """Return the key of everything a build of ``config`` reads, or ``None`` if the source
    folders hold a symbolic link (or anything but files and folders)."""
    folders = [config.content_dir, config.templates_dir, config.static_dir, config.locales_dir]
    hasher = hashlib.blake2b(digest_size=20)
    try:
        for folder in dict.fromkeys(folders):
            hasher.update(b"\0folder\0" + str(folder).encode())
            _digest_folder(folder, hasher)
    except _Linked:
        return None
    except OSError:
        return None  # unreadable: the stages report it
    return fingerprint(environment_key(), "inputs", config, hasher.hexdigest())
