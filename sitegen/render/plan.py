"""Plan the site's outputs: which files the build writes and what each is made from."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.site import urls
from sitegen.site.model import Problem
from sitegen.site.registry import status_class

if TYPE_CHECKING:
    from sitegen.site.model import Language
    from sitegen.site.resolve import Site

_ALIAS = re.compile(r"[\w.~+%/-]+")
"""What an alias may hold: the characters of a URL path that no hosting file reads as syntax."""
STYLESHEET = "static/style.css"
INDEX_STYLESHEET = "static/index.css"
"""The rules only index pages need (code grid, filter, language chooser): code pages do not link it."""
PRINT_STYLESHEET = "static/print.css"
"""How a page prints; linked with ``media="print"``."""
SCRIPT_STYLESHEET = "static/enhance.css"
"""The rules of what the script builds (search results, copy buttons): the script links it,
so that a page read without JavaScript does not load it."""
SCRIPT = "static/site.js"
"""The script of the reader features (search, copy buttons, theme...); pages work without it."""
THEME_SCRIPT = "static/theme.js"
"""Applies the reader's theme before the page is painted: the one script in ``<head>``, tiny."""
ICON = "static/favicon.svg"


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site and what it is made from."""

    kind: str
    """``code``, ``language``, ``class``, ``home``, ``404``, ``alias``, ``sitemap``, ``robots``, ``api`` (the
    unversioned ``/api/codes.json``), or ``api-codes``, ``api-page``, ``api-schema`` (``/api/v1/``),
    or ``codes`` (a language's codes and names, for the search box), ``card`` (a code's social card)."""
    language: str | None = None
    code: int | None = None
    class_key: str | None = None
    target: str | None = None
    """For an alias: the URL path it redirects to; for a comparison: the table's name."""


def plan_outputs(site: Site) -> dict[str, Output]:
    """Return every output file of the site, keyed by its path under ``_site/``."""
    config = site.config
    outputs: dict[str, Output] = {
        "index.html": Output("home"),
        "404.html": Output("404"),
        "sitemap.xml": Output("sitemap"),
        "robots.txt": Output("robots"),
        "api/codes.json": Output("api"),
        "api/v1/codes.json": Output("api-codes"),
        "api/v1/schema.json": Output("api-schema"),
    }
    for language in config.languages:
        outputs[urls.output_path(urls.language_url(config, language), config)] = Output("language", language.tag)
        features = config.features
        if features.search or features.sidebar or features.not_found_pages or features.copy_buttons:
            outputs[urls.output_path(urls.codes_url(config, language), config)] = Output("codes", language.tag)
        if features.not_found_pages:
            outputs[urls.output_path(urls.not_found_url(config, language), config)] = Output("404", language.tag)
        for class_key in class_keys(site):
            outputs[urls.output_path(urls.class_url(config, language, class_key), config)] = Output(
                "class", language.tag, class_key=class_key
            )
        for code in site.codes:
            outputs[urls.output_path(urls.page_url(config, language, code), config)] = Output("code", language.tag, code)
            if features.social_cards:
                outputs[urls.output_path(urls.card_url(config, language, code), config)] = Output("card", language.tag, code)
            outputs[api_page_path(language, code)] = Output("api-page", language.tag, code)
        if site.guides:
            outputs[urls.output_path(urls.guide_url(config, language), config)] = Output("guide", language.tag)
        for table in site.comparisons.tables:
            outputs[urls.output_path(urls.compare_url(config, language, table.name), config)] = Output(
                "compare", language.tag, target=table.name
            )
    return outputs


def api_page_path(language: Language, code: int) -> str:
    """Return the output path of one page's JSON in the API: ``api/v1/fr/307.json``."""
    return f"api/v1/{language.segment}/{code}.json"


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
            if not _ALIAS.fullmatch(alias):
                # _redirects and _nginx.conf hold it as it is: a space, a newline or a ';' there would add a rule
                problems.append(
                    Problem(
                        entry.page.source.path,
                        line,
                        f"alias {alias!r} is not a URL path",
                        hint="use letters, digits and - . _ ~ + % /; percent-encode anything else",
                    )
                )
            elif path is None:
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would leave the site folder"))
            elif clash := clashes(path):
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would overwrite another page ({clash})"))
            else:
                outputs[path] = Output("alias", tag, code, target=urls.page_url(config, entry.language, code))
    return outputs, problems
