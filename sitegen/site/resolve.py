"""Pages -> :class:`Site`: every code in every language, fallbacks, links, specs.

Every configured language gets a page for every code: its own translation where one
exists, otherwise the source language's page shown under that language's navigation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.content.comparisons import Comparisons
from sitegen.content.guide import Guide
from sitegen.content.spec_refs import SpecRef, parse_spec
from sitegen.site.model import Config, Intro, Language, Page, Problem, Reference, SpecLink
from sitegen.site.registry import load_registry, registry_spec, section_for_status
from sitegen.site.validate import nearest_code

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True)
class Entry:
    """One code as a reader of one language sees it."""

    language: Language
    """The reader's language."""
    code: int
    page: Page
    """The page shown: the translation, or the fallback in the source language."""
    translated: bool
    """``False`` when ``page`` is a fallback in another language."""
    outdated: bool
    """A translation made from an older version of the source page."""
    specs: tuple[SpecRef | SpecLink, ...]
    see_also: tuple[int, ...]
    """``seeAlso`` codes, this page's own left out; those without a page are shown as text."""

    @property
    def content_language(self) -> str:
        """Return the tag of the language the content is written in."""
        return self.page.language


@dataclass(frozen=True)
class IntroEntry:
    """The introduction of a home or class page as a reader of one language sees it."""

    language: Language
    key: str
    """``index`` or a class key such as ``4xx``."""
    intro: Intro
    """The language's own intro, or the source language's."""
    translated: bool
    outdated: bool = False
    """A translation behind the source language's intro."""

    @property
    def content_language(self) -> str:
        """Return the tag of the language the intro is written in."""
        return self.intro.language


