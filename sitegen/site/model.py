"""The records that flow between the pipeline stages.

Every record is frozen: a stage returns new values and never patches the ones it was
given. Records that came from a file carry a :class:`Source` so that any later stage can
point at a line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


def is_number(text: str) -> bool:
    """Return whether ``text`` is a plain ASCII integer ("307"; not "³" or "٣")."""
    text = text.strip()
    return text.isascii() and text.isdigit()


def must_be(name: str, expected: str, value: object) -> str:
    """Return "``name`` must be ``expected``, not ``value``" for a value of the wrong type.

    A quoted ``"true"``, ``"false"`` or ``"307"`` is text to YAML and TOML, and "must be
    true or false, not 'true'" reads as a contradiction: the message says the quotes are
    the mistake, and what to write instead.
    """
    text = value.strip() if isinstance(value, str) else ""
    meant = ""
    if text.lower() in ("true", "false") and "true" in expected:
        meant = text.lower()
    elif is_number(text):
        meant = text
    if meant:
        return f'{name} must be {expected}, and "{value}" in quotes is text (write {meant}, without quotes)'
    return f"{name} must be {expected}, not {value!r}"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the input, reported as ``path:line: message``."""

    path: str
    """Path of the file, relative to the project root where possible."""
    line: int | None
    """1-based line in the file, or ``None`` when no line is meaningful."""
    message: str
    """What is wrong, and what was expected."""
    severity: Severity = "error"
    """Errors fail the build; warnings fail it only in strict mode."""
    hint: str | None = None
    """How to fix it, when that is known ("did you mean 308?")."""

    def format(self) -> str:
        """Return the problem as one line: ``path:line: [warning: ]message (hint)``."""
        where = f"{self.path}:{self.line}:" if self.line else f"{self.path}:"
        kind = "warning: " if self.severity == "warning" else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where} {kind}{self.message}{hint}"

    def sort_key(self) -> tuple[str, int, str]:
        """Return the key that orders problems by path, then line."""
        return (self.path, self.line or 0, self.message)


@dataclass(frozen=True)
class Language:
    """A configured language of the site."""

    tag: str
    """BCP 47 tag, for ``lang=`` and ``hreflang=``: ``pt-BR``."""
    segment: str
    """URL segment and content folder name: ``pt-br``."""
    name: str
    """The language's name in itself, for the switcher: ``Português (Brasil)``."""
    direction: Literal["ltr", "rtl"] = "ltr"
    """Text direction, for ``dir=``."""
    title: str | None = None
    """The site title in this language; ``None`` uses the configured site title."""
    mdn_locale: str | None = None
    """MDN's locale for links to headers, methods and glossary entries: ``pt-BR``."""
    draft: bool = False
    """A language being added (``draft = true``): built only with ``--drafts``, for preview."""


@dataclass(frozen=True)
class Features:
    """The reader features of ``[features]`` in ``sitegen.toml``; each can be turned off."""

    search: bool = True
    """A Pagefind index per language, made at the end of ``sitegen build``, and the search box."""
    toc: bool = True
    """An "On this page" list of a code page's sections (beside the text on wide screens)."""
    prev_next: bool = True
    """Links to the previous and next code at the end of a code page."""
    sidebar: bool = True
    """On wide screens, the codes of the page's class beside it, the current one marked."""
    code_grid: bool = True
    """A compact grid of every code on the language indexes and the root page, with a filter box."""
    language_suggestion: bool = True
    """On the root page, a notice suggesting the reader's language (never a redirect), remembered."""
    not_found_pages: bool = True
    """A "page not found" page per language (``/<lang>/404.html``), with search and a link to the code a missing path ends in."""
    switcher_menu: bool = True
    """The language switcher becomes a ``<details>`` menu past three languages or when it would wrap at 360 px."""
    theme_toggle: bool = True
    """A light / dark / system choice, remembered (without JavaScript the system's choice stays)."""
    copy_buttons: bool = True
    """A "copy link" button on every heading of a code page and a "copy" button on code blocks."""
    callouts: bool = True
    """``> [!NOTE]`` (MDN) and ``> [!TIP]`` (GitHub) quotes rendered as notes with a translated label."""
    edit_link: bool = True
    """"Edit this page" on code pages, from ``repository`` (when it is a GitHub or GitLab URL, or ``edit_url`` is set)."""
    last_updated: bool = True
    """"Last updated" on code pages: the date of the file's last commit, in the reader's locale."""
    open_graph: bool = True
    """Open Graph and Twitter card tags on every page."""
    json_ld: bool = True
    """JSON-LD (schema.org): TechArticle, BreadcrumbList and FAQPage on code pages, CollectionPage and WebSite elsewhere."""
    social_cards: bool = True
    """An SVG card per code and language (``/<lang>/<code>/card.svg``), the pages' ``og:image``."""


