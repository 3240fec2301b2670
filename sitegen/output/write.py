"""Write a built site: into a staging folder beside ``_site/``, then swapped in in one
step (:mod:`sitegen.output.swap`); what may be replaced is :mod:`sitegen.output.target`'s."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from sitegen.content.sources import list_folder, read_source
from sitegen.output.swap import Staging
from sitegen.output.target import is_kept
from sitegen.site.urls import safe_output_path

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from sitegen.site.model import Config, Problem

log = logging.getLogger(__name__)


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


def write_site(files: Mapping[str, bytes], output_dir: Path, kept: Iterable[str] | None = None) -> None:
    """Replace ``output_dir`` with exactly ``files`` (plus the marker), in one step.

    The new tree is written into a staging folder beside the output, then swapped in
    (:class:`~sitegen.output.swap.Staging`): a reader, a failed build or a killed one
    never sees a half-written site, and files no longer produced disappear. ``kept`` are
    the top-level names of the old folder carried over (``.git``, ``CNAME``, dot-files;
    by default every such name it holds, see :func:`~sitegen.output.target.is_kept`).
    """
    paths = {relative: _safe(relative) for relative in files}  # refuse before anything is written
    if kept is None:
        kept = [entry.name for entry in _entries(output_dir) if is_kept(entry.name)]
    staging = Staging(output_dir)
    try:
        folders: set[Path] = set()
        for relative, data in sorted(files.items()):
            target = staging.path / paths[relative]
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_bytes(data)
        staging.commit(kept)
    except BaseException:
        staging.abort()
        raise


def _safe(relative: str) -> str:
    safe = safe_output_path(relative)
    if safe is None:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return safe


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []
