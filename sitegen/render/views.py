"""Template views: what each kind of page shows, built from the :class:`Site` for Jinja.

Templates get these dictionaries, never the loader's records, so a template variable
can be renamed without touching the pipeline.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import markupsafe

from sitegen.content.callouts import label_callouts
from sitegen.render import sharing
from sitegen.render.api import API_KINDS, api_view
from sitegen.render.cards import card_svg
from sitegen.render.comparisons import compare_index_context, compare_link, comparison_context, comparison_links
from sitegen.render.guide import guide_context, guide_link
from sitegen.render.knowledge import body_with_exchange, constants_view
from sitegen.render.navigation import (
    COPY_MESSAGES,
    SEARCH_MESSAGES,
    edit_url,
    format_day,
    grid_view,
    neighbours,
    suggestions,
    switcher_is_menu,
)
from sitegen.render.plan import (
    ICON,
    INDEX_STYLESHEET,
    PRINT_STYLESHEET,
    SCRIPT,
    SCRIPT_STYLESHEET,
    STYLESHEET,
    THEME_SCRIPT,
    Output,
    class_keys,
)
from sitegen.render.policy import content_security_policy
from sitegen.render.reads import Recorder, watched
from sitegen.site import urls
from sitegen.site.model import Config, Language
from sitegen.site.registry import CLASS_NAMES, load_registry, status_class

if TYPE_CHECKING:
    from gettext import NullTranslations

    import jinja2

    from sitegen.render.bodies import Rendered, RenderedIntro
    from sitegen.site.model import Problem
    from sitegen.site.resolve import Entry, Site


META_POLICY = markupsafe.Markup(content_security_policy(header=False))
"""The Content-Security-Policy every page carries in a ``<meta http-equiv>`` (a constant
without ``"``, ``<`` or ``&``: its ``'`` need no escaping in a double-quoted attribute)."""
RENDERED_PIECES = 4096
"""How many of the pieces a template yields are joined and encoded at a time (a code's
page makes one or two such chunks)."""


class LocaleText:
    """Text that comes from Babel's locale data: names of languages, lists joined the
    reader's way. The engine passes a subclass that remembers the answers in its cache, so
    that a build rendering nothing never loads Babel."""

    def display_name(self, language: Language, reader: Language) -> str:
        """Return the name of ``language`` in the reader's language ("anglais" for French readers)."""
        return display_name(language, reader)

    def format_list(self, items: tuple[str, ...], language: Language) -> str:
        """Return items joined the reader's way: "nginx and Cloudflare", "nginx et Cloudflare"."""
        return format_list(items, language)

    def format_date(self, day: datetime.date, language: Language) -> str:
        """Return a date the reader's way: "6 December 2026", "6 décembre 2026"."""
        return format_day(day, language)

    def og_locale(self, tag: str) -> str:
        """Return a language tag as Open Graph writes locales: ``pt-BR`` -> ``pt_BR``, ``fr`` -> ``fr_FR``."""
        return sharing.og_locale(tag)


class Renderer:
    """Renders outputs of one site; holds the views shared between pages.

    ``environment`` and ``translations`` are asked for only when an output is rendered
    (:meth:`render`): the engine makes them on demand, and a build that renders nothing
    (every output unchanged) never loads Jinja or a catalog.
    """

    def __init__(
        self,
        site: Site,
        rendered: Rendered,
        environment: jinja2.Environment | Callable[[], jinja2.Environment],
        translations: Mapping[str, NullTranslations],
        static_files: Mapping[str, bytes],
        intros: Mapping[tuple[str, str], RenderedIntro] | None = None,
        locale_text: LocaleText | None = None,
        history: Mapping[str, datetime.date] | None = None,
    ) -> None:
        self.site = site
        self.config: Config = site.config
        self.rendered = rendered
        self.intros = intros or {}
        self.history = history or {}
        """The date of each content file's last commit, for "Last updated"."""
        self._environment = environment
        self.translations = translations
        self.locale_text = locale_text or LocaleText()
        stylesheet = static_files.get(STYLESHEET, b"")
        version = hashlib.sha256(stylesheet).hexdigest()[:10]
        self.stylesheet_url = f"{urls.base_path(self.config)}{STYLESHEET}?v={version}"
        self.icon_url = f"{urls.base_path(self.config)}{ICON}" if ICON in static_files else None
        self.script_url = self.static_url(static_files, SCRIPT)
        self.theme_url = self.static_url(static_files, THEME_SCRIPT)
        self.index_stylesheet_url = self.static_url(static_files, INDEX_STYLESHEET)
        self.print_stylesheet_url = self.static_url(static_files, PRINT_STYLESHEET)
        self.script_stylesheet_url = self.static_url(static_files, SCRIPT_STYLESHEET)
        self.class_keys = class_keys(site)
        self.recorder: Recorder | None = None
        """Notes what each view reads, when the engine watches (:mod:`sitegen.render.reads`)."""

    def with_site(self, site: Site, rendered: Rendered) -> Renderer:
        """Return a renderer of the same build (templates, catalogs, static files...) for
        another ``site`` and ``rendered`` with the same codes; it notes no reads."""
        renderer = copy.copy(self)
        renderer.site, renderer.config, renderer.rendered, renderer.recorder = site, site.config, rendered, None
        renderer.class_keys = class_keys(site)
        return renderer

    def static_url(self, static_files: Mapping[str, bytes], path: str) -> str | None:
        """Return the URL of a static file with its version (``?v=`` + hash), or ``None`` if it is missing."""
        data = static_files.get(path)
        return f"{urls.base_path(self.config)}{path}?v={hashlib.sha256(data).hexdigest()[:10]}" if data is not None else None

    @property
    def environment(self) -> jinja2.Environment:
        """Return the Jinja environment, made on first use."""
        if callable(self._environment):
            self._environment = self._environment()
        return self._environment

    # -- shared views ---------------------------------------------------------

    def _gettext(self, language: Language) -> Callable[[str], str]:
        return self.translations[language.tag].gettext

    def _common(
        self, language: Language, *, canonical: str, alternates: list[dict[str, str]], switcher: list[dict[str, Any]]
    ) -> dict[str, Any]:
        config = self.config
        return {
            "lang": language.tag,
            "dir": language.direction,
            "language": {"tag": language.tag, "name": language.name, "segment": language.segment},
            "site": {
                "title": language.title or config.title,
                "home": urls.language_url(config, language),
                "root": urls.home_url(config),
                "stylesheet": self.stylesheet_url,
                "icon": self.icon_url,
                "csp": META_POLICY,
                "script": self.script_url,
                "theme": self.theme_url,
                "index_stylesheet": self.index_stylesheet_url,
                "print_stylesheet": self.print_stylesheet_url,
                "script_stylesheet": self.script_stylesheet_url,
                "codes": urls.codes_url(config, language) if uses_codes(config) else None,
            },
            "features": config.features,
            "switcher_menu": config.features.switcher_menu and switcher_is_menu(config.languages),
            "canonical": canonical,
            "alternates": alternates,
            "switcher": switcher,
            "classes": [
                {"key": key, "label": self.class_label(language, key), "url": urls.class_url(config, language, key)}
                for key in self.class_keys
            ],
            "guide_link": guide_link(self, language),
            "compare_link": compare_link(self, language),
        }

    def og_locale(self, tag: str) -> str:
        """Return a language tag as Open Graph writes locales (for the views of other modules)."""
        return self.locale_text.og_locale(tag)

    def language_name(self, language: Language, reader: Language) -> str:
        """Return the name of ``language`` in the reader's language (for the views of other modules)."""
        return self.locale_text.display_name(language, reader)

    def class_label(self, language: Language, class_key: str) -> str:
        """Return the translated name of a class: ``3xx Redirection``."""
        gettext = self._gettext(language)
        return f"{class_key} {gettext(CLASS_NAMES[int(class_key[0])])}"

    def _switcher(
        self, current: Language, url_of: Callable[[Language], str], translated: Callable[[Language], bool] = lambda language: True
    ) -> list[dict[str, Any]]:
        return [
            {
                "tag": language.tag,
                "name": language.name,
                "url": url_of(language),
                "current": language == current,
                "translated": translated(language),
            }
            for language in self.config.languages
        ]

    def _alternates(self, languages: list[Language], url_of: Callable[[Language], str]) -> list[dict[str, str]]:
        if not languages:
            return []
        alternates = [{"hreflang": language.tag, "url": urls.absolute(self.config, url_of(language))} for language in languages]
        default = self.config.source if self.config.source in languages else languages[0]
        alternates.append({"hreflang": "x-default", "url": urls.absolute(self.config, url_of(default))})
        return alternates

    @watched
    def code_summary(self, language: Language, code: int) -> dict[str, Any]:
        """Return how a code is listed in indexes and "see also" lists.

        A code without a page is listed by its registry name, without a link.
        """
        entry = self.site.entries.get((language.tag, code))
        if entry is None:
            registered = load_registry().get(code)
            return {
                "code": code,
                "name": (registered.phrase or registered.name) if registered else "",
                "url": None,
                "overview": "",
                "lang": self.config.source_language if registered and language.tag != self.config.source_language else None,
                "translated": False,
                "sent_by": "",
            }
        overview = self.rendered.overview_text((language.tag, code))
        unofficial = entry.page.facts.get("status") == "unofficial"
        return {
            "code": code,
            "name": entry.page.name,
            "url": urls.page_url(self.config, language, code),
            "overview": overview,
            "lang": entry.content_language if entry.content_language != language.tag else None,
            "translated": entry.translated,
            "sent_by": self.locale_text.format_list(entry.page.sent_by, language) if unofficial else "",
        }

    @watched
    def is_unofficial(self, code: int) -> bool:
        """Return whether a code is unofficial, as its source-language page says."""
        entry = self.site.entries.get((self.config.source_language, code))
        return entry is not None and entry.page.facts.get("status") == "unofficial"

    def english_name(self, entry: Entry) -> str | None:
        """Return the registered English reason phrase to show beside a translated name
        (readers search for "erreur 502 bad gateway"), or ``None`` where it would repeat it.

        The registry's phrase, or the source page's name where the registry has none
        (unofficial codes) or only a remark ("(Unused)" for 418).
        """
        config = self.config
        if entry.content_language == config.source_language:
            return None
        registered = load_registry().get(entry.code)
        english: str | None = registered.phrase if registered and registered.phrase else None
        if english is None:
            source = self.site.entries.get((config.source_language, entry.code))
            english = source.page.name if source and source.content_language == config.source_language else None
        if english is None or english.startswith("(") or english.casefold() == entry.page.name.casefold():
            return None  # (a remark is no phrase: "306 (Unused) — (Inutilisé)" said it twice)
        return english

    # -- pages ------------------------------------------------------------------

    def code_context(self, language: Language, code: int) -> dict[str, Any]:
        """Return the template context of a code's page."""
        config, site = self.config, self.site
        entry = site.entry(language, code)
        page = entry.page
        key = (language.tag, code)
        translations = site.translations(code)
        translated_languages = [item.language for item in translations]
        source_url = urls.page_url(config, config.language(entry.content_language), code)
        canonical = urls.absolute(config, urls.page_url(config, language, code) if entry.translated else source_url)
        context = self._common(
            language,
            canonical=canonical,
            # a fallback page is a copy of another language's page: it has no alternates
            alternates=self._alternates(translated_languages, lambda other: urls.page_url(config, other, code)) if entry.translated else [],
            switcher=self._switcher(
                language, lambda other: urls.page_url(config, other, code), lambda other: site.entry(other, code).translated
            ),
        )
        body = self.rendered.bodies[key]
        content_language = config.language(entry.content_language)
        english_name = self.english_name(entry)
        explicit_title = page.format == "native" and "title" in page.source.field_lines
        context.update(
            {
                "code": code,
                "name": page.name,
                "english_name": english_name,
                "english_lang": config.source_language,
                "title": f"{code} {english_name} — {page.name}" if english_name and not explicit_title else page.title,
                "overview": self.rendered.overview_text(key),
                "overview_html": self.rendered.overviews.get(key, ("", ""))[0],
                "takeaways": self.rendered.takeaways.get(key, ""),
                "body": body_with_exchange(self, language, entry, label_callouts(body.html, self._gettext(content_language))),
                "specs": [{"label": spec.label, "url": spec.url} for spec in entry.specs],
                "see_also": [self.code_summary(language, other) for other in entry.see_also],
                "backlinks": [self.code_summary(language, other) for other in site.backlinks.get(key, ())],
                "more": [{"title": link.title, "url": link.url, "origin": link.origin} for link in page.more],
                "facts": dict(page.facts),
                "constants": constants_view(code),
                "comparisons": comparison_links(self, language, code),
                "faq": [{"question": question, "answer": answer} for question, answer in self.rendered.faqs.get(key, ())],
                "unofficial": self.unofficial_view(language, entry.content_language, key, page.sent_by)
                if page.facts.get("status") == "unofficial"
                else None,
                "class": {
                    "key": status_class(code),
                    "label": self.class_label(language, status_class(code)),
                    "url": urls.class_url(config, language, status_class(code)),
                },
                "translated": entry.translated,
                "outdated": entry.outdated,
                "draft": page.draft or language.draft,
                "content_lang": content_language.tag if not entry.translated else None,
                "content_language_name": self.locale_text.display_name(content_language, language),
                "language_name": self.locale_text.display_name(language, language),
                "reader_is_source": language.tag == config.source_language,
                "content_is_original": content_language.tag == config.source_language,
                "source_url": source_url,
                "original_url": urls.page_url(config, config.source, code),
                "sections": [{"id": anchor, "title": title} for anchor, title in body.sections] if config.features.toc else [],
            }
        )
        context.update(self.navigation_view(language, code))
        context.update(self.page_meta_view(language, page.source.path))
        context["sharing"] = sharing.code_sharing(
            config,
            language,
            self._gettext(language),
            self.locale_text.og_locale,
            context,
            [item.language.tag for item in translations],
            self.rendered.faqs.get(key, ()),
        )
        return context

    def page_meta_view(self, language: Language, path: str) -> dict[str, Any]:
        """Return "Edit this page" and "Last updated" of the page made from the file at ``path``."""
        features = self.config.features
        day = self.history.get(path) if features.last_updated else None
        return {
            "edit_url": edit_url(self.config, path) if features.edit_link else None,
            "updated": {"iso": day.isoformat(), "text": self.locale_text.format_date(day, language)} if day else None,
        }

    def navigation_view(self, language: Language, code: int) -> dict[str, Any]:
        """Return a code page's ways to the codes beside it (the class sidebar is filled by the page's script)."""
        features = self.config.features
        previous, following = neighbours(self.site, code) if features.prev_next else (None, None)
        return {
            "previous": self.code_summary(language, previous) if previous is not None else None,
            "next": self.code_summary(language, following) if following is not None else None,
        }

    def unofficial_view(self, language: Language, content_language: str, key: tuple[str, int], sent_by: tuple[str, ...]) -> dict[str, Any]:
        """Return what the notice of an unofficial code says: who sends it, what to use instead."""
        return {
            "sent_by": self.locale_text.format_list(sent_by, language),
            "alternative": self.rendered.alternatives.get(key, ""),
            "alternative_lang": content_language if content_language != language.tag else None,
        }

    def intro_view(self, language: Language, key: str) -> dict[str, Any] | None:
        """Return the intro of a home (``index``) or class page, or ``None`` if it has none."""
        entry = self.site.intros.get((language.tag, key))
        rendered = self.intros.get((language.tag, key))
        if entry is None or rendered is None:
            return None
        return {
            # a fallback's title is in another language: the page keeps its own heading
            "title": entry.intro.title if entry.translated else None,
            "html": label_callouts(rendered.html, self._gettext(self.config.language(entry.content_language))),
            "overview": rendered.overview,
            "lang": entry.content_language if not entry.translated else None,
            "outdated": entry.outdated,
            "original_url": (
                urls.language_url(self.config, self.config.source)
                if key == "index"
                else urls.class_url(self.config, self.config.source, key)
            ),
        }

    def index_context(self, language: Language, class_key: str | None) -> dict[str, Any]:
        """Return the context of a language's index (``class_key`` None) or of one class."""
        config = self.config
        if class_key is None:
            url_of: Callable[[Language], str] = lambda other: urls.language_url(config, other)  # noqa: E731
        else:
            url_of = lambda other: urls.class_url(config, other, class_key)  # noqa: E731
        context = self._common(
            language,
            canonical=urls.absolute(config, url_of(language)),
            alternates=self._alternates(list(config.languages), url_of),
            switcher=self._switcher(language, url_of),
        )
        groups = []
        for key in self.class_keys:
            if class_key is not None and key != class_key:
                continue
            codes = [code for code in self.site.codes if status_class(code) == key]
            groups.append(
                {
                    "key": key,
                    "label": self.class_label(language, key),
                    "url": urls.class_url(config, language, key),
                    "codes": [self.code_summary(language, code) for code in codes if not self.is_unofficial(code)],
                }
            )
        # unofficial codes are listed apart, so that no reader takes them for standard ones
        context["unofficial"] = [
            self.code_summary(language, code)
            for code in self.site.codes
            if self.is_unofficial(code) and (class_key is None or status_class(code) == class_key)
        ]
        context["groups"] = groups
        context["grid"] = grid_view(self.site, language) if class_key is None and config.features.code_grid else []
        context["intro"] = self.intro_view(language, class_key or "index")
        context["class_key"] = class_key
        context["class_label"] = self.class_label(language, class_key) if class_key else None
        context["sharing"] = sharing.index_sharing(
            config, language, self._gettext(language), self.locale_text.og_locale, context, class_key is not None
        )
        return context

    def home_context(self) -> dict[str, Any]:
        """Return the context of the language chooser at ``/``."""
        config = self.config
        source = config.source
        context = self._common(
            source,
            canonical=urls.absolute(config, urls.home_url(config)),
            alternates=[],
            switcher=self._switcher(source, lambda other: urls.language_url(config, other)),
        )
        context["choices"] = [
            {
                "tag": language.tag,
                "name": language.name,
                "url": urls.language_url(config, language),
                "title": language.title or config.title,
                "count": sum(1 for code in self.site.codes if self.site.entry(language, code).translated),
            }
            for language in config.languages
        ]
        context["total"] = len(self.site.codes)
        context["grid"] = grid_view(self.site, source) if config.features.code_grid else []
        if config.features.language_suggestion:
            gettext_of = {language.tag: self._gettext(language) for language in config.languages}
            context["extra_ui"] = {"source": source.tag, "suggest": suggestions(config, gettext_of)}
        context["sharing"] = sharing.home_sharing(config, self.locale_text.og_locale, str(context["canonical"]))
        return context

    def not_found_context(self, language: Language | None) -> dict[str, Any]:
        """Return the context of a "page not found" page: the site's (``language`` None) or a language's."""
        config = self.config
        if language is None:
            context = self.home_context()
            context["grid"] = []
            segments = {other.segment: urls.language_url(config, other) for other in config.languages}
        else:
            context = self._common(
                language, canonical="", alternates=[], switcher=self._switcher(language, lambda other: urls.not_found_url(config, other))
            )
            context["choices"] = []
            segments = {language.segment: urls.language_url(config, language)}
        context["canonical"] = None
        context["sharing"] = None  # not a page to share or to index
        context["extra_ui"] = {"missing": segments} if config.features.not_found_pages else {}
        return context

    def view(self, output: Output) -> tuple[str, dict[str, Any]]:
        """Return what an output is made from: its template and context (or, for the files
        made without a template, their name and data).

        An output's bytes depend only on these (and the templates and UI translations), so
        the dev server renders an output again only when its view has changed.
        """
        config = self.config
        language = config.language(output.language) if output.language else config.source
        if output.kind == "code":
            assert output.code is not None
            return "code.html", self.code_context(language, output.code)
        if output.kind == "language":
            return "language.html", self.index_context(language, None)
        if output.kind == "class":
            return "class.html", self.index_context(language, output.class_key)
        if output.kind == "home":
            return "home.html", self.home_context()
        if output.kind == "404":
            return "404.html", self.not_found_context(config.language(output.language) if output.language else None)
        if output.kind == "alias":
            assert output.target is not None
            target, canonical = output.target, urls.absolute(config, output.target)
            return "alias.html", {"lang": language.tag, "target": target, "canonical": canonical, "site": {"csp": META_POLICY}}
        if output.kind == "sitemap":
            return "sitemap.xml", {"urls": self.sitemap_urls()}
        if output.kind == "robots":
            return "robots.txt", {"sitemap": f"{urls.absolute(config, urls.home_url(config))}sitemap.xml"}
        if output.kind == "api":
            return "api/codes.json", self.api_data()
        if output.kind == "guide":
            return "guide.html", guide_context(self, language)
        if output.kind == "compare-index":
            return "compare_index.html", compare_index_context(self, language)
        if output.kind == "compare":
            assert output.target is not None
            return "compare.html", comparison_context(self, language, output.target)
        if output.kind in API_KINDS:
            return output.kind, api_view(self, output)
        if output.kind == "codes":
            return "codes.json", self.codes_data(language)
        if output.kind == "card":
            assert output.code is not None
            entry = self.site.entry(language, output.code)
            return "card.svg", {"code": output.code, "name": entry.page.name, "title": language.title or config.title, "tag": language.tag}
        raise ValueError(f"unknown output kind {output.kind!r}")

    def render(self, output: Output, view: tuple[str, dict[str, Any]] | None = None) -> bytes:
        """Return the bytes of one output file (``view``: its :meth:`view`, if already made)."""
        config = self.config
        name, context = view or self.view(output)
        if output.kind == "robots":
            return f"User-agent: *\nAllow: /\n\nSitemap: {context['sitemap']}\n".encode()
        if output.kind == "api" or output.kind in API_KINDS:
            return encode_json(context)
        if output.kind == "codes":
            return (json.dumps(context, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        if output.kind == "card":
            return card_svg(context["code"], context["name"], context["title"], context["tag"])
        language = config.language(output.language) if output.language else config.source
        self.environment.install_gettext_translations(self.translations[language.tag], newstyle=True)  # type: ignore[attr-defined]
        return self._template(name, context)

    def _template(self, name: str, context: dict[str, Any]) -> bytes:
        """Render a template into bytes, a few thousand pieces at a time. Jinja's ``render``
        joins every piece a template makes in one go; the sitemap of 9,000 pages makes about
        a million (each alternate link is half a dozen), and holding them all was the peak
        of a large build (~30 MB above the rest)."""
        pieces = self.environment.get_template(name).generate(context)
        made: list[bytes] = []
        while chunk := list(itertools.islice(pieces, RENDERED_PIECES)):
            made.append("".join(chunk).encode("utf-8"))
        return made[0] if len(made) == 1 else b"".join(made)

    def sitemap_urls(self) -> list[dict[str, Any]]:
        """Return every canonical URL with its hreflang alternates."""
        config = self.config
        result = []

        def add(url_of: Callable[[Language], str], languages: list[Language]) -> None:
            alternates = self._alternates(languages, url_of)
            for language in languages:
                result.append({"loc": urls.absolute(config, url_of(language)), "alternates": alternates})

        result.append({"loc": urls.absolute(config, urls.home_url(config)), "alternates": []})
        add(lambda language: urls.language_url(config, language), list(config.languages))
        for key in class_keys(self.site):
            add(lambda language, key=key: urls.class_url(config, language, key), list(config.languages))  # type: ignore[misc]
        for code in self.site.codes:
            add(
                lambda language, code=code: urls.page_url(config, language, code),  # type: ignore[misc]
                [entry.language for entry in self.site.translations(code)],
            )
        if self.site.guides:
            add(
                lambda language: urls.guide_url(config, language),
                [language for language in config.languages if self.site.guides[language.tag].translated],
            )
        comparisons = self.site.comparisons
        if comparisons.tables:
            add(lambda language: urls.compare_index_url(config, language), list(config.languages))
        for table in comparisons.tables:
            add(
                lambda language, name=table.name: urls.compare_url(config, language, name),  # type: ignore[misc]
                [language for language in config.languages if comparisons.texts[(language.tag, table.name)].translated],
            )
        return result

    def codes_data(self, language: Language) -> dict[str, Any]:
        """Return a language's codes and names, and what the search box says as one types and
        the copy buttons say: ``{"codes": [[307, "Temporary Redirect"], ...], "t": {"none": "No results", ...}}``."""
        gettext = self._gettext(language)
        messages = {**SEARCH_MESSAGES, **(COPY_MESSAGES if self.config.features.copy_buttons else {})}
        return {
            "codes": [[code, self.site.entry(language, code).page.name] for code in self.site.codes],
            "t": {key: gettext(message) for key, message in messages.items()},
        }

    def api_data(self) -> dict[str, Any]:
        """Return the data of ``/api/codes.json``."""
        config = self.config
        codes = []
        for code in self.site.codes:
            entry = self.site.entry(config.source, code)
            codes.append(
                {
                    "code": code,
                    "class": status_class(code),
                    "spec": [{"label": spec.label, "url": spec.url} for spec in entry.specs],
                    "pages": {
                        language.tag: {
                            "name": self.site.entry(language, code).page.name,
                            "url": urls.absolute(config, urls.page_url(config, language, code)),
                            "translated": self.site.entry(language, code).translated,
                        }
                        for language in config.languages
                    },
                }
            )
        return {"codes": codes}


def uses_codes(config: Config) -> bool:
    """Return whether pages read ``/<lang>/codes.json`` (search, the sidebar, the 404 page's
    link, the copy buttons' words)."""
    features = config.features
    return features.search or features.sidebar or features.not_found_pages or features.copy_buttons


def encode_json(data: object) -> bytes:
    """Return data as the site's JSON files hold it: sorted keys, indented, UTF-8."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@functools.lru_cache(maxsize=1024)
def format_list(items: tuple[str, ...], language: Language) -> str:
    """Return items joined the reader's way: "nginx and Cloudflare", "nginx et Cloudflare"."""
    if not items:
        return ""
    import babel
    import babel.lists

    try:
        return str(babel.lists.format_list(list(items), locale=babel.Locale.parse(language.tag, sep="-")))
    except (ValueError, babel.UnknownLocaleError):
        return ", ".join(items)


@functools.cache
def display_name(language: Language, reader: Language) -> str:
    """Return the name of ``language`` in the reader's language ("anglais" for French readers)."""
    import babel

    try:
        locale = babel.Locale.parse(language.tag, sep="-")
        name = locale.get_display_name(babel.Locale.parse(reader.tag, sep="-"))
    except (ValueError, babel.UnknownLocaleError):
        name = None
    return name or language.name


def render_output(renderer: Renderer, output: Output, view: tuple[str, dict[str, Any]] | None = None) -> bytes | Problem:
    """Return the bytes of one output, or the template error met rendering it."""
    import jinja2

    from sitegen.render.templating import in_template, template_problem

    try:
        return renderer.render(output, view)
    except jinja2.TemplateError as error:
        return template_problem(error, renderer.config)
    except Exception as error:
        # an expression in a template can fail like Python code; if no template
        # frame is involved, the bug is ours and must not pass for a template error
        if not in_template(error, renderer.config):
            raise
        return template_problem(error, renderer.config)


def render_outputs(renderer: Renderer, outputs: Mapping[str, Output]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the bytes of the given outputs, and the template errors met (each once)."""
    files: dict[str, bytes] = {}
    problems: dict[Problem, None] = {}
    for path in sorted(outputs):
        result = render_output(renderer, outputs[path])
        if isinstance(result, bytes):
            files[path] = result
        else:
            problems[result] = None
    return files, list(problems)