@dataclass(frozen=True)
class Config:
    """The site configuration, from ``[tool.sitegen]`` in ``pyproject.toml``."""

    root: Path
    """The project root; every other path is under it."""
    title: str
    """Site title in the source language."""
    base_url: str
    """Absolute URL the site is published at, ending in ``/``."""
    source_language: str
    """Tag of the language every other one is translated from."""
    languages: tuple[Language, ...]
    """Configured languages, the source language first."""
    content_dir: Path
    templates_dir: Path
    static_dir: Path
    locales_dir: Path
    output_dir: Path
    repository_url: str | None = None
    """Where translators find the sources (linked from untranslated pages)."""
    edit_url: str | None = None
    """Where a page's source is edited, with ``{path}`` (``https://github.com/o/r/edit/main/{path}``)."""
    french_typography: tuple[str, ...] = ()
    """Tags of the languages whose pages ``check`` holds to French typography."""
    precompress: bool = False
    """Write a ``.gz`` and a ``.br`` copy beside each text file of the built site."""
    raw_html: str = "allow"
    """Raw HTML in bodies: ``allow``, ``warn`` (``check`` reports scripts, event handlers,
    frames) or ``deny`` (an error)."""
    drafts: bool = False
    """Build draft pages and draft languages too, marked as such (``--drafts``, for preview)."""
    hidden_segments: tuple[str, ...] = ()
    """Content folders of languages not built (``draft`` without ``--drafts``, or ``disabled``)."""
    cache_dir: Path | None = None
    """The folder of the build cache (``None``: the default, ``.sitegen-cache/`` at the root)."""
    features: Features = field(default_factory=Features)
    """Which reader features the site has."""

    @property
    def cache_folder(self) -> Path:
        """Return the folder of the build cache."""
        return self.cache_dir or self.root / ".sitegen-cache"

    @property
    def source(self) -> Language:
        """Return the source language."""
        return self.languages[0]

    def shown(self, path: Path) -> str:
        """Return ``path`` as problems and messages show it: relative to the root if inside."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()

    def find_language(self, name: str) -> Language | None:
        """Return the language whose tag or URL segment is ``name`` (any case)."""
        name = name.lower()
        return next((language for language in self.languages if name in (language.tag.lower(), language.segment.lower())), None)

    def language(self, tag: str) -> Language:
        """Return the language with this tag."""
        for language in self.languages:
            if language.tag == tag:
                return language
        raise KeyError(tag)


@dataclass(frozen=True)
class Source:
    """Where a page came from."""

    path: str
    """Path of the file, relative to the project root."""
    front_matter_line: int
    """Line of the opening ``---``."""
    body_line: int
    """Line of the first body line."""
    field_lines: Mapping[str, int] = field(default_factory=dict)
    """Line of each front-matter key, as written."""
    digest: str = ""
    """The version of the file a translation records: its git blob id (:mod:`sitegen.content.versions`)."""
    text: str = field(default="", repr=False)
    """The file's text as written, for the checks that point at any line of it."""

    def line_of(self, key: str) -> int:
        """Return the line of a front-matter field, or of the front matter itself."""
        return self.field_lines.get(key, self.front_matter_line)


@dataclass(frozen=True)
class Reference:
    """A status code named by a page (``seeAlso`` or an inline link)."""

    code: int
    line: int
    """Line in the source file where the reference is written."""


@dataclass(frozen=True)
class MoreLink:
    """An entry of the ``more`` list: further reading."""

    title: str
    url: str
    origin: str | None = None
    """The ``from`` field: who publishes it."""


