"""Heading ids and their "#" permalinks, unique within a page.

The ids are what other pages link to (``307.md#example``). mdit-py-plugins' anchors
plugin makes an id unique by trying ``-1``, ``-2``... from 1 each time, which costs
quadratic time on a page of many equal headings; here each title remembers where its
count stands.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

MIN_LEVEL, MAX_LEVEL = 2, 4
"""Headings that get an id and a permalink: ``<h2>`` to ``<h4>``."""


def slugify(title: str) -> str:
    """Return the id of a heading title: lower case, words joined by ``-``."""
    slug = re.sub(r"[^\w\s-]", "", title.strip().lower(), flags=re.UNICODE)
    return re.sub(r"[\s]+", "-", slug) or "section"


def _heading_ids(state: StateCore) -> None:
    taken: set[str] = {str(token.attrGet("id")) for token in state.tokens if token.type == "heading_open" and token.attrGet("id")}
    next_suffix: dict[str, int] = {}
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or not MIN_LEVEL <= int(token.tag[1]) <= MAX_LEVEL:
            continue
        inline = state.tokens[index + 1]
        children = inline.children if inline.children is not None else []
        slug = str(token.attrGet("id") or "")
        if not slug:
            base = slugify("".join(child.content for child in children if child.type in ("text", "code_inline")))
            slug, suffix = base, next_suffix.get(base, 1)
            while slug in taken:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            next_suffix[base] = suffix
            taken.add(slug)
            token.attrSet("id", slug)
        link_open = Token("link_open", "a", 1)
        link_open.attrSet("class", "header-anchor")
        link_open.attrSet("href", f"#{slug}")
        children.extend(
            [Token("text", "", 0, content=" "), link_open, Token("html_block", "", 0, content="#"), Token("link_close", "a", -1)]
        )
        inline.children = children


def headings_plugin(md: MarkdownIt) -> None:
    """Give ``md``'s headings unique ids and a "#" link to themselves."""
    md.core.ruler.push("heading_ids", _heading_ids)
