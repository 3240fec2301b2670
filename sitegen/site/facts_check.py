"""Facts across pages: a translation that contradicts its source page, and a compared code
whose page lacks a fact its comparison table needs. Each problem points at the page's line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitegen.content.facts import FACT_CHOICES, FACT_WORDS
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence, Set

    from sitegen.content.comparisons import Comparisons
    from sitegen.site.model import Config, Page


def shown(value: object) -> str:
    """Return a fact's value as it is written in YAML."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _values(fact: str) -> str:
    if fact in FACT_CHOICES:
        return ", ".join(FACT_CHOICES[fact])
    if fact in FACT_WORDS:
        return f"true, false, {FACT_WORDS[fact]}"
    if fact in ("permanent",):
        return "true, false"
    return "a header name, or none"


def check_facts(pages: Sequence[Page], comparisons: Comparisons, config: Config, unreadable: Set[str] = frozenset()) -> list[Problem]:
    """Return the contradicting and the missing facts.

    ``unreadable`` holds the paths of page files that failed to load: their errors are
    reported already, and a comparison naming such a code says nothing more.
    """
    sources = {page.code: page for page in pages if page.language == config.source_language}
    problems: list[Problem] = []
    for page in pages:
        source = sources.get(page.code)
        if source is None or page is source:
            continue
        for key, value in sorted(page.facts.items()):
            if key in source.facts and source.facts[key] != value:
                where = f"{source.source.path}:{source.source.line_of(key)}"
                problems.append(
                    Problem(
                        page.source.path,
                        page.source.line_of(key),
                        f"'{key}: {shown(value)}' contradicts {where} ('{key}: {shown(source.facts[key])}')",
                        hint="facts are the same in every language",
                    )
                )
    for table in comparisons.tables:
        for code in table.codes:
            if code not in sources and config.shown(config.content_dir / config.source.segment / f"{code}.md") not in unreadable:
                # a warning, as for any link to a missing page: the table leaves the row out
                message = f"the comparison '{table.name}' compares {code}, which has no page"
                problems.append(Problem(table.path, table.line, message, "warning", "its row is left out"))
        for page in pages:
            if page.code not in table.codes:
                continue
            for fact in table.facts:
                if fact not in page.facts:
                    problems.append(
                        Problem(
                            page.source.path,
                            page.source.line_of("code"),
                            f"fact '{fact}' is missing: the comparison '{table.name}' ({table.path}:{table.line}) needs it",
                            hint=f"add '{fact}:' with one of: {_values(fact)}",
                        )
                    )
    return problems
