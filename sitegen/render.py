"""Render the site: :class:`Site` in, ``{output path: bytes}`` out, through Jinja.

Pure: the Jinja environment, the markdown parser and the UI translations are built at the
edge and passed in. Output is deterministic: sorted iteration, no clock.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import babel
import jinja2

from sitegen import urls
from sitegen.markdown import BodyContext, CodeLink, RenderedBody, create_markdown, render_body
from sitegen.model import Config, Language, Problem
from sitegen.registry import CLASS_NAMES, load_registry, status_class

if TYPE_CHECKING:
    from babel.support import NullTranslations
    from markdown_it import MarkdownIt

    from sitegen.resolve import Entry, Site

STYLESHEET = "static/style.css"
ICON = "static/favicon.svg"
ROOT_TEMPLATES = ("code.html", "language.html", "class.html", "home.html", "404.html", "alias.html", "sitemap.xml")


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site and what it is made from."""

    kind: str
    """``code``, ``language``, ``class``, ``home``, ``404``, ``alias``, ``sitemap``, ``robots``, ``api``, ``static``."""
    language: str | None = None
    code: int | None = None
    class_key: str | None = None
    target: str | None = None
    """For an alias: the URL path it redirects to. For a static file: its source path."""


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


def create_environment(templates_dir: Path) -> jinja2.Environment:
    """Return the Jinja environment: strict undefined, autoescape, i18n."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


def code_link(site: Site, language: Language, code: int) -> CodeLink | None:
    """Return how ``code`` is linked for readers of ``language``, if it has a page."""
    entry = site.entries.get((language.tag, code))
    if entry is None:
        return None
    lang = entry.content_language if entry.content_language != language.tag else None
    return CodeLink(urls.page_url(site.config, language, code), f"{code} {entry.page.name}", lang)


LinkFor = Callable[[Language, int], CodeLink | None]
"""Answers how a code is linked for readers of a language (:func:`code_link` on one site)."""


def _body_context(entry: Entry, gettext: Callable[[str], str], body_line: int, link_for: LinkFor) -> BodyContext:
    registry = load_registry()
    return BodyContext(
        path=entry.page.source.path,
        body_line=body_line,
        mdn_locale=entry.language.mdn_locale or "en-US",
        link_for=lambda code: link_for(entry.language, code),
        plain_name=lambda code: registry[code].name if code in registry else None,
        specs=entry.specs,
        gettext=gettext,
        own_code=entry.code,
    )


def render_markdown(
    site: Site,
    md: MarkdownIt,
    translations: Mapping[str, NullTranslations],
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
        gettext = translations[entry.language.tag].gettext
        page = entry.page
        body = render_body(md, page.body, _body_context(entry, gettext, page.source.body_line, link_for))
        bodies[key] = body
        problems.extend(body.problems)
        if page.takeaways:
            items = []
            for index, item in enumerate(page.takeaways):
                line = page.takeaway_lines[index] if index < len(page.takeaway_lines) else page.source.line_of("takeaways")
                rendered = render_body(front_matter_md, " ".join(item.split()), _body_context(entry, gettext, line, link_for))
                problems.extend(rendered.problems)
                items.append(f"<li>{rendered.html.strip().removeprefix('<p>').removesuffix('</p>')}</li>\n")
            takeaways[key] = f"<ul>\n{''.join(items)}</ul>\n"
        if page.overview:
            # one line of markdown: macros and emphasis work, block syntax does not
            rendered = render_body(
                front_matter_md, " ".join(page.overview.split()), _body_context(entry, gettext, page.source.line_of("overview"), link_for)
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


def plan_outputs(site: Site) -> dict[str, Output]:
    """Return every output file of the site, keyed by its path under ``_site/``."""
    config = site.config
    outputs: dict[str, Output] = {
        "index.html": Output("home"),
        "404.html": Output("404"),
        "sitemap.xml": Output("sitemap"),
        "robots.txt": Output("robots"),
        "api/codes.json": Output("api"),
    }
    for language in config.languages:
        outputs[urls.output_path(urls.language_url(config, language), config)] = Output("language", language.tag)
        for class_key in class_keys(site):
            outputs[urls.output_path(urls.class_url(config, language, class_key), config)] = Output(
                "class", language.tag, class_key=class_key
            )
        for code in site.codes:
            outputs[urls.output_path(urls.page_url(config, language, code), config)] = Output("code", language.tag, code)
    return outputs


def class_keys(site: Site) -> list[str]:
    """Return the classes that have at least one code: ``["3xx", ...]``."""
    return sorted({status_class(code) for code in site.codes})


def plan_aliases(site: Site, taken: Set[str]) -> tuple[dict[str, Output], list[Problem]]:
    """Return the redirect pages of old URLs, and the aliases that collide with
    ``taken`` (the other output files) or with each other."""
    config = site.config
    outputs: dict[str, Output] = {}
    problems: list[Problem] = []

    def clashes(path: str) -> str | None:
        parents = ["/".join(path.split("/")[:depth]) for depth in range(1, path.count("/") + 1)]
        return next((other for other in (path, *parents) if other in taken or other in outputs), None)

    for (tag, code), entry in sorted(site.entries.items()):
        if not entry.translated:
            continue
        for alias in entry.page.aliases:
            relative = alias.strip("/") if alias.startswith("/") else f"{entry.language.segment}/{alias.strip('/')}"
            path = urls.safe_output_path(relative + "/index.html")
            line = entry.page.source.line_of("aliases" if "aliases" in entry.page.source.field_lines else "original_slug")
            if path is None:
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would leave the site folder"))
            elif clash := clashes(path):
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would overwrite another page ({clash})"))
            else:
                outputs[path] = Output("alias", tag, code, target=urls.page_url(config, entry.language, code))
    return outputs, problems


class Renderer:
    """Renders outputs of one site; holds the views shared between pages."""

    def __init__(
        self,
        site: Site,
        rendered: Rendered,
        environment: jinja2.Environment,
        translations: Mapping[str, NullTranslations],
        static_files: Mapping[str, bytes],
    ) -> None:
        self.site = site
        self.config: Config = site.config
        self.rendered = rendered
        self.environment = environment
        self.translations = translations
        stylesheet = static_files.get(STYLESHEET, b"")
        version = hashlib.sha256(stylesheet).hexdigest()[:10]
        self.stylesheet_url = f"{urls.base_path(self.config)}{STYLESHEET}?v={version}"
        self.icon_url = f"{urls.base_path(self.config)}{ICON}" if ICON in static_files else None
        self.class_keys = class_keys(site)

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
            },
            "canonical": canonical,
            "alternates": alternates,
            "switcher": switcher,
            "classes": [
                {"key": key, "label": self.class_label(language, key), "url": urls.class_url(config, language, key)}
                for key in self.class_keys
            ],
        }

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

    def code_summary(self, language: Language, code: int) -> dict[str, Any]:
        """Return how a code is listed in indexes and "see also" lists.

        A code without a page is listed by its registry name, without a link.
        """
        entry = self.site.entries.get((language.tag, code))
        if entry is None:
            registered = load_registry().get(code)
            return {
                "code": code,
                "name": registered.name if registered else "",
                "url": None,
                "overview": "",
                "lang": self.config.source_language if registered and language.tag != self.config.source_language else None,
                "translated": False,
            }
        overview = self.rendered.overview_text((language.tag, code))
        return {
            "code": code,
            "name": entry.page.name,
            "url": urls.page_url(self.config, language, code),
            "overview": overview,
            "lang": entry.content_language if entry.content_language != language.tag else None,
            "translated": entry.translated,
        }

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
        context.update(
            {
                "code": code,
                "name": page.name,
                "title": page.title,
                "overview": self.rendered.overview_text(key),
                "overview_html": self.rendered.overviews.get(key, ("", ""))[0],
                "takeaways": self.rendered.takeaways.get(key, ""),
                "body": body.html,
                "specs": [{"label": spec.label, "url": spec.url} for spec in entry.specs],
                "see_also": [self.code_summary(language, other) for other in entry.see_also],
                "backlinks": [self.code_summary(language, other) for other in site.backlinks.get(key, ())],
                "more": [{"title": link.title, "url": link.url, "origin": link.origin} for link in page.more],
                "facts": dict(page.facts),
                "class": {
                    "key": status_class(code),
                    "label": self.class_label(language, status_class(code)),
                    "url": urls.class_url(config, language, status_class(code)),
                },
                "translated": entry.translated,
                "outdated": entry.outdated,
                "content_lang": content_language.tag if not entry.translated else None,
                "content_language_name": display_name(content_language, language),
                "language_name": display_name(language, language),
                "source_url": source_url,
                "original_url": urls.page_url(config, config.source, code),
                "source_path": config.shown(config.content_dir / language.segment / f"{code}.md"),
                "repository": config.repository_url,
            }
        )
        return context

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
            groups.append(
                {
                    "key": key,
                    "label": self.class_label(language, key),
                    "url": urls.class_url(config, language, key),
                    "codes": [self.code_summary(language, code) for code in self.site.codes if status_class(code) == key],
                }
            )
        context["groups"] = groups
        context["class_key"] = class_key
        context["class_label"] = self.class_label(language, class_key) if class_key else None
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
            context = self.home_context()
            context["canonical"] = None
            return "404.html", context
        if output.kind == "alias":
            assert output.target is not None
            return "alias.html", {"lang": language.tag, "target": output.target, "canonical": urls.absolute(config, output.target)}
        if output.kind == "sitemap":
            return "sitemap.xml", {"urls": self.sitemap_urls()}
        if output.kind == "robots":
            return "robots.txt", {"sitemap": f"{urls.absolute(config, urls.home_url(config))}sitemap.xml"}
        if output.kind == "api":
            return "api/codes.json", self.api_data()
        raise ValueError(f"unknown output kind {output.kind!r}")

    def render(self, path: str, output: Output) -> bytes:
        """Return the bytes of one output file."""
        config = self.config
        name, context = self.view(output)
        if output.kind == "robots":
            return f"User-agent: *\nAllow: /\n\nSitemap: {context['sitemap']}\n".encode()
        if output.kind == "api":
            return encode_json(context)
        language = config.language(output.language) if output.language else config.source
        self.environment.install_gettext_translations(self.translations[language.tag], newstyle=True)  # type: ignore[attr-defined]
        return self._template(name, context)

    def _template(self, name: str, context: dict[str, Any]) -> bytes:
        return self.environment.get_template(name).render(context).encode("utf-8")

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
        return result

    def api_json(self) -> bytes:
        """Return ``/api/codes.json``: every code with its name and URL in each language."""
        return encode_json(self.api_data())

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


def encode_json(data: object) -> bytes:
    """Return data as the site's JSON files hold it: sorted keys, indented, UTF-8."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@functools.cache
