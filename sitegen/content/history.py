"""When each content file last changed: the date of its last git commit.

One ``git log`` over the content folder answers for every file at once (a call per file
would cost a second on the real site). A file that was never committed, or a project that
is not a git repository, has no date: the page then shows none.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from sitegen.content.versions import git_output

if TYPE_CHECKING:
    from sitegen.site.model import Config

log = logging.getLogger(__name__)

_COMMIT = "commit "
"""Starts each commit's line in the log, before its committer date (a file name never
starts so: git prints file names relative to the project, ``content/...``)."""


def last_commit_dates(config: Config) -> dict[str, datetime.date]:
    """Return the date of the last commit of each file under ``content/``, keyed by its
    path relative to the project root (as :attr:`Source.path` has it)."""
    content = config.shown(config.content_dir)
    output = git_output(
        config.root, "log", "--relative", f"--format={_COMMIT}%cs", "--name-only", "--no-renames", "--", content, timeout=60
    )
    if output is None:
        log.debug("no git history for %s", content)
        return {}
    return parse_log(output)


def parse_log(text: str) -> dict[str, datetime.date]:
    """Return the first (newest) date given for each file of ``git log --name-only`` output."""
    dates: dict[str, datetime.date] = {}
    current: datetime.date | None = None
    for line in text.splitlines():
        if line.startswith(_COMMIT):
            try:
                current = datetime.date.fromisoformat(line[len(_COMMIT) :].strip())
            except ValueError:
                current = None
        elif line.strip() and current is not None:
            dates.setdefault(line.strip(), current)
    return dates


def head_commit(config: Config) -> str | None:
    """Return the commit checked out (what the dates depend on), or ``None`` outside git.

    A build remembered whole is taken again only while this is the same: a commit changes
    the dates without changing a file.
    """
    return (git_output(config.root, "rev-parse", "--verify", "--quiet", "HEAD", timeout=60) or "").strip() or None
