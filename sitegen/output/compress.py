"""Pre-compressed copies of the site's text files, for hosts that serve them as they are.

With ``precompress = true``, every HTML, CSS, JS, JSON and XML file gets a ``.gz``
(gzip, from the standard library) and a ``.br`` (Brotli) beside it: nginx's
``gzip_static`` and ``brotli_static`` send them without compressing on each request.
Both are deterministic: the same site gives the same bytes.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

import brotli

if TYPE_CHECKING:
    from collections.abc import Mapping

COMPRESSED_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")
"""Text files worth compressing."""
MIN_SIZE = 256
"""Smaller files gain nothing: a compressed copy would barely be shorter."""


def compressed_copies(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return a ``.gz`` and a ``.br`` copy of each text file in ``files``, keyed by output path."""
    copies: dict[str, bytes] = {}
    for path, data in sorted(files.items()):
        copies.update(compressed_copy(path, data))
    return copies


def compressed_copy(path: str, data: bytes) -> dict[str, bytes]:
    """Return the ``.gz`` and ``.br`` copies of one file (none if it is not text, or small)."""
    if not path.endswith(COMPRESSED_SUFFIXES) or len(data) < MIN_SIZE:
        return {}
    # mtime=0: no timestamp in the header, so a rebuild gives the same bytes
    return {f"{path}.gz": gzip.compress(data, compresslevel=9, mtime=0), f"{path}.br": brotli.compress(data, quality=11)}