def display_name(language: Language, reader: Language) -> str:
    """Return the name of ``language`` in the reader's language ("anglais" for French readers)."""
    try:
        locale = babel.Locale.parse(language.tag, sep="-")
        name = locale.get_display_name(babel.Locale.parse(reader.tag, sep="-"))
    except (ValueError, babel.UnknownLocaleError):
        name = None
    return name or language.name


def template_problem(error: Exception, config: Config) -> Problem:
    """Return a template error as a problem at the template's path and line."""
    templates = config.templates_dir
    if isinstance(error, jinja2.TemplateSyntaxError):
        name = error.filename or error.name or "?"
        return Problem(_template_path(name, config), error.lineno, f"template syntax error: {error.message}")
    location: tuple[str, int] | None = None
    traceback = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.startswith(str(templates)):
            location = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    message = html.unescape(str(error))
    if isinstance(error, jinja2.UndefinedError):
        message = f"undefined template variable: {message}"
    else:
        message = f"template error: {type(error).__name__}: {message}"
    if location:
        return Problem(_template_path(location[0], config), location[1], message)
    return Problem(_template_path(str(templates), config), None, message)


def _template_path(name: str, config: Config) -> str:
    """Return a template's file as problems show it (``templates/code.html``)."""
    path = Path(name)
    return config.shown(path if path.is_absolute() else config.templates_dir / name)


