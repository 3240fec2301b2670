"""Render the markdown of every entry (bodies, takeaways, overviews) for its reader.

The outputs are planned in :mod:`sitegen.render.plan`, the template views and their
rendering live in :mod:`sitegen.render.views`. Pure: the markdown parser is built at
the edge and passed in. Output is deterministic.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.content.headings import Outline
from sitegen.content.markdown import BodyContext, CodeLink, RenderedBody, create_markdown, highlight_block, render_body
from sitegen.site import urls
from sitegen.site.model import Language, Page, Problem
from sitegen.site.registry import load_registry

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from sitegen.content.markdown import Highlight
    from sitegen.site.resolve import Entry, IntroEntry, Site


Packed = tuple[RenderedBody, bytes]
"""A body without its HTML, and its HTML compressed."""


def pack(body: RenderedBody) -> Packed:
    """Return a body without its HTML, and its HTML compressed."""
    return dataclasses.replace(body, html=""), zlib.compress(body.html.encode("utf-8"), 1)


class Bodies(Mapping[tuple[str, int], RenderedBody]):
    """The rendered body of every entry, its HTML kept compressed until an output asks for
    it (``bodies[key]``): at 9,000 pages the HTML would be most of what a build holds from
    the markdown stage to the end of the output stage. :meth:`meta` is a body without its
    HTML, for what reads the ids, references or first paragraph of every entry."""

    def __init__(self) -> None:
        self._meta: dict[tuple[str, int], RenderedBody] = {}
        self._html: dict[tuple[str, int], bytes] = {}

    def add(self, key: tuple[str, int], body: RenderedBody, packed: Packed | None = None) -> Packed:
        """Keep ``body`` as the body of ``key``; return it without its HTML, and its HTML
        compressed. ``packed``: what this returned for the same body before (the dev
        server keeps it between builds: compressing every body was a third of a rebuild)."""
        if packed is None:
            packed = pack(body)
        self._meta[key], self._html[key] = packed
        return packed

    def packed(self, key: tuple[str, int]) -> Packed | None:
        """Return the body of ``key`` as it is kept (what a hash of it can read without
        uncompressing it), or ``None``."""
        meta = self._meta.get(key)
        return None if meta is None else (meta, self._html[key])

    def meta(self, key: tuple[str, int]) -> RenderedBody:
        """Return the body of ``key`` without its HTML (nothing to uncompress)."""
        return self._meta[key]

    def __getitem__(self, key: tuple[str, int]) -> RenderedBody:
        return dataclasses.replace(self._meta[key], html=zlib.decompress(self._html[key]).decode("utf-8"))

    def copy(self) -> Bodies:
        """Return a copy, to :meth:`add` to without changing this one."""
        copy = Bodies()
        copy._meta, copy._html = dict(self._meta), dict(self._html)
        return copy

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(sorted(self._meta))

    def __len__(self) -> int:
        return len(self._meta)


def body_meta(bodies: Mapping[tuple[str, int], RenderedBody], key: tuple[str, int]) -> RenderedBody:
    """Return the body of ``key``, without its HTML if it is kept compressed."""
    return bodies.meta(key) if isinstance(bodies, Bodies) else bodies[key]


ENTRY_PARTS: Mapping[str, Callable[[RenderedEntry], Any]] = {
    "takeaways": operator.attrgetter("takeaways"),
    "overviews": operator.attrgetter("overview"),
    "faqs": operator.attrgetter("faq"),
    "alternatives": operator.attrgetter("alternative"),
    "first_paragraphs": operator.attrgetter("body.first_paragraph"),
}
"""Each field of :class:`Rendered` but its bodies, and what it holds of an entry (none if ``None``)."""


@dataclass(frozen=True)
class Rendered:
    """The markdown of every entry, rendered for its reader's language."""

    bodies: Mapping[tuple[str, int], RenderedBody]
    """Each entry's body (a :class:`Bodies`: the HTML compressed until asked for)."""
    takeaways: Mapping[tuple[str, int], str]
    overviews: Mapping[tuple[str, int], tuple[str, str]]
    """(HTML, plain text) of each written overview; the first paragraph stands in for a missing one."""
    faqs: Mapping[tuple[str, int], tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """(question HTML, answer HTML) of each ``faq`` entry."""
    alternatives: Mapping[tuple[str, int], str] = field(default_factory=dict)
    """The inline HTML of an unofficial code's ``alternative``."""
    first_paragraphs: Mapping[tuple[str, int], str] = field(default_factory=dict)
    """The plain text of each body's first paragraph (read without the body's HTML)."""

    def overview_text(self, key: tuple[str, int]) -> str:
        """Return the one-sentence summary of an entry as plain text."""
        return self.overviews[key][1] if key in self.overviews else self.first_paragraphs[key]

    @classmethod
    def of(cls, entries: Mapping[tuple[str, int], RenderedEntry], bodies: Bodies | None = None) -> Rendered:
        """Return the markdown of a site from that of each of its entries (their bodies in
        ``bodies``, if given: the entries' own are then left unread)."""
        if bodies is None:
            bodies = Bodies()
            for key, entry in entries.items():
                bodies.add(key, entry.body)
        parts = {
            name: {key: value for key, entry in entries.items() if (value := part(entry)) is not None} for name, part in ENTRY_PARTS.items()
        }
        return cls(bodies, **parts)

    def with_entries(self, changed: Mapping[tuple[str, int], tuple[RenderedEntry, bytes]]) -> Rendered:
        """Return the markdown of the site with that of some entries replaced: each given
        with its body's HTML compressed (the body itself without it, as the ``markdown``
        stage keeps them)."""
        assert isinstance(self.bodies, Bodies)
        bodies = self.bodies.copy()
        parts = {name: dict(getattr(self, name)) for name in ENTRY_PARTS}
        for key, (entry, html) in changed.items():
            bodies.add(key, entry.body, (entry.body, html))
            for name, part in ENTRY_PARTS.items():
                value = part(entry)
                if value is None:
                    parts[name].pop(key, None)
                else:
                    parts[name][key] = value
        return Rendered(bodies, **parts)


@dataclass(frozen=True)
class RenderedEntry:
    """The markdown of one entry (body, takeaways, overview...), rendered for its reader."""

    body: RenderedBody
    takeaways: str | None = None
    """The takeaways as an HTML list, if the page has any."""
    overview: tuple[str, str] | None = None
    """(HTML, plain text) of a written overview."""
    faq: tuple[tuple[str, str], ...] | None = None
    """(question HTML, answer HTML) of each ``faq`` entry."""
    alternative: str | None = None
    """The inline HTML of an unofficial code's ``alternative``."""


class Markdown:
    """The two markdown parsers of a build: bodies (raw HTML allowed) and front-matter text.

    Made once per process, when the first entry is rendered; ``highlight`` renders the
    fenced code blocks (the engine passes one that remembers them); ``callouts`` turns
    ``> [!NOTE]`` quotes into notes (``[features] callouts``).
    """

    def __init__(self, highlight: Highlight = highlight_block, callouts: bool = True) -> None:
        self.callouts = callouts
        self.body: MarkdownIt = create_markdown(highlight=highlight, callouts=callouts)
        self.front_matter: MarkdownIt = create_markdown(allow_html=False, highlight=highlight, callouts=callouts)


def code_link(site: Site, language: Language, code: int) -> CodeLink | None:
    """Return how ``code`` is linked for readers of ``language``, if it has a page."""
    entry = site.entries.get((language.tag, code))
    if entry is None:
        return None
    lang = entry.content_language if entry.content_language != language.tag else None
    return CodeLink(urls.page_url(site.config, language, code), f"{code} {entry.page.name}", lang)


LinkFor = Callable[[Language, int], CodeLink | None]
"""Answers how a code is linked for readers of a language (:func:`code_link` on one site)."""


PLAIN_TEXT = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .,;:'’()/?%-]){0,499}")
"""A line that markdown gives back as it is: letters, spaces and plain punctuation; no
markup, entity, macro or digit (a code, a list number). Most takeaways and overviews."""


def render_inline(md: MarkdownIt, text: str, context: BodyContext) -> tuple[str, str, list[Problem]]:
    """Return one line of markdown as inline HTML, its plain text, and its problems."""
    text = " ".join(text.split())
    if PLAIN_TEXT.fullmatch(text):
        return text, text, []  # what the parser would make of it (tests/test_markdown.py), without a parse
    rendered = render_body(md, text, context)
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
        plain_name=lambda code: (registry[code].phrase or registry[code].name) if code in registry else None,
        specs=entry.specs,
        own_code=entry.code,
        source_outline=source[0] if source else None,
        source_path=source[1] if source else None,
        raw_html=raw_html,
    )


