"""Render the site: :class:`Site` in, ``{output path: bytes}`` out.

This module plans the outputs and renders the markdown of every entry; the template
views live in :mod:`sitegen.render.views`, the Jinja environment and its errors in
:mod:`sitegen.render.templating`. Pure: the environment, the markdown parser and the UI
translations are built at the edge and passed in. Output is deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jinja2

from sitegen.content.markdown import BodyContext, CodeLink, RenderedBody, create_markdown, render_body
from sitegen.render.templating import in_template, template_problem
from sitegen.site import urls
from sitegen.site.model import Language, Problem
from sitegen.site.registry import load_registry, status_class

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from sitegen.render.views import Renderer
    from sitegen.site.resolve import Entry, Site

STYLESHEET = "static/style.css"
ICON = "static/favicon.svg"


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site and what it is made from."""

    kind: str
    """``code``, ``language``, ``class``, ``home``, ``404``, ``alias``, ``sitemap``, ``robots`` or ``api``."""
    language: str | None = None
    code: int | None = None
    class_key: str | None = None
    target: str | None = None
    """For an alias: the URL path it redirects to."""


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


def render_outputs(renderer: Renderer, outputs: Mapping[str, Output]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the bytes of the given outputs, and the template errors met (each once)."""
    files: dict[str, bytes] = {}
    problems: dict[Problem, None] = {}
    for path in sorted(outputs):
        try:
            files[path] = renderer.render(outputs[path])
        except jinja2.TemplateError as error:
            problems[template_problem(error, renderer.config)] = None
        except Exception as error:
            # an expression in a template can fail like Python code; if no template
            # frame is involved, the bug is ours and must not pass for a template error
            if not in_template(error, renderer.config):
                raise
            problems[template_problem(error, renderer.config)] = None
    return files, list(problems)
