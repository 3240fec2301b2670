"""What the knowledge features add to a code page's view: the table of language
constants (and later the comparisons it belongs to and its exchange diagram).

Kept apart from :mod:`sitegen.render.views` so the code page's template context grows
here, in one place, without touching the other pages' views.
"""

from __future__ import annotations

from typing import Any

from sitegen.site.constants import constants_of


def constants_view(code: int) -> list[dict[str, Any]] | None:
    """Return the rows of a code's constants table, or ``None`` when no library names it."""
    rows = [
        {"label": library.label, "version": library.version, "expression": expression, "deprecated": deprecated}
        for library, expression, deprecated in constants_of(code)
    ]
    return rows if any(row["expression"] for row in rows) else None
