"""Which folder a build may replace, and what it keeps there.

``sitegen build`` replaces its output folder whole. It does so only for a folder it made
itself (marked with :data:`~sitegen.output.swap.MARKER`), an empty one, or one holding
nothing but what it keeps; any other folder is refused unless ``--force`` is given, and
even then ``.git``, ``CNAME`` and the dot-files at the top of the folder are kept, so that
publishing into a ``gh-pages`` worktree works (as MkDocs does). A path that is a file, the
project itself, a folder that holds the project or a source folder, a folder inside a
source folder, anything inside a ``.git`` folder, and the home folder or one that holds it
are always refused; so is a folder whose ``.<name>.previous`` sibling (where the swap's
fallback parks the old site) is not sitegen's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sitegen.output.swap import MARKER, previous_path
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sitegen.site.model import Config

State = Literal["absent", "empty", "ours", "forced"]
LEGACY_SIGNATURE = ("api/codes.json", "sitemap.xml")
"""Files every sitegen site has: with nothing else foreign, an unmarked folder holding
them was written by a build from before the marker."""


@dataclass(frozen=True, slots=True)
class Target:
    """An output folder that may be replaced, and how."""

    path: Path
    state: State
    """``absent``, ``empty`` (or holding only what is kept), ``ours`` (marked, or an older
    sitegen output) or ``forced`` (another folder, replaced because of ``--force``)."""
    kept: tuple[str, ...] = ()
    """Top-level names carried over into the new tree: ``.git``, ``CNAME``, dot-files."""


@dataclass(frozen=True, slots=True)
class Naming:
    """How the user named the output folder, for messages that point at the right place."""

    path: str
    """The problem's path: the folder as typed after ``--out``, or ``pyproject.toml``."""
    line: int | None
    what: str
    """``--out`` or ``output`` (the configuration key)."""


def is_kept(name: str) -> bool:
    """Return whether a top-level entry of an output folder survives every build."""
    return name != MARKER and (name.startswith(".") or name == "CNAME")


def check_target(output: Path, config: Config, naming: Naming, *, force: bool, site_names: Iterable[str] | None = None) -> Target | Problem:
    """Return how ``output`` may be replaced, or the problem that forbids it.

    ``site_names`` are the top-level names of the new site; without them (before the
    build) an unmarked older sitegen output is accepted on its signature alone.
    """

    def refuse(message: str, hint: str | None = None) -> Problem:
        return Problem(naming.path, naming.line, f"{naming.what} {message}: nothing was written", hint=hint)

    if ".git" in output.parts:
        return refuse("is inside a .git folder")
    if output == config.root:
        return refuse("is the project itself", "choose a folder such as _site")
    if output in config.root.parents:
        return refuse(f"is {output}, a folder that holds the project", "choose a folder such as _site")
    sources = {"content": config.content_dir, "templates": config.templates_dir, "static": config.static_dir, "locales": config.locales_dir}
    for name, source in sources.items():
        if output == source or output in source.parents:
            return refuse(f"would replace the {name} folder ({source})")
        if source in output.parents:
            return refuse(f"is inside the {name} folder ({source})", "the next build would read the site as sources")
    home = _home()
    if home is not None and (output == home or output in home.parents):
        return refuse(f"is {output}, your home folder or one that holds it", "choose a folder such as _site")
    previous = previous_path(output)
    if os.path.lexists(previous) and not (previous / MARKER).is_file():
        return refuse(
            f"has a sibling {previous.name} that sitegen did not make",
            f"sitegen parks the old site there during a swap on systems without an atomic exchange; rename {previous}",
        )
    if not os.path.lexists(output):
        return Target(output, "absent")
    if output.is_symlink() or not output.is_dir():
        return refuse("is a file, not a folder")
    try:
        names = sorted(entry.name for entry in os.scandir(output))
    except OSError as error:
        return refuse(f"cannot be read ({error.strerror or error})")
    kept = tuple(name for name in names if is_kept(name))
    others = [name for name in names if not is_kept(name) and name != MARKER]
    if MARKER in names:
        return Target(output, "ours", kept)
    if not others:
        return Target(output, "empty", kept)
    if all((output / signature).is_file() for signature in LEGACY_SIGNATURE):
        # written by a build from before the marker: foreign is only what the site does not write
        others = [name for name in others if site_names is not None and name not in set(site_names)]
        if not others:
            return Target(output, "ours", kept)
    if force:
        return Target(output, "forced", kept)
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return refuse(
        f"is a folder that sitegen did not make and that is not empty ({shown})",
        "choose an empty folder, or add --force to replace what it holds; .git, CNAME and the dot-files at its top are kept",
    )


def _home() -> Path | None:
    """Return the user's home folder, resolved, if there is one."""
    try:
        return Path.home().resolve()
    except (OSError, RuntimeError, KeyError):
        return None
