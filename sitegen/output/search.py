"""Search: a Pagefind index per language, made from the built pages.

Pagefind (the ``pagefind`` package on PyPI ships its binary) reads HTML files from a
folder, so the pages it indexes are written to a temporary folder and the bundle it makes
is read back: the index becomes part of the build's files and is written with the rest of
the site, in the same atomic swap. Only pages that mark their text with
``data-pagefind-body`` (the ``<article>`` of a code's page) are indexed; Pagefind makes one
index per ``<html lang>``, stemmed for that language, and ``pagefind.js`` loads the one of
the page it runs on.

The bundle's scripts need ``script-src 'self' 'wasm-unsafe-eval'`` and ``worker-src 'self'``
in a Content-Security-Policy (WebAssembly, and a worker from the same folder).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config import CONFIG_FILE
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

log = logging.getLogger(__name__)

SEARCH_FOLDER = "pagefind"
"""Where the bundle goes in the site: ``/pagefind/pagefind.js``."""
INDEXED_MARK = b"data-pagefind-body"
"""Pages holding this attribute are indexed; the others are not read by Pagefind at all."""
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/")
"""Parts of the bundle the site does not use: Pagefind's own interfaces (the site has its own)."""
TIMEOUT = 300
"""Seconds the indexer may take before the build gives up on it."""


def find_pagefind() -> Path | None:
    """Return the Pagefind binary: ``$PAGEFIND_BINARY_PATH``, the one the ``pagefind[bin]``
    package ships, or one on the ``PATH``."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return Path(override)
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return Path(get_executable())


def indexed_pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return the pages Pagefind reads: those that mark their text for it."""
    return {path: data for path, data in files.items() if path.endswith(".html") and INDEXED_MARK in data}


def index_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the search bundle made from the site's ``files`` (keyed ``pagefind/...``), and
    a problem if it could not be made.

    ``files`` may be ``(path, bytes)`` pairs read one at a time: each page is written for
    Pagefind as it comes and let go, so a large site's pages are never all in memory.
    """
    hint = "pip install 'pagefind[bin]', or turn search off: [features] search = false in sitegen.toml"
    with tempfile.TemporaryDirectory(prefix="sitegen-search-") as folder:
        site, bundle = Path(folder) / "site", Path(folder) / "bundle"
        pages = 0
        for path, data in files.items() if isinstance(files, Mapping) else files:
            if not (path.endswith(".html") and INDEXED_MARK in data):
                continue
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            pages += 1
        if not pages:
            return {}, []
        binary = find_pagefind()
        if binary is None or not binary.is_file():
            return {}, [Problem(CONFIG_FILE, None, "search: the Pagefind binary was not found", hint=hint)]
        command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--silent"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return {}, [Problem(CONFIG_FILE, None, f"search: Pagefind could not run: {error}", hint=hint)]
        if done.returncode != 0:
            said = " ".join((done.stderr or done.stdout).split())[:500]
            return {}, [Problem(CONFIG_FILE, None, f"search: Pagefind failed (exit {done.returncode}): {said}", hint=hint)]
        return read_bundle(bundle), []


def read_bundle(bundle: Path) -> dict[str, bytes]:
    """Return the files of a Pagefind bundle the site serves, keyed by output path."""
    files: dict[str, bytes] = {}
    for path in sorted(bundle.rglob("*")):
        relative = path.relative_to(bundle).as_posix()
        if not path.is_file() or relative.startswith(UNUSED):
            continue
        data = path.read_bytes()
        if relative == "pagefind-entry.json":
            # Pagefind lists the languages in hash-map order: sort them, so that the same
            # pages always give the same bytes
            data = json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        files[f"{SEARCH_FOLDER}/{relative}"] = data
    log.debug("search bundle: %d files, %d bytes", len(files), sum(len(data) for data in files.values()))
    return files
