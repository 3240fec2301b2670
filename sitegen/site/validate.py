"""Check loaded pages against each other and the registry: duplicates, unknown codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitegen.site.model import Page, Problem
from sitegen.site.registry import load_registry

if TYPE_CHECKING:
    from collections.abc import Sequence


def nearest_code(code: int, known: Sequence[int]) -> int | None:
    """Return the known code nearest to ``code`` in the same class, for "did you mean"."""
    same_class = [candidate for candidate in known if candidate // 100 == code // 100 and candidate != code]
    return min(same_class, key=lambda candidate: (abs(candidate - code), candidate)) if same_class else None


def validate_pages(pages: Sequence[Page]) -> tuple[list[Page], list[Problem]]:
    """Return the pages that can be built (duplicates dropped) and the problems found."""
    problems: list[Problem] = []
    registry = load_registry()
    seen: dict[tuple[str, int], Page] = {}
    kept: list[Page] = []
    for page in sorted(pages, key=lambda page: page.source.path):
        key = (page.language, page.code)
        if key in seen:
            first = seen[key].source
            problems.append(
                Problem(
                    page.source.path,
                    page.source.line_of("code"),
                    f"code {page.code} in '{page.language}' is already defined in {first.path}:{first.line_of('code')}",
                    hint="keep one page per code and language",
                )
            )
            continue
        seen[key] = page
        kept.append(page)
        if page.code not in registry and page.facts.get("status") != "unofficial":
            near = nearest_code(page.code, sorted(registry))
            problems.append(
                Problem(
                    page.source.path,
                    page.source.line_of("code"),
                    f"{page.code} is not in the IANA registry",
                    "warning",
                    "mark it 'status: unofficial'" + (f", or did you mean {near}?" if near else ""),
                )
            )
    return kept, problems
