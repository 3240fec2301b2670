"""Render the markdown of every entry (bodies, takeaways, overviews) for its reader.

The outputs are planned in :mod:`sitegen.render.plan`, the template views and their
rendering live in :mod:`sitegen.render.views`. Pure: the markdown parser is built at
the edge and passed in. Output is deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.content.markdown import BodyContext, CodeLink, RenderedBody, create_markdown, render_body
from sitegen.site import urls
from sitegen.site.model import Language, Problem
from sitegen.site.registry import load_registry

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from sitegen.site.resolve import Entry, Site


@dataclass(frozen=True, slots=True)
class Rendered:
    """The markdown of every entry, rendered for its reader's language."""

    bodies: Mapping[tuple[str, int], RenderedBody]
    takeaways: Mapping[tuple[str, int], str]
    overviews: Mapping[tuple[str, int], tuple[str, str]]
    """(HTML, plain text) of each written overview; the first paragraph stands in for a missing one."""

    def overview_text(self, key: tuple[str, int]) -> str:
        """Return the one-sentence summary of an entry as plain text."""
        return self.overviews[key][1] if key in self.overviews else self.bodies[key].first_paragraph


def code_link(site: Site, language: Language, code: int) -> CodeLink | None:
    """Return how ``code`` is linked for readers of ``language``, if it has a page."""
    entry = site.entries.get((language.tag, code))
    if entry is None:
        return None
    lang = entry.content_language if entry.content_language != language.tag else None
    return CodeLink(urls.page_url(site.config, language, code), f"{code} {entry.page.name}", lang)


LinkFor = Callable[[Language, int], CodeLink | None]
"""Answers how a code is linked for readers of a language (:func:`code_link` on one site)."""


def _body_context(entry: Entry, body_line: int, link_for: LinkFor) -> BodyContext:
    registry = load_registry()
    return BodyContext(
        path=entry.page.source.path,
        body_line=body_line,
        mdn_locale=entry.language.mdn_locale or "en-US",
        link_for=lambda code: link_for(entry.language, code),
        plain_name=lambda code: registry[code].name if code in registry else None,
        specs=entry.specs,
        own_code=entry.code,
    )


def render_markdown(
    site: Site,
    md: MarkdownIt,
    keys: set[tuple[str, int]] | None = None,
    link_for: LinkFor | None = None,
) -> tuple[Rendered, list[Problem]]:
    """Return the rendered body and takeaways of every entry (or of ``keys`` only).

    ``link_for`` defaults to :func:`code_link` on ``site``; the dev server passes one that
    also records which codes a body links to, to know when it must be rendered again.
    """
    if link_for is None:
        link_for = functools.partial(code_link, site)
    bodies: dict[tuple[str, int], RenderedBody] = {}
    takeaways: dict[tuple[str, int], str] = {}
    overviews: dict[tuple[str, int], tuple[str, str]] = {}
    problems: list[Problem] = []
    front_matter_md = create_markdown(allow_html=False)
    for key in sorted(site.entries if keys is None else keys):
        entry = site.entries[key]
        page = entry.page
        body = render_body(md, page.body, _body_context(entry, page.source.body_line, link_for))
        bodies[key] = body
        problems.extend(body.problems)
        if page.takeaways:
            items = []
            for index, item in enumerate(page.takeaways):
                line = page.takeaway_lines[index] if index < len(page.takeaway_lines) else page.source.line_of("takeaways")
                rendered = render_body(front_matter_md, " ".join(item.split()), _body_context(entry, line, link_for))
                problems.extend(rendered.problems)
                items.append(f"<li>{rendered.html.strip().removeprefix('<p>').removesuffix('</p>')}</li>\n")
            takeaways[key] = f"<ul>\n{''.join(items)}</ul>\n"
        if page.overview:
            # one line of markdown: macros and emphasis work, block syntax does not
            rendered = render_body(
                front_matter_md, " ".join(page.overview.split()), _body_context(entry, page.source.line_of("overview"), link_for)
            )
            problems.extend(rendered.problems)
            inner = rendered.html.strip().removeprefix("<p>").removesuffix("</p>")
            overviews[key] = (inner, rendered.first_paragraph)
    return Rendered(bodies, takeaways, overviews), list(dict.fromkeys(problems))


PAGE_IDS = frozenset({"main-content", "page-takeaways", "page-facts", "page-see-also", "page-more", "page-backlinks"})
"""The ids ``base.html`` and ``code.html`` give every code page."""


def check_anchors(site: Site, rendered: Rendered) -> list[Problem]:
    """Return a warning for each link to an anchor that the target page lacks.

    Heading ids follow the words of each translation: ``#example`` on the English page
    is ``#exemple`` on the French one, so such a link can break in one language only.
    """
    problems = []
    for (tag, code), body in sorted(rendered.bodies.items()):
        for target, anchor, line in body.fragments:
            target_body = rendered.bodies.get((tag, target))
            if target_body is None or anchor in target_body.ids or anchor in PAGE_IDS:
                continue
            entry = site.entries[(tag, code)]
            problems.append(
                Problem(
                    entry.page.source.path,
                    line,
                    f"link to #{anchor} on the {tag} page of {target}, which has no such anchor",
                    "warning",
                    f"anchors there: {', '.join(sorted(target_body.ids)) or 'none'}",
                )
            )
    return list(dict.fromkeys(problems))
