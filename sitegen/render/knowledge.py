"""What the knowledge features add to a code page's view: the table of language
constants and the exchange diagram of its ```http example.

Kept apart from :mod:`sitegen.render.views` so the code page's template context grows
here, in one place, without touching the other pages' views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitegen.render.exchange import EXCHANGE_CAPTION, exchange_svg
from sitegen.site.constants import constants_of

if TYPE_CHECKING:
    from sitegen.render.view_base import PageRenderer
    from sitegen.site.model import Language
    from sitegen.site.resolve import Entry


def constants_view(code: int) -> list[dict[str, Any]] | None:
    """Return the rows of a code's constants table, or ``None`` when no library names it."""
    rows = [
        {"label": library.label, "version": library.version, "expression": expression, "deprecated": deprecated}
        for library, expression, deprecated in constants_of(code)
    ]
    return rows if any(row["expression"] for row in rows) else None


HTTP_BLOCK = '<pre class="highlight"><code class="language-http">'
"""How the body's first ```http block starts (:func:`sitegen.content.markdown._highlight`)."""


def body_with_exchange(renderer: PageRenderer, language: Language, entry: Entry, body_html: str) -> str:
    """Return the body with the diagram of its ```http example just before the example."""
    if HTTP_BLOCK not in body_html:
        return body_html
    gettext = renderer.translations[language.tag].gettext
    caption = gettext(EXCHANGE_CAPTION)
    svg = exchange_svg(entry.page.body, entry.page.facts, gettext, caption)
    if svg is None:
        return body_html
    lang = f' lang="{language.tag}"' if entry.content_language != language.tag else ""
    # the scrolling box is focusable, so a keyboard can scroll a diagram wider than the screen
    figure = f'<div class="exchange"{lang}><div tabindex="0" role="group" aria-labelledby="exchange-title">{svg}</div></div>\n'
    return body_html.replace(HTTP_BLOCK, figure + HTTP_BLOCK, 1)