def check_templates(environment: jinja2.Environment, config: Config) -> list[Problem]:
    """Return the syntax errors of every template, found before any page is rendered."""
    problems = []
    for name in sorted(environment.list_templates(extensions=["html", "xml"])):
        try:
            environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(template_problem(error, config))
        except jinja2.TemplateNotFound as error:
            problems.append(Problem(_template_path(str(config.templates_dir), config), None, f"template not found: {error}"))
    for name in ROOT_TEMPLATES:
        if not (config.templates_dir / name).is_file():
            problems.append(Problem(_template_path(name, config), None, "template missing"))
    return problems


def render_outputs(renderer: Renderer, outputs: Mapping[str, Output]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the bytes of the given outputs, and the template errors met (each once)."""
    files: dict[str, bytes] = {}
    problems: dict[Problem, None] = {}
    for path in sorted(outputs):
        try:
            files[path] = renderer.render(path, outputs[path])
        except jinja2.TemplateError as error:
            problems[template_problem(error, renderer.config)] = None
        except Exception as error:
            # an expression in a template can fail like Python code; if no template
            # frame is involved, the bug is ours and must not pass for a template error
            if not in_template(error, renderer.config):
                raise
            problems[template_problem(error, renderer.config)] = None
    return files, list(problems)


def in_template(error: BaseException, config: Config) -> bool:
    """Return whether a template's code is in the traceback of ``error``."""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.startswith(str(config.templates_dir)):
            return True
        traceback = traceback.tb_next
    return False
