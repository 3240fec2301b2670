"""The ``markdown`` stage (and ``highlight``): every entry's and intro's body rendered
again only when its inputs, or the links it asked for, changed."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.engine.cache import MISSING
from sitegen.engine.keys import digest, environment_key, fingerprint
from sitegen.engine.stages.base import StagesBase

if TYPE_CHECKING:
    from sitegen.content.headings import Outline
    from sitegen.content.markdown import CodeLink, RenderedBody
    from sitegen.render.bodies import LinkFor, Markdown, Rendered, RenderedEntry, RenderedIntro
    from sitegen.site.model import Language, Problem
    from sitegen.site.resolve import Entry, IntroEntry, Site


@dataclass(frozen=True)
class MarkdownResult:
    """What the ``markdown`` stage keeps of an entry."""

    links: tuple[tuple[int, CodeLink | None], ...]
    """Every code the markdown asked a link for, and the answer it got."""
    rendered: RenderedEntry
    """The entry's markdown, its body without its HTML (:attr:`html`)."""
    problems: tuple[Problem, ...]
    highlights: tuple[str, ...]
    """The keys of the highlighted blocks it used, kept alive with it."""
    html: bytes = b""
    """The body's HTML, compressed as :class:`~sitegen.render.bodies.Bodies` keeps it: a build
    reading every entry from the cache reads and keeps it so, never compressing it again."""


@dataclass(frozen=True)
class IntroResult:
    """What the ``markdown`` stage keeps of an intro."""

    links: tuple[tuple[int, CodeLink | None], ...]
    rendered: RenderedIntro
    problems: tuple[Problem, ...]
    highlights: tuple[str, ...]


def _markdown_key(entry: Entry, source: tuple[Outline, str] | None, raw_html: str, callouts: bool) -> str:
    """Return the key of an entry's markdown: its page, reader, specs and code, and the
    headings of the source page it follows, if any."""
    page = dataclasses.replace(entry.page, body=digest(entry.page.body.encode("utf-8")))  # by its digest: see check_wording
    return fingerprint(environment_key(), "markdown", page, entry.language, entry.specs, entry.code, source, raw_html, callouts)


def _links_of(site: Site) -> LinkFor:
    """Return how each code is linked in ``site`` for readers of a language, each answer
    made once: the entries of a build ask for the same links again and again."""
    from sitegen.render.bodies import code_link

    links: dict[tuple[str, int], CodeLink | None] = {}

    def link_for(language: Language, code: int) -> CodeLink | None:
        key = (language.tag, code)
        if key not in links:
            links[key] = code_link(site, language, code)
        return links[key]

    return link_for


FORK_ENTRIES = 48
"""The fewest entries whose markdown is worth a forked child (~2-5 ms each; a fork of a
small build costs ~5 ms)."""


