"""Rebuild only what a change touched: the costly stages, remembered between builds.

The dev server runs the whole pipeline (:func:`sitegen.engine.build.build_site`) on every save,
with :class:`IncrementalStages` in place of the plain stages. Each stage remembers its
results together with everything they were made from, and redoes the work only when one
of those inputs differs:

- a content file is loaded again when its bytes changed;
- an entry's markdown is rendered again when the entry changed (its page, the page it
  falls back to, or the source page whose heading ids a translation takes) or when a
  code its body links to is now linked differently (another name, a page added or
  deleted);
- an output is rendered again when its template context changed: an edited page, its
  fallback copies, the pages that show its name or overview (see also, backlinks,
  indexes), or every page when the stylesheet's version changed.

Templates, static files and UI catalogs are read again only when the watcher says they
changed (:meth:`IncrementalStages.forget`). Because every remembered result is keyed by
all it depends on, a rebuild gives the same bytes and problems as a full build
(``tests/test_incremental.py`` checks it after edits, additions, deletions and renames).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitegen.content.intros import intro_files, load_intro_file
from sitegen.content.load import content_files, load_file, read_page_bytes
from sitegen.engine.build import Stages
from sitegen.render.bodies import Rendered, RenderedIntro, code_link, render_intros, render_markdown
from sitegen.render.views import render_outputs

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2
    from babel.support import NullTranslations
    from markdown_it import MarkdownIt

    from sitegen.content.markdown import CodeLink
    from sitegen.render.bodies import LinkFor
    from sitegen.render.plan import Output
    from sitegen.render.views import Renderer
    from sitegen.site.model import Config, Intro, Language, Page, Problem
    from sitegen.site.resolve import Entry, IntroEntry, Site


@dataclass(frozen=True, slots=True)
class _LoadedFile:
    raw: bytes
    page: Page | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _RenderedEntry:
    entry: Entry
    links: tuple[tuple[int, CodeLink | None], ...]
    """Every code the markdown asked a link for, and the answer it got."""
    rendered: Rendered
    """The entry's markdown, as :func:`render_markdown` gives it for this entry alone."""
    problems: tuple[Problem, ...]
    followed: Page | None = None
    """The source page a translation follows: its headings give the translation's ids."""


@dataclass(frozen=True, slots=True)
class _LoadedIntro:
    raw: bytes
    intro: Intro | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _RenderedIntro:
    entry: IntroEntry
    links: tuple[tuple[int, CodeLink | None], ...]
    rendered: RenderedIntro
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _RenderedOutput:
    output: Output
    view: tuple[str, dict[str, Any]]
    data: bytes


@dataclass(slots=True)
class Work:
    """What the stages redid since the last :meth:`IncrementalStages.take_work`."""

    loaded: list[str] = field(default_factory=list)
    """Content files loaded (paths relative to the project)."""
    entries: list[tuple[str, int]] = field(default_factory=list)
    """Entries whose markdown was rendered: (language tag, code)."""
    outputs: list[str] = field(default_factory=list)
    """Output files rendered."""