@dataclass(frozen=True)
class SpecLink:
    """A ``spec`` item written as ``{title, url}``: any source that is not an RFC (the
    documentation of the software that sends an unofficial code)."""

    title: str
    url: str
    line: int
    """Line of the item in the source file."""

    @property
    def label(self) -> str:
        """Return what the reader sees: the title."""
        return self.title


@dataclass(frozen=True)
class Question:
    """An entry of the ``faq`` list: a question and its answer (markdown)."""

    question: str
    answer: str
    line: int
    """Line of the question in the source file."""
    answer_line: int
    """Line where the answer's text starts."""


@dataclass(frozen=True)
class Page:
    """One content file, in one vocabulary whatever format it was written in."""

    source: Source
    language: str
    """Language tag, from the folder."""
    code: int
    name: str
    """Reason phrase in the page's language."""
    title: str
    """Defaults to ``"{code} {name}"``."""
    specs: tuple[str, ...]
    """Spec references as written (URLs or "RFC 9110 §15.4.8" text)."""
    overview: str
    takeaways: tuple[str, ...]
    """Markdown inline text of each takeaway."""
    see_also: tuple[Reference, ...]
    more: tuple[MoreLink, ...]
    body: str
    """Markdown body, with any Takeaways section taken out."""
    facts: Mapping[str, object]
    """Optional facts (``permanent``, ``method_preserved``, ``status`` ...)."""
    aliases: tuple[str, ...] = ()
    """Old URL paths that redirect to this page: ``/old/307/`` from the site root, or
    ``docs/Web/HTTP/Status/307`` under the page's language segment."""
    source_version: str | None = None
    """The version of the source-language page this translation was made from."""
    format: Literal["native", "mdn"] = "native"
    takeaway_lines: tuple[int, ...] = ()
    """The line each takeaway starts on, in the front matter or the Takeaways section."""
    draft: bool = False
    """A page being written or translated: checked, but not published (readers of its
    language see the source page with the untranslated notice)."""
    spec_links: tuple[SpecLink, ...] = ()
    """``spec`` items written as ``{title, url}``."""
    faq: tuple[Question, ...] = ()
    sent_by: tuple[str, ...] = ()
    """For an unofficial code: the software that sends it (``nginx``)."""
    alternative: str | None = None
    """For an unofficial code: one line of markdown naming the standard code to use instead."""


INTRO_KEYS = ("index", "1xx", "2xx", "3xx", "4xx", "5xx")
"""The stems of intro pages: ``index.md`` introduces a language's home, ``4xx.md`` a class."""


@dataclass(frozen=True)
class Intro:
    """The introduction of a language's home page (``index.md``) or of a class page (``4xx.md``)."""

    source: Source
    language: str
    """Language tag, from the folder."""
    key: str
    """``index`` or a class key such as ``4xx``."""
    title: str | None
    """Replaces the page's default heading."""
    overview: str
    """The page's meta description."""
    body: str
    """Markdown for readers."""
    source_version: str | None = None
    """In a translation: the version of the source-language intro it follows."""
    draft: bool = False


@dataclass(frozen=True)
class GlossaryTerm:
    """An entry of ``content/<lang>/glossary.yaml``: the term to use and those to avoid."""

    use: str
    avoid: tuple[str, ...]
    note: str | None
    line: int


@dataclass(frozen=True)
class Glossary:
    """The terms of one language."""

    path: str
    language: str
    terms: tuple[GlossaryTerm, ...]


@dataclass(frozen=True)
class RegistryEntry:
    """A row of the IANA HTTP Status Code Registry."""

    code: int
    name: str
    """As the registry writes it, with its remarks: ``Not Extended (OBSOLETED)``, ``(Unused)``."""
    reference: str
    """As the registry writes it: ``[RFC9110, Section 15.4.8]``."""

    @property
    def phrase(self) -> str:
        """The reason phrase, without the registry's remark in parentheses: ``Not Extended``,
        ``Upload Resumption Supported`` (whose registration's dates follow it); ``""`` for
        a code the registry marks ``(Unused)``, which has none."""
        if self.name.startswith("("):
            return ""
        return self.name.partition(" (")[0].strip()