def source_outline(site: Site, entry: Entry, bodies: Mapping[tuple[str, int], RenderedBody]) -> tuple[Outline, str] | None:
    """Return the headings of the source page a translated entry follows, and its path.

    ``bodies`` holds the source pages already rendered: the entries are rendered in
    :func:`rendering_order`, the source language first.
    """
    source_language = site.config.source_language
    if not entry.translated or entry.language.tag == source_language:
        return None
    source = site.entries.get((source_language, entry.code))
    if source is None or not source.translated:
        return None
    return bodies[(source_language, entry.code)].outline, source.page.source.path


def rendering_order(site: Site) -> list[tuple[str, int]]:
    """Return the entries' keys, the source pages first: translations take their heading ids."""
    source_language = site.config.source_language
    return sorted(site.entries, key=lambda key: (key[0] != source_language, key))


def render_entry(
    entry: Entry, markdown: Markdown, link_for: LinkFor, source: tuple[Outline, str] | None = None, raw_html: str = "allow"
) -> tuple[RenderedEntry, list[Problem]]:
    """Return the rendered body, takeaways, overview, FAQ and alternative of one entry,
    and their problems.

    ``link_for`` answers how a code is linked; the engine passes one that records the
    questions, to know when the entry must be rendered again. ``source``: the headings of
    the page a translation follows (:func:`source_outline`); ``raw_html``: what the body's
    raw HTML may be (``allow``, ``warn``, ``deny``).
    """
    page = entry.page
    front_matter_md = markdown.front_matter
    problems: list[Problem] = []
    body = render_body(markdown.body, page.body, _body_context(entry, page.source.body_line, link_for, source, raw_html))
    problems.extend(body.problems)
    takeaways = overview = faq = alternative = None
    if page.takeaways:
        items = []
        for index, item in enumerate(page.takeaways):
            line = page.takeaway_lines[index] if index < len(page.takeaway_lines) else page.source.line_of("takeaways")
            inner, _text, found = render_inline(front_matter_md, item, _body_context(entry, line, link_for))
            problems.extend(found)
            items.append(f"<li>{inner}</li>\n")
        takeaways = f"<ul>\n{''.join(items)}</ul>\n"
    if page.overview:
        # one line of markdown: macros and emphasis work, block syntax does not
        inner, text, found = render_inline(front_matter_md, page.overview, _body_context(entry, page.source.line_of("overview"), link_for))
        problems.extend(found)
        overview = (inner, text)
    if page.faq:
        entries = []
        for question in page.faq:
            asked, _text, found = render_inline(front_matter_md, question.question, _body_context(entry, question.line, link_for))
            problems.extend(found)
            answer = render_body(front_matter_md, question.answer, _body_context(entry, question.answer_line, link_for))
            problems.extend(answer.problems)
            entries.append((asked, answer.html))
        faq = tuple(entries)
    if page.alternative:
        alternative, _text, found = render_inline(
            front_matter_md, page.alternative, _body_context(entry, page.source.line_of("alternative"), link_for)
        )
        problems.extend(found)
    return RenderedEntry(body, takeaways, overview, faq, alternative), problems


