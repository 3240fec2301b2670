"""Versions of a source page, as translations record them in ``source_version``.

A version is the git blob id of the English file (what ``git hash-object`` prints): it
names the exact text a translation follows, so ``sitegen translations --diff`` can find
that text in the git history and show what changed since. Two older forms stay readable:
the 12-hex SHA-256 prefix that sitegen recorded before, and MDN's ``l10n.sourceCommit``,
a commit id.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_HEX = re.compile(r"^[0-9a-f]{7,40}$")
LEGACY_LENGTH = 12
MAX_HISTORY = 500
"""Commits searched for the text behind an old SHA-256 version."""


def source_version_of(text: str) -> str:
    """Return the version of a page's text: its git blob id (``git hash-object``)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def legacy_version_of(text: str) -> str:
    """Return the version sitegen recorded before blob ids: the start of the text's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LEGACY_LENGTH]


def is_version_of(version: str, text: str) -> bool:
    """Return whether ``version`` names exactly ``text``, in the current or the old form."""
    return version == source_version_of(text) or (len(version) == LEGACY_LENGTH and version == legacy_version_of(text))


def looks_like_git_id(version: str) -> bool:
    """Return whether ``version`` may be a git object id (a blob or a commit)."""
    return bool(_HEX.match(version)) and len(version) != LEGACY_LENGTH


def git_output(root: Path, *arguments: str, timeout: float = 20) -> str | None:
    """Return what ``git ARGUMENTS`` prints, run in ``root``; ``None`` when git is missing,
    fails (not a repository, unknown object) or takes longer than ``timeout`` seconds."""
    try:
        result = subprocess.run(["git", *arguments], cwd=root, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace")


def object_type(root: Path, version: str) -> str | None:
    """Return what git holds under ``version``: ``blob``, ``commit``..., or ``None``."""
    if not looks_like_git_id(version):
        return None
    return (git_output(root, "cat-file", "-t", version) or "").strip() or None


def text_of_version(root: Path, path: str, version: str) -> str | None:
    """Return the text of ``path`` at ``version``, found in the git history, or ``None``."""
    if looks_like_git_id(version):
        kind = object_type(root, version)
        if kind == "blob":
            return git_output(root, "cat-file", "blob", version)
        if kind == "commit":
            return git_output(root, "show", f"{version}:{path}")
        return None
    if len(version) == LEGACY_LENGTH:
        commits = (git_output(root, "log", f"--max-count={MAX_HISTORY}", "--format=%H", "--", path) or "").split()
        for commit in commits:
            text = git_output(root, "show", f"{commit}:{path}")
            if text is not None and legacy_version_of(text) == version:
                return text
    return None
