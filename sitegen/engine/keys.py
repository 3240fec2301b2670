"""Cache keys: a hash of everything a result was made from.

Every cached result is stored under :func:`fingerprint` of its inputs, and every key
starts with :func:`environment_key`: the sitegen code itself (each module and data file,
so an edited checkout never trusts results of the code before), the Python version and
the versions of the libraries whose output ends up in the site. A change of any input
gives another key, so a stale result can never be found; it is pruned instead
(:meth:`sitegen.engine.cache.Cache.finish`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

import sitegen

FORMAT = 1
"""The version of the cache's layout: raise it when the meaning of an entry changes
in a way the code fingerprint would not see."""

DEPENDENCIES = (
    "babel",
    "jinja2",
    "markdown_it_py",
    "markupsafe",
    "mdit_py_plugins",
    "mdurl",
    "pagefind",
    "pagefind_bin",
    "pygments",
    "pyyaml",
)
"""The distributions whose version can change the bytes of the site."""


def fingerprint(*parts: object) -> str:
    """Return the key of ``parts``: a hash of their values.

    ``parts`` are plain values: strings, numbers, tuples, lists, dicts, frozen
    dataclasses, paths. Equal values give equal keys whatever the process, the
    ``PYTHONHASHSEED`` or which objects they share (pickle's memo is turned off); values
    that differ give different keys. Sets are pickled in their iteration order, which
    varies between processes: leave them out of keys, or sort them first.
    """
    hasher = hashlib.blake2b(digest_size=20)
    pickler = pickle.Pickler(_Hashing(hasher), protocol=5)  # hashed as pickled: a large view is never held whole
    pickler.fast = True  # no memo: the bytes depend on the values only, not on shared objects
    pickler.dump(parts)
    return hasher.hexdigest()


class _Hashing:
    """A file that hashes what is written to it (pickle writes its frames, ~64 KB each)."""

    __slots__ = ("write",)

    def __init__(self, hasher: hashlib.blake2b) -> None:
        self.write = hasher.update


def digest(data: bytes) -> str:
    """Return the hash of some bytes, as keys hold it."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _code_digest() -> str:
    """Return a hash of sitegen's own modules and data files (the registry, the constants,
    the schemas: every file of the package)."""
    package = Path(sitegen.__file__).parent
    hasher = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            hasher.update(path.relative_to(package).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _dependency_versions() -> list[str]:
    """Return the installed distributions among :data:`DEPENDENCIES`, with their versions.

    Read from the names of the ``.dist-info`` folders: importing ``importlib.metadata``
    would cost more than the whole lookup of a build that changed nothing.
    """
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")  # noqa: PTH208  # names only, without a Path per entry
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and name.split("-")[0].lower() in DEPENDENCIES:
                found.append(name)
    return sorted(found)


@functools.cache
def environment_key() -> str:
    """Return the key of what every result depends on besides its own inputs."""
    return fingerprint(FORMAT, sitegen.__version__, _code_digest(), sys.version, sys.implementation.cache_tag, _dependency_versions())