class MarkdownStage(StagesBase):
    """The ``markdown`` and ``highlight`` stages."""

    def _parsers(self, callouts: bool) -> Markdown:
        if self._markdown is None or self._markdown.callouts != callouts:
            from sitegen.render.bodies import Markdown

            self._markdown = Markdown(self._highlight, callouts)
        return self._markdown

    def _highlight(self, code: str, language: str) -> str:
        from sitegen.content.markdown import highlight_block

        key = fingerprint(environment_key(), "highlight", code, language)
        self._highlights.append(key)
        html = self.cache.get("highlight", key)
        if html is MISSING:
            html = highlight_block(code, language)
            self.cache.put("highlight", key, html)
        return str(html)

    def render_markdown(self, site: Site) -> tuple[Rendered, list[Problem]]:
        """Return every entry's markdown, rendering again the entries whose inputs changed
        (shared with a forked child when there are many: :mod:`sitegen.engine.parallel`)."""
        from sitegen.engine.parallel import Shared
        from sitegen.render.bodies import Bodies, Rendered, rendering_order, source_outline

        link_for = _links_of(site)
        raw_html, callouts = site.config.raw_html, site.config.features.callouts

        def render(job: tuple[tuple[str, int], tuple[Outline, str] | None]) -> MarkdownResult:
            key, source = job
            return self._render_entry(site.entries[key], link_for, source, raw_html, callouts)

        least = self._fork_least(FORK_ENTRIES)
        shared = Shared(render, least=least, setup=self.cache.detach, extra=self.cache.made, merge=self.cache.adopt)
        entries: dict[tuple[str, int], RenderedEntry] = {}
        bodies: dict[tuple[str, int], RenderedBody] = {}
        packed = Bodies()  # the HTML compressed as it comes: a large site never holds it all
        problems: list[Problem] = []
        self.progress.start("markdown", len(site.entries))
        order = rendering_order(site)  # the source pages first: translations take their heading ids
        source_language = site.config.source_language
        for phase in ([key for key in order if key[0] == source_language], [key for key in order if key[0] != source_language]):
            found: list[tuple[tuple[str, int], str, Any]] = []
            todo: list[tuple[tuple[str, int], tuple[Outline, str] | None]] = []
            for key in phase:
                entry = site.entries[key]
                source = source_outline(site, entry, bodies)
                inputs = (entry.page, entry.language, entry.specs, entry.code, source, raw_html, callouts)
                cache_key = self._key("markdown", key, inputs, functools.partial(_markdown_key, entry, source, raw_html, callouts))
                result = self.cache.get("markdown", cache_key)
                if result is MISSING or any(link_for(entry.language, code) != link for code, link in result.links):
                    todo.append((key, source))
                    result = MISSING
                else:
                    self.cache.touch("highlight", result.highlights)
                found.append((key, cache_key, result))
            if todo:
                self._parsers(callouts)  # made once, before a fork
                made = dict(zip([key for key, _source in todo], shared.run(todo), strict=True))
                self._work.entries.extend(key for key, _source in todo)
            for key, cache_key, result in found:
                self.progress.advance()
                if result is MISSING:
                    result = made[key]
                    self.cache.put("markdown", cache_key, result)
                bodies[key], _html = packed.add(key, result.rendered.body, (result.rendered.body, result.html))
                entries[key] = result.rendered
                problems.extend(result.problems)
        self.ran.update({"markdown", "highlight"})
        return Rendered.of(dict(sorted(entries.items())), packed), list(dict.fromkeys(problems))

    def render_entry(self, site: Site, key: tuple[str, int], bodies: Mapping[tuple[str, int], RenderedBody]) -> MarkdownResult:
        """Return the markdown of one entry of ``site``, rendered (and cached) as
        :meth:`render_markdown` renders it; ``bodies``: those of the source pages, whose
        heading ids a translation takes."""
        from sitegen.render.bodies import source_outline

        entry = site.entries[key]
        source = source_outline(site, entry, bodies)
        raw_html, callouts = site.config.raw_html, site.config.features.callouts
        result = self._render_entry(entry, _links_of(site), source, raw_html, callouts)
        self.cache.put("markdown", _markdown_key(entry, source, raw_html, callouts), result)
        return result

    def _render_entry(
        self, entry: Entry, link_for: LinkFor, source: tuple[Outline, str] | None, raw_html: str, callouts: bool
    ) -> MarkdownResult:
        asked: dict[int, CodeLink | None] = {}

        def recording(language: Language, code: int) -> CodeLink | None:
            asked[code] = link = link_for(language, code)
            return link

        self._highlights = []
        from sitegen.render.bodies import pack, render_entry

        rendered, problems = render_entry(entry, self._parsers(callouts), recording, source, raw_html)
        meta, html = pack(rendered.body)
        return MarkdownResult(
            tuple(sorted(asked.items())),
            dataclasses.replace(rendered, body=meta),
            tuple(problems),
            tuple(dict.fromkeys(self._highlights)),
            html,
        )

    def render_intros(self, site: Site) -> tuple[dict[tuple[str, str], RenderedIntro], list[Problem]]:
        """Return every intro rendered for its reader, rendering again those whose inputs changed."""
        link_for = _links_of(site)
        rendered: dict[tuple[str, str], RenderedIntro] = {}
        problems: list[Problem] = []
        for key, entry in sorted(site.intros.items()):
            callouts = site.config.features.callouts
            cache_key = fingerprint(environment_key(), "intro", entry.intro, entry.language, site.config.raw_html, callouts)
            result = self.cache.get("markdown", cache_key)
            if result is MISSING or any(link_for(entry.language, code) != link for code, link in result.links):
                result = self._render_intro(entry, link_for, site.config.raw_html, callouts)
                self.cache.put("markdown", cache_key, result)
            else:
                self.cache.touch("highlight", result.highlights)
            rendered[key] = result.rendered
            problems.extend(result.problems)
        return rendered, list(dict.fromkeys(problems))

    def _render_intro(self, entry: IntroEntry, link_for: LinkFor, raw_html: str, callouts: bool) -> IntroResult:
        asked: dict[int, CodeLink | None] = {}

        def recording(language: Language, code: int) -> CodeLink | None:
            asked[code] = link = link_for(language, code)
            return link

        self._highlights = []
        from sitegen.render.bodies import render_intro

        rendered, problems = render_intro(entry, self._parsers(callouts), recording, raw_html)
        return IntroResult(tuple(sorted(asked.items())), rendered, tuple(problems), tuple(dict.fromkeys(self._highlights)))
