"""Write a built site: into a temporary folder beside ``_site/``, then swapped in."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.content.sources import list_folder, read_source
from sitegen.site.urls import safe_output_path

if TYPE_CHECKING:
    from collections.abc import Mapping

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


def write_site(files: Mapping[str, bytes], output_dir: Path) -> None:
    """Replace ``output_dir`` with exactly ``files``, in one step.

    The new site is written into a temporary folder next to the output, then renamed
    over it: a reader (or a failed build) never sees a half-written site, and files
    that are no longer produced disappear.
    """
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}-", dir=output_dir.parent))
    try:
        for relative, data in sorted(files.items()):
            safe = safe_output_path(relative)
            if safe is None:
                raise ValueError(f"refusing to write outside the output folder: {relative!r}")
            target = staging / safe
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.chmod(0o755)
        _swap(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, output_dir: Path) -> None:
    """Put ``staging`` in the place of ``output_dir`` and remove the old one."""
    if not output_dir.exists():
        staging.replace(output_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}-old-", dir=output_dir.parent))
    old.rmdir()
    output_dir.replace(old)
    try:
        staging.replace(output_dir)
    except OSError:
        old.replace(output_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
    log.debug("swapped %s into %s", staging, output_dir)