class IncrementalStages(Stages):
    """Build stages that remember their results and redo only what changed."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._files: dict[tuple[str, Path], _LoadedFile] = {}
        self._translations: tuple[Mapping[str, NullTranslations], list[Problem]] | None = None
        self._entries: dict[tuple[str, int], _RenderedEntry] = {}
        self._intro_files: dict[tuple[str, Path], _LoadedIntro] = {}
        self._intros: dict[tuple[str, str], _RenderedIntro] = {}
        self._templates: tuple[jinja2.Environment, list[Problem]] | None = None
        self._static: tuple[dict[str, bytes], list[Problem]] | None = None
        self._outputs: dict[str, _RenderedOutput] = {}
        self._work = Work()

    def forget(self, kinds: Iterable[str]) -> None:
        """Drop what changes of these kinds of input make stale.

        ``content`` needs nothing (files are compared byte for byte); ``templates`` drops
        the templates and rendered outputs, ``static`` the static files, ``locales`` the
        UI catalogs and all that was translated with them, ``config`` everything.
        """
        kinds = set(kinds)
        if kinds & {"config", "locales"}:
            self._translations = None
            self._entries.clear()
            self._intros.clear()
            self._outputs.clear()
        if kinds & {"config", "templates"}:
            self._templates = None
            self._outputs.clear()
        if kinds & {"config", "static"}:
            self._static = None
        if "config" in kinds:
            self._files.clear()
            self._intro_files.clear()

    def take_work(self) -> Work:
        """Return what was redone since the last call, and start counting again."""
        work, self._work = self._work, Work()
        return work

    def _use(self, config: Config) -> None:
        if config != self._config:
            self.forget({"config"})
            self._config = config

    def load_pages(self, config: Config) -> tuple[list[Page], list[Problem]]:
        """Return every page, loading again only the files whose bytes changed."""
        self._use(config)
        files, problems = content_files(config)
        pages: list[Page] = []
        kept: dict[tuple[str, Path], _LoadedFile] = {}
        for tag, file in files:
            raw, found = read_page_bytes(file, config.shown(file))
            if raw is None:
                if file.exists():  # else deleted since it was listed: the watcher has seen it go and will rebuild
                    problems.extend(found)
                continue
            loaded = self._files.get((tag, file))
            if loaded is None or loaded.raw != raw:
                page, found = load_file(file, config, tag)
                loaded = _LoadedFile(raw, page, tuple(found))
                self._work.loaded.append(page.source.path if page else file.name)
            kept[(tag, file)] = loaded
            problems.extend(loaded.problems)
            if loaded.page is not None:
                pages.append(loaded.page)
        self._files = kept
        return pages, problems

    def load_intros(self, config: Config) -> tuple[list[Intro], list[Problem]]:
        """Return every intro page, loading again only the files whose bytes changed."""
        self._use(config)
        intros: list[Intro] = []
        problems: list[Problem] = []
        kept: dict[tuple[str, Path], _LoadedIntro] = {}
        for tag, file in intro_files(config):
            raw, found = read_page_bytes(file, config.shown(file))
            if raw is None:
                if file.exists():
                    problems.extend(found)
                continue
            loaded = self._intro_files.get((tag, file))
            if loaded is None or loaded.raw != raw:
                intro, found = load_intro_file(file, config, tag)
                loaded = _LoadedIntro(raw, intro, tuple(found))
                self._work.loaded.append(config.shown(file))
            kept[(tag, file)] = loaded
            problems.extend(loaded.problems)
            if loaded.intro is not None:
                intros.append(loaded.intro)
        self._intro_files = kept
        return intros, problems

    def render_intros(self, site: Site, md: MarkdownIt) -> tuple[Mapping[tuple[str, str], RenderedIntro], list[Problem]]:
        """Return every intro rendered, again only where the intro or a code it links to changed."""
        rendered: dict[tuple[str, str], RenderedIntro] = {}
        problems: list[Problem] = []
        kept: dict[tuple[str, str], _RenderedIntro] = {}
        for key in sorted(site.intros):
            entry = site.intros[key]
            remembered = self._intros.get(key)
            if (
                remembered is None
                or remembered.entry != entry
                or any(code_link(site, entry.language, code) != link for code, link in remembered.links)
            ):
                asked: dict[int, CodeLink | None] = {}

                def recording(language: Language, code: int, asked: dict[int, CodeLink | None] = asked) -> CodeLink | None:
                    asked[code] = link = code_link(site, language, code)
                    return link

                found_rendered, found = render_intros(site, md, {key}, recording)
                remembered = _RenderedIntro(entry, tuple(sorted(asked.items())), found_rendered[key], tuple(found))
            kept[key] = remembered
            rendered[key] = remembered.rendered
            problems.extend(remembered.problems)
        self._intros = kept
        return rendered, list(dict.fromkeys(problems))

    def load_translations(self, config: Config) -> tuple[Mapping[str, NullTranslations], list[Problem]]:
        """Return the UI translations, read once until ``locales`` changes."""
        self._use(config)
        if self._translations is None:
            self._translations = super().load_translations(config)
        translations, problems = self._translations
        return translations, list(problems)

    def render_markdown(self, site: Site, md: MarkdownIt) -> tuple[Rendered, list[Problem]]:
        """Return every entry's markdown, rendering again the entries whose inputs changed."""
        links: dict[tuple[str, int], CodeLink | None] = {}

        def link_for(language: Language, code: int) -> CodeLink | None:
            key = (language.tag, code)
            if key not in links:
                links[key] = code_link(site, language, code)
            return links[key]

        # every field of Rendered maps entries to what was rendered for them: merge field by field
        merged: dict[str, dict[tuple[str, int], Any]] = {name.name: {} for name in dataclasses.fields(Rendered)}
        problems: list[Problem] = []
        kept: dict[tuple[str, int], _RenderedEntry] = {}
        for key in sorted(site.entries):
            entry = site.entries[key]
            remembered = self._entries.get(key)
            if (
                remembered is None
                or remembered.entry != entry
                or any(link_for(entry.language, code) != link for code, link in remembered.links)
                or remembered.followed != _followed(site, key)
            ):
                remembered = self._render_entry(site, md, key, link_for)
            kept[key] = remembered
            for name, values in merged.items():
                if key in getattr(remembered.rendered, name):
                    values[key] = getattr(remembered.rendered, name)[key]
            problems.extend(remembered.problems)
        self._entries = kept
        return Rendered(**merged), list(dict.fromkeys(problems))

    def _render_entry(
        self,
        site: Site,
        md: MarkdownIt,
        key: tuple[str, int],
        link_for: LinkFor,
    ) -> _RenderedEntry:
        asked: dict[int, CodeLink | None] = {}

        def recording(language: Language, code: int) -> CodeLink | None:
            asked[code] = link = link_for(language, code)
            return link

        rendered, problems = render_markdown(site, md, {key}, recording)
        self._work.entries.append(key)
        return _RenderedEntry(site.entries[key], tuple(sorted(asked.items())), rendered, tuple(problems), _followed(site, key))

    def load_templates(self, config: Config) -> tuple[jinja2.Environment, list[Problem]]:
        """Return the Jinja environment, made once until ``templates`` changes."""
        self._use(config)
        if self._templates is None:
            self._templates = super().load_templates(config)
        environment, problems = self._templates
        return environment, list(problems)

    def read_static(self, config: Config) -> tuple[dict[str, bytes], list[Problem]]:
        """Return the static files, read once until ``static`` changes."""
        self._use(config)
        if self._static is None:
            self._static = super().read_static(config)
        files, problems = self._static
        return dict(files), list(problems)

    def render_outputs(self, renderer: Renderer, outputs: Mapping[str, Output]) -> tuple[dict[str, bytes], list[Problem]]:
        """Return every output's bytes, rendering again the outputs whose context changed."""
        files: dict[str, bytes] = {}
        stale: dict[str, Output] = {}
        views: dict[str, tuple[str, dict[str, Any]]] = {}
        for path in sorted(outputs):
            output = outputs[path]
            try:
                views[path] = renderer.view(output)
            except Exception:  # the same error is raised, and reported, when it is rendered
                stale[path] = output
                continue
            remembered = self._outputs.get(path)
            if remembered is not None and remembered.output == output and remembered.view == views[path]:
                files[path] = remembered.data
            else:
                stale[path] = output
        rendered, problems = render_outputs(renderer, stale)
        self._work.outputs.extend(sorted(rendered))
        kept = {path: remembered for path, remembered in self._outputs.items() if path in files}
        for path, data in rendered.items():
            if path in views:
                kept[path] = _RenderedOutput(outputs[path], views[path], data)
        self._outputs = kept
        files.update(rendered)
        return dict(sorted(files.items())), problems


def _followed(site: Site, key: tuple[str, int]) -> Page | None:
    """Return the source page whose heading ids the translation at ``key`` takes, if any."""
    entry = site.entries[key]
    source = site.entries.get((site.config.source_language, key[1]))
    if not entry.translated or key[0] == site.config.source_language or source is None or not source.translated:
        return None
    return source.page