T = TypeVar("T")


def _replaced(value: T, **changes: object) -> T:
    """Return a copy of a frozen dataclass of the model with ``changes`` made to its fields.

    What :func:`dataclasses.replace` gives, for classes without ``__post_init__``, slots or
    cached properties (the model's): without going through ``__init__`` field by field,
    several times faster, which counts for the ~1,600 copies a build makes of its pages.
    """
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)
    return copy


class PageMemo:
    """What a change made of each page, remembered by the page from one build to the next.

    The dev server's stages give the very same :class:`Page` for a file that did not change
    (:meth:`sitegen.engine.stages.Stages.load_pages`): only the pages of changed files are
    changed again. The pages are held, so that an identity is never that of another page.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[Page, Page]] = {}

    def apply(self, site: Site, change: Callable[[Page], Page]) -> Site:
        """Return the site with ``change`` made to every page (once to a page that several
        entries show: a fallback shows its source page)."""
        known = self._known
        now: dict[int, tuple[Page, Page]] = {}
        entries = {}
        for key, entry in site.entries.items():
            page = entry.page
            made = now.get(id(page)) or known.get(id(page))
            if made is None or made[0] is not page:
                made = (page, change(page))
            now[id(page)] = made
            entries[key] = _replaced(entry, page=made[1])
        self._known = now
        return _replaced(site, entries=entries)


def without_text(page: Page) -> Page:
    """Return the page without its file's text (:func:`without_texts`)."""
    return _replaced(page, source=_replaced(page.source, text=""))


