"""Heading ids and their "#" permalinks, unique within a page and stable across languages.

The ids are what other pages link to (``307.md#example``), so they must survive
translation:

- an explicit ``{#id}`` at the end of a heading is its id (and is not shown);
- a translation whose headings have the same outline (count and levels) as the page it
  follows takes that page's ids by position, so ``#how-clients-handle-it`` works in
  every language; otherwise its ids follow its own words and the difference is reported;
- ids are ASCII: ``Spécifications`` gives ``specifications``, never ``sp%C3%A9cifications``.

mdit-py-plugins' anchors plugin makes an id unique by trying ``-1``, ``-2``... from 1 each
time, which costs quadratic time on a page of many equal headings; here each title
remembers where its count stands.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

MIN_LEVEL, MAX_LEVEL = 2, 4
"""Headings that get an id and a permalink: ``<h2>`` to ``<h4>``."""

SOURCE_OUTLINE = "source_outline"
"""Key of ``env``: the :data:`Outline` of the page a translation follows, if any."""
OUTLINE = "outline"
"""Key of ``env`` where the rule leaves the page's own :class:`HeadingIds`."""

Outline = tuple[tuple[int, str], ...]
"""(level, id) of each heading that has an id, in order."""

_EXPLICIT = re.compile(r"[ \t]*\{#([A-Za-z][A-Za-z0-9_:.-]*)\}[ \t]*$")


@dataclass(frozen=True, slots=True)
class HeadingIds:
    """What the heading rule did on one page."""

    outline: Outline
    """(level, id) of each heading, the ids as given to the page."""
    own_levels: tuple[int, ...]
    matched: bool | None
    """``True`` if the ids were taken from the source page by position, ``False`` if the
    outline differed from it, ``None`` where there is no source page to follow."""
    source_levels: tuple[int, ...] = ()
    lines: tuple[int, ...] = ()
    """0-based body line of each heading."""

    def first_difference(self) -> int:
        """Return the body line of the first heading whose level differs from the source's."""
        for position, line in enumerate(self.lines):
            if position >= len(self.source_levels) or self.own_levels[position] != self.source_levels[position]:
                return line
        return self.lines[-1] if self.lines else 0


def slugify(title: str) -> str:
    """Return the ASCII id of a heading title: lower case, accents dropped, words joined by ``-``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9\s_-]", "", ascii_title.strip().lower())
    return re.sub(r"\s+", "-", slug.strip()) or "section"


def _explicit_id(children: list[Token]) -> str | None:
    """Take a trailing ``{#id}`` off a heading's text and return the id."""
    last = children[-1] if children else None
    if last is None or last.type != "text":
        return None
    match = _EXPLICIT.search(last.content)
    if match is None:
        return None
    last.content = last.content[: match.start()]
    if not last.content:
        children.pop()
    return match.group(1)


def _heading_ids(state: StateCore) -> None:
    from markdown_it.token import Token  # markdown-it is loaded once a body is parsed

    headings = [
        (index, token)
        for index, token in enumerate(state.tokens)
        if token.type == "heading_open" and MIN_LEVEL <= int(token.tag[1]) <= MAX_LEVEL
    ]
    explicit: dict[int, str] = {}
    for index, _token in headings:
        inline = state.tokens[index + 1]
        found = _explicit_id(inline.children or [])
        if found:
            explicit[index] = found
    levels = tuple(int(token.tag[1]) for _index, token in headings)
    source: Outline | None = state.env.get(SOURCE_OUTLINE)
    # a source page without headings has no ids another language could link to
    matched = None if not source else tuple(level for level, _id in source) == levels
    taken: set[str] = {str(token.attrGet("id")) for token in state.tokens if token.type == "heading_open" and token.attrGet("id")}
    taken.update(explicit.values())
    next_suffix: dict[str, int] = {}
    outline = []
    for position, (index, token) in enumerate(headings):
        inline = state.tokens[index + 1]
        children = inline.children if inline.children is not None else []
        slug = explicit.get(index) or str(token.attrGet("id") or "")
        if not slug and matched and source is not None and source[position][1] not in taken:
            slug = source[position][1]
            taken.add(slug)
        if not slug:
            base = slugify("".join(child.content for child in children if child.type in ("text", "code_inline")))
            slug, suffix = base, next_suffix.get(base, 1)
            while slug in taken:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            next_suffix[base] = suffix
            taken.add(slug)
        token.attrSet("id", slug)
        outline.append((int(token.tag[1]), slug))
        link_open = Token("link_open", "a", 1)
        link_open.attrSet("class", "header-anchor")
        link_open.attrSet("href", f"#{slug}")
        children.extend([Token("text", "", 0, content=" "), link_open, Token("text", "", 0, content="#"), Token("link_close", "a", -1)])
        inline.children = children
    source_levels = tuple(level for level, _id in source) if source is not None else ()
    lines = tuple(token.map[0] if token.map else 0 for _index, token in headings)
    state.env[OUTLINE] = HeadingIds(tuple(outline), levels, matched, source_levels, lines)


def headings_plugin(md: MarkdownIt) -> None:
    """Give ``md``'s headings unique, stable ids and a "#" link to themselves."""
    md.core.ruler.push("heading_ids", _heading_ids)