@dataclass(frozen=True)
class Site:
    """Everything the render stage needs, keyed by (language tag, code)."""

    config: Config
    codes: tuple[int, ...]
    """Every code with a page in any language, ascending."""
    entries: Mapping[tuple[str, int], Entry]
    backlinks: Mapping[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    """Codes whose page, in that language, links to the key's code."""
    intros: Mapping[tuple[str, str], IntroEntry] = field(default_factory=dict)
    """Intros keyed by (language tag, ``index`` or class key), with source-language fallbacks."""
    comparisons: Comparisons = field(default_factory=Comparisons)
    """The comparison tables and their words in every language."""
    guides: Mapping[str, Guide] = field(default_factory=dict)
    """The "Which status code should I return?" guide of every language, keyed by tag."""

    def entry(self, language: Language, code: int) -> Entry:
        """Return the entry of ``code`` in ``language``."""
        return self.entries[(language.tag, code)]

    def translations(self, code: int) -> tuple[Entry, ...]:
        """Return the entries of ``code`` that are real translations, in language order."""
        return tuple(entry for language in self.config.languages if (entry := self.entries[(language.tag, code)]).translated)


def resolve_specs(page: Page) -> tuple[tuple[SpecRef | SpecLink, ...], list[Problem]]:
    """Return the spec references of a page, the registry's when it gives none."""
    problems: list[Problem] = []
    specs: list[SpecRef | SpecLink] = []
    line = page.source.line_of("spec" if "spec" in page.source.field_lines else "spec-urls")
    for text in page.specs:
        spec = parse_spec(text, section_for_status)
        if spec is None:
            problems.append(
                Problem(
                    page.source.path,
                    line,
                    f"spec: cannot read {text!r} as a spec reference",
                    "warning",
                    "write 'RFC 9110 §15.4.8' or a link to the section on rfc-editor.org",
                )
            )
        elif spec not in specs:
            specs.append(spec)
    specs.extend(link for link in page.spec_links if all(link.url != other.url for other in specs))
    entry = load_registry().get(page.code)
    registered = registry_spec(entry) if entry else None
    if not specs:
        if registered:
            specs.append(registered)
    elif registered and not any(_same_spec(spec, registered) for spec in specs if isinstance(spec, SpecRef)):
        cited = ", ".join(spec.label for spec in specs if isinstance(spec, SpecRef)) or "no RFC"
        problems.append(
            Problem(
                page.source.path,
                line,
                f"spec: the IANA registry defines {page.code} in {registered.label}, but this page cites {cited}",
                "warning",
                f"cite {registered.label}, first in the list, or correct the number",
            )
        )
    return tuple(specs), problems


def _same_spec(spec: SpecRef, registered: SpecRef) -> bool:
    """Return whether ``spec`` cites what the registry cites: the same document (a draft in
    any of its versions) and the same section, if the registry gives one."""
    return _unversioned(spec.document) == _unversioned(registered.document) and registered.section in (None, spec.section)


def _unversioned(document: str) -> str:
    """Return a document's name without a draft's version: ``draft-ietf-x-05`` -> ``draft-ietf-x``."""
    return re.sub(r"-\d+$", "", document) if document.startswith("draft-") else document


def _check_reference(page: Page, reference: Reference, available: set[int], what: str) -> Problem | None:
    registry = load_registry()
    if reference.code == page.code:
        return Problem(page.source.path, reference.line, f"{what}: {reference.code} is this page's own code", "warning")
    if reference.code in available:
        return None
    if reference.code in registry:
        return Problem(
            page.source.path, reference.line, f"{what}: {reference.code} has no page yet", "warning", "it is shown as plain text"
        )
    near = nearest_code(reference.code, sorted(available | set(registry)))
    return Problem(
        page.source.path,
        reference.line,
        f"{what}: unknown status code {reference.code}",
        "warning",
        f"did you mean {near}? it is shown as plain text" if near else "it is shown as plain text",
    )


def resolve_intros(
    intros: Sequence[Intro], config: Config, outdated: Set[tuple[str, str]] = frozenset()
) -> dict[tuple[str, str], IntroEntry]:
    """Return the intro of every home and class page in every language: its own, or the
    source language's where a language lacks one. ``outdated`` holds the (language, key)
    of translations behind their source."""
    by_key = {(intro.language, intro.key): intro for intro in intros}
    entries: dict[tuple[str, str], IntroEntry] = {}
    for key in sorted({intro.key for intro in intros}):
        fallback = by_key.get((config.source_language, key))
        for language in config.languages:
            own = by_key.get((language.tag, key))
            shown = own or fallback
            if shown is not None:
                entries[(language.tag, key)] = IntroEntry(language, key, shown, own is not None, (language.tag, key) in outdated)
    return entries


def resolve_site(
    pages: Sequence[Page],
    config: Config,
    outdated: Set[tuple[str, int]] = frozenset(),
    intros: Sequence[Intro] = (),
    comparisons: Comparisons | None = None,
    guides: Mapping[str, Guide] | None = None,
    outdated_intros: Set[tuple[str, str]] = frozenset(),
) -> tuple[Site, list[Problem]]:
    """Return the site built from validated pages, and the problems found linking them.

    ``outdated`` holds the (language, code) of translations behind their source page;
    ``intros`` are the intro pages of the home and class pages, ``outdated_intros`` the
    (language, key) of those behind their source.
    """
    problems: list[Problem] = []
    by_key = {(page.language, page.code): page for page in pages}
    codes = tuple(sorted({page.code for page in pages}))
    available = set(codes)
    specs: dict[tuple[str, int], tuple[SpecRef | SpecLink, ...]] = {}
    for page in pages:
        specs[(page.language, page.code)], spec_problems = resolve_specs(page)
        problems.extend(spec_problems)
        for reference in page.see_also:
            problem = _check_reference(page, reference, available, "seeAlso")
            if problem:
                problems.append(problem)

    entries: dict[tuple[str, int], Entry] = {}
    for code in codes:
        source = by_key.get((config.source_language, code))
        fallback = source or next(by_key[(language.tag, code)] for language in config.languages if (language.tag, code) in by_key)
        for language in config.languages:
            own = by_key.get((language.tag, code))
            page = own or fallback
            entries[(language.tag, code)] = make_entry(
                language, page, own is not None, (language.tag, code) in outdated, specs[(page.language, code)]
            )
    return Site(
        config,
        codes,
        entries,
        intros=resolve_intros(intros, config, outdated_intros),
        comparisons=comparisons or Comparisons(),
        guides=guides or {},
    ), problems


def make_entry(language: Language, page: Page, translated: bool, outdated: bool, specs: tuple[SpecRef | SpecLink, ...]) -> Entry:
    """Return the entry of ``page``'s code for readers of ``language`` (``translated``: the
    page is in that language, not a fallback), with the page's resolved ``specs``."""
    see_also = tuple(dict.fromkeys(reference.code for reference in page.see_also if reference.code != page.code))
    return Entry(language=language, code=page.code, page=page, translated=translated, outdated=outdated, specs=specs, see_also=see_also)


def with_backlinks(site: Site, links: Mapping[tuple[str, int], Sequence[int]]) -> Site:
    """Return the site with backlinks: for each page, the pages that link to it."""
    backlinks: dict[tuple[str, int], set[int]] = {}
    for (tag, code), targets in links.items():
        for target in targets:
            if target != code:
                backlinks.setdefault((tag, target), set()).add(code)
    return dataclasses.replace(site, backlinks={key: tuple(sorted(value)) for key, value in sorted(backlinks.items())})
