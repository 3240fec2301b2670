"""Render the markdown of every entry (bodies, takeaways, overviews) for its reader.

The outputs are planned in :mod:`sitegen.render.plan`, the template views and their
rendering live in :mod:`sitegen.render.views`. Pure: the markdown parser is built at
the edge and passed in. Output is deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.content.headings import Outline
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
    faqs: Mapping[tuple[str, int], tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """(question HTML, answer HTML) of each ``faq`` entry."""
    alternatives: Mapping[tuple[str, int], str] = field(default_factory=dict)
    """The inline HTML of an unofficial code's ``alternative``."""

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


def _inline(md: MarkdownIt, text: str, context: BodyContext) -> tuple[str, str, list[Problem]]:
    """Return one line of markdown as inline HTML, its plain text, and its problems."""
    rendered = render_body(md, " ".join(text.split()), context)
    return rendered.html.strip().removeprefix("<p>").removesuffix("</p>"), rendered.first_paragraph, list(rendered.problems)


def _body_context(
    entry: Entry, body_line: int, link_for: LinkFor, source: tuple[Outline, str] | None = None, raw_html: str = "allow"
) -> BodyContext:
    registry = load_registry()
    return BodyContext(
        path=entry.page.source.path,
        body_line=body_line,
        mdn_locale=entry.language.mdn_locale or "en-US",
        link_for=lambda code: link_for(entry.language, code),
        plain_name=lambda code: registry[code].name if code in registry else None,
        specs=entry.specs,
        own_code=entry.code,
        source_outline=source[0] if source else None,
        source_path=source[1] if source else None,
        raw_html=raw_html,
    )


def _source_outline(site: Site, md: MarkdownIt, entry: Entry, bodies: Mapping[tuple[str, int], RenderedBody]) -> tuple[Outline, str] | None:
    """Return the headings of the source page a translated entry follows, and its path."""
    source_language = site.config.source_language
    if not entry.translated or entry.language.tag == source_language:
        return None
    source = site.entries.get((source_language, entry.code))
    if source is None or not source.translated:
        return None
    rendered = bodies.get((source_language, entry.code))
    if rendered is None:
        rendered = render_body(md, source.page.body, _body_context(source, source.page.source.body_line, lambda _language, _code: None))
    return rendered.outline, source.page.source.path


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
    faqs: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}
    alternatives: dict[tuple[str, int], str] = {}
    source_language = site.config.source_language
    # the source pages first: translations take their heading ids
    for key in sorted(site.entries if keys is None else keys, key=lambda key: (key[0] != source_language, key)):
        entry = site.entries[key]
        page = entry.page
        source = _source_outline(site, md, entry, bodies)
        body = render_body(md, page.body, _body_context(entry, page.source.body_line, link_for, source, site.config.raw_html))
        bodies[key] = body
        problems.extend(body.problems)
        if page.takeaways:
            items = []
            for index, item in enumerate(page.takeaways):
                line = page.takeaway_lines[index] if index < len(page.takeaway_lines) else page.source.line_of("takeaways")
                inner, _text, found = _inline(front_matter_md, item, _body_context(entry, line, link_for))
                problems.extend(found)
                items.append(f"<li>{inner}</li>\n")
            takeaways[key] = f"<ul>\n{''.join(items)}</ul>\n"
        if page.overview:
            # one line of markdown: macros and emphasis work, block syntax does not
            inner, text, found = _inline(front_matter_md, page.overview, _body_context(entry, page.source.line_of("overview"), link_for))
            problems.extend(found)
            overviews[key] = (inner, text)
        if page.faq:
            entries = []
            for question in page.faq:
                asked, _text, found = _inline(front_matter_md, question.question, _body_context(entry, question.line, link_for))
                problems.extend(found)
                answer = render_body(front_matter_md, question.answer, _body_context(entry, question.answer_line, link_for))
                problems.extend(answer.problems)
                entries.append((asked, answer.html))
            faqs[key] = tuple(entries)
        if page.alternative:
            inner, _text, found = _inline(
                front_matter_md, page.alternative, _body_context(entry, page.source.line_of("alternative"), link_for)
            )
            problems.extend(found)
            alternatives[key] = inner
    return Rendered(bodies, takeaways, overviews, faqs, alternatives), list(dict.fromkeys(problems))


@dataclass(frozen=True, slots=True)
class RenderedIntro:
    """An intro page rendered for one reader's language."""

    html: str
    overview: str
    """Plain text of the overview (or of the first paragraph), the page's meta description."""


def render_intros(
    site: Site, md: MarkdownIt, keys: set[tuple[str, str]] | None = None, link_for: LinkFor | None = None
) -> tuple[dict[tuple[str, str], RenderedIntro], list[Problem]]:
    """Return every intro (or those of ``keys``) rendered for its reader, keyed like :attr:`Site.intros`."""
    if link_for is None:
        link_for = functools.partial(code_link, site)
    registry = load_registry()
    front_matter_md = create_markdown(allow_html=False)
    rendered: dict[tuple[str, str], RenderedIntro] = {}
    problems: list[Problem] = []
    for key in sorted(site.intros if keys is None else keys):
        entry = site.intros[key]
        intro, language = entry.intro, entry.language

        def context(line: int, language: Language = language, path: str = intro.source.path) -> BodyContext:
            return BodyContext(
                path=path,
                body_line=line,
                mdn_locale=language.mdn_locale or "en-US",
                link_for=lambda code: link_for(language, code),
                plain_name=lambda code: registry[code].name if code in registry else None,
                specs=(),
                own_code=0,
                raw_html=site.config.raw_html,
            )

        body = render_body(md, intro.body, context(intro.source.body_line))
        problems.extend(body.problems)
        overview = body.first_paragraph
        if intro.overview:
            _inner, overview, found = _inline(front_matter_md, intro.overview, context(intro.source.line_of("overview")))
            problems.extend(found)
        rendered[key] = RenderedIntro(body.html, overview)
    return rendered, list(dict.fromkeys(problems))


PAGE_IDS = frozenset(
    {
        "main-content",
        "page-takeaways",
        "page-facts",
        "page-see-also",
        "page-more",
        "page-backlinks",
        "page-faq",
        "page-unofficial",
        "page-constants",
    }
)
"""The ids ``base.html`` and ``code.html`` give every code page."""


def check_anchors(site: Site, rendered: Rendered) -> list[Problem]:
    """Return a warning for each link to an anchor that the target page lacks.

    A translation takes the heading ids of the page it follows only where its outline
    matches; otherwise ``#example`` on the English page may be ``#exemple`` on the French
    one, and such a link breaks in one language only. Links within a page count too.
    """
    problems = []
    for (tag, code), body in sorted(rendered.bodies.items()):
        for target, anchor, line in body.fragments:
            target_body = rendered.bodies.get((tag, target))
            if target_body is None or anchor in target_body.ids or anchor in PAGE_IDS:
                continue
            entry = site.entries[(tag, code)]
            target_entry = site.entries.get((tag, target))
            if not entry.translated and target_entry is not None and not target_entry.translated and tag != site.config.source_language:
                continue  # a copy linking to a copy: the source language's pages already report it
            where = "on this page" if target == code else f"on the {tag} page of {target}"
            hint = f"anchors there: {', '.join(sorted(target_body.ids)) or 'none'}"
            if anchor in target_body.dropped:
                hint = f"that section is left out of the page: it holds only macros that render nothing, such as {{{{Compat}}}}; {hint}"
            problems.append(Problem(entry.page.source.path, line, f"link to #{anchor} {where}, which has no such anchor", "warning", hint))
    return list(dict.fromkeys(problems))
