"""MDN and GitHub callouts: ``> [!NOTE]`` quotes become notes with a label.

MDN writes ``> [!NOTE]``, ``> [!WARNING]`` and ``> [!CALLOUT]``; GitHub adds ``[!TIP]``,
``[!IMPORTANT]`` and ``[!CAUTION]``. The quote becomes ``<aside class="callout note">``
opened by a label. The label is translated where the page is rendered for its reader
(:func:`label_callouts`), so the markdown stage leaves a marker in its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from sitegen.site.registry import N_

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

LABELS = {
    "note": N_("Note"),
    "tip": N_("Tip"),
    "important": N_("Important"),
    "warning": N_("Warning"),
    "caution": N_("Caution"),
    "callout": N_("Callout"),
}
"""Each kind of callout and its label, translated for the reader."""
PYTHON_MESSAGES = tuple(LABELS.values())
_MARK = re.compile(r"^\[!(" + "|".join(LABELS) + r")\][ \t]*(?:\n|$)", re.IGNORECASE)
_PLACEHOLDER = re.compile("\ue000(" + "|".join(LABELS) + ")\ue000")


def _callouts(state: StateCore) -> None:
    from markdown_it.token import Token

    tokens = state.tokens
    index = 0
    while index + 2 < len(tokens):
        opening = tokens[index]
        paragraph, inline = tokens[index + 1], tokens[index + 2]
        match = _MARK.match(inline.content) if opening.type == "blockquote_open" and paragraph.type == "paragraph_open" else None
        if match is None:
            index += 1
            continue
        kind = match.group(1).lower()
        opening.tag = "aside"
        opening.attrSet("class", f"callout {kind}")
        depth = 0
        for closing in tokens[index:]:
            depth += closing.nesting if closing.type in ("blockquote_open", "blockquote_close") else 0
            if closing.type == "blockquote_close" and depth == 0:
                closing.tag = "aside"
                break
        title = Token("html_block", "", 0, content=f'<p class="callout-title">\ue000{kind}\ue000</p>\n')
        inline.content = inline.content[match.end() :]
        if inline.content.strip():
            tokens.insert(index + 1, title)
        else:
            tokens[index + 1 : index + 4] = [title]  # the marker was all the paragraph held
        index += 2


def callouts_plugin(md: MarkdownIt) -> None:
    """Turn ``> [!NOTE]`` quotes into labelled notes (before inline parsing, which the marker would confuse)."""
    md.core.ruler.before("inline", "callouts", _callouts)


def label_callouts(html: str, gettext: Callable[[str], str]) -> str:
    """Return rendered HTML with each callout's label in the reader's language."""
    if "\ue000" not in html:
        return html
    return _PLACEHOLDER.sub(lambda match: gettext(LABELS[match.group(1)]), html)