def without_body(page: Page) -> Page:
    """Return the page with only the ```http example of its markdown (:func:`without_markdown`)."""
    from sitegen.render.exchange import example_block

    return _replaced(page, body=example_block(page.body))


def without_texts(site: Site, memo: PageMemo | None = None) -> Site:
    """Return the site with the file text of every page let go, once checked and resolved
    (the wording and the translations' versions read it): a large site does not hold its
    files through the markdown and output stages. ``memo``: the pages done in the last build."""
    return (memo or PageMemo()).apply(site, without_text)


def without_markdown(site: Site, memo: PageMemo | None = None) -> Site:
    """Return the site with every page's markdown let go, once rendered: a page keeps
    only its ```http example, which the views draw. ``memo``: the pages done in the last build."""
    return (memo or PageMemo()).apply(site, without_body)


def render_markdown(site: Site, markdown: Markdown | None = None) -> tuple[Rendered, list[Problem]]:
    """Return the rendered markdown of every entry, and its problems."""
    markdown = markdown or Markdown(callouts=site.config.features.callouts)
    link_for = functools.partial(code_link, site)
    entries: dict[tuple[str, int], RenderedEntry] = {}
    bodies: dict[tuple[str, int], RenderedBody] = {}
    problems: list[Problem] = []
    for key in rendering_order(site):
        entry = site.entries[key]
        entries[key], found = render_entry(entry, markdown, link_for, source_outline(site, entry, bodies), site.config.raw_html)
        bodies[key] = entries[key].body
        problems.extend(found)
    return Rendered.of(dict(sorted(entries.items()))), list(dict.fromkeys(problems))


@dataclass(frozen=True)
class RenderedIntro:
    """An intro page rendered for one reader's language."""

    html: str
    overview: str
    """Plain text of the overview (or of the first paragraph), the page's meta description."""


def render_intro(entry: IntroEntry, markdown: Markdown, link_for: LinkFor, raw_html: str = "allow") -> tuple[RenderedIntro, list[Problem]]:
    """Return one intro rendered for its reader, and its problems."""
    registry = load_registry()
    intro, language = entry.intro, entry.language

    def context(line: int) -> BodyContext:
        return BodyContext(
            path=intro.source.path,
            body_line=line,
            mdn_locale=language.mdn_locale or "en-US",
            link_for=lambda code: link_for(language, code),
            plain_name=lambda code: (registry[code].phrase or registry[code].name) if code in registry else None,
            specs=(),
            own_code=0,
            raw_html=raw_html,
        )

    problems: list[Problem] = []
    body = render_body(markdown.body, intro.body, context(intro.source.body_line))
    problems.extend(body.problems)
    overview = body.first_paragraph
    if intro.overview:
        _inner, overview, found = render_inline(markdown.front_matter, intro.overview, context(intro.source.line_of("overview")))
        problems.extend(found)
    return RenderedIntro(body.html, overview), problems


def render_intros(site: Site, markdown: Markdown | None = None) -> tuple[dict[tuple[str, str], RenderedIntro], list[Problem]]:
    """Return every intro rendered for its reader, keyed like :attr:`Site.intros`."""
    markdown = markdown or Markdown(callouts=site.config.features.callouts)
    link_for = functools.partial(code_link, site)
    rendered: dict[tuple[str, str], RenderedIntro] = {}
    problems: list[Problem] = []
    for key, entry in sorted(site.intros.items()):
        rendered[key], found = render_intro(entry, markdown, link_for, site.config.raw_html)
        problems.extend(found)
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
        "page-toc",
        "page-class-codes",
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
    metas = {key: body_meta(rendered.bodies, key) for key in rendered.bodies}
    for (tag, code), body in sorted(metas.items()):
        for target, anchor, line in body.fragments:
            target_body = metas.get((tag, target))
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
