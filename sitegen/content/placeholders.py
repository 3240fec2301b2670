"""Placeholder text left from ``sitegen new``: ``TODO ...`` must never be published.

``sitegen new`` prefills a page with ``TODO`` where the author has to write; a page that
still holds one is an error with its line, unless it is a draft (``draft: true``), which
is never published.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

PLACEHOLDER = re.compile(r"\bTODO\b")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HINT = "write the text, or keep 'draft: true' until the page is done"


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    import yaml  # imported where YAML is looked at: a build that reads nothing never loads it

    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _scalars(value)


def _shown(text: str) -> str:
    """Return the placeholder as quoted in a message: from ``TODO`` to the end of its line."""
    start = PLACEHOLDER.search(text)
    line = text[start.start() if start else 0 :].split("\n", 1)[0].strip()
    return line if len(line) <= 60 else line[:57] + "..."


def front_matter_placeholders(path: str, nodes: dict[str, yaml.Node]) -> list[Problem]:
    """Return an error for each front-matter value that still holds ``TODO``."""
    problems = []
    for key, node in nodes.items():
        for scalar in _scalars(node):
            if isinstance(scalar.value, str) and PLACEHOLDER.search(scalar.value):
                problems.append(Problem(path, scalar.start_mark.line + 2, f"{key}: placeholder text '{_shown(scalar.value)}'", hint=_HINT))
    return problems


def body_placeholders(path: str, body: str, body_line: int) -> list[Problem]:
    """Return an error for each body line that still holds ``TODO`` (code blocks and spans excepted)."""
    problems = []
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None or line.startswith("    "):
            continue
        text = _CODE_SPAN.sub("", line)
        if PLACEHOLDER.search(text):
            problems.append(Problem(path, body_line + offset, f"placeholder text '{_shown(text)}'", hint=_HINT))
    return problems
