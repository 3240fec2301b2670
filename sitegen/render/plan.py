"""Plan the site's outputs: which files the build writes and what each is made from."""

from __future__ import annotations

import unicodedata
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sitegen.site import urls
from sitegen.site.model import Problem
from sitegen.site.registry import status_class

if TYPE_CHECKING:
    from sitegen.site.model import Language
    from sitegen.site.resolve import Site

_AFTER_THE_PATH = {"?": "'?' (a query string)", "#": "'#' (a fragment)"}
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


@dataclass(frozen=True)
class Output:
    """One file of the built site and what it is made from."""

    kind: str
    """``code``, ``language``, ``class``, ``home``, ``404``, ``alias``, ``sitemap``, ``robots``, ``api`` (the
    unversioned ``/api/codes.json``), or ``api-codes``, ``api-page``, ``api-schema`` (``/api/v1/``),
    or ``codes`` (a language's codes and names, for the search box), ``card`` (a code's social card),
    ``guide``, ``compare`` (a comparison table) and ``compare-index`` (a language's list of them)."""
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
        if site.comparisons.tables:
            outputs[urls.output_path(urls.compare_index_url(config, language), config)] = Output("compare-index", language.tag)
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
            line = entry.page.source.line_of("aliases" if "aliases" in entry.page.source.field_lines else "original_slug")
            decoded, wrong = alias_path(alias)
            relative = decoded.strip("/") if decoded.startswith("/") else f"{entry.language.segment}/{decoded.strip('/')}"
            path = urls.safe_output_path(relative + "/index.html")
            if wrong:
                # _redirects and _nginx.conf encode and quote what they hold; this is what no URL path can be
                problems.append(
                    Problem(
                        entry.page.source.path,
                        line,
                        f"alias {alias!r} is not a URL path: it holds {wrong}",
                        hint="give the old URL's path only; spaces and accents are fine, as they are or percent-encoded",
                    )
                )
            elif path is None:
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would leave the site folder"))
            elif clash := clashes(path):
                problems.append(Problem(entry.page.source.path, line, f"alias {alias!r} would overwrite another page ({clash})"))
            else:
                outputs[path] = Output("alias", tag, code, target=urls.page_url(config, entry.language, code))
    return outputs, problems


def alias_path(alias: str) -> tuple[str, str | None]:
    """Return an alias as the path it names (percent-encoding decoded: ``/r%C3%A9ponse/`` is
    ``/réponse/``), and what in it cannot be part of a URL path, if anything.

    A space, a quote or a non-ASCII letter can (old sites had them): the hosting files encode
    and quote them. A line break or another control character, ``?``, ``#`` and a backslash
    cannot, nor a percent-encoded byte that is not UTF-8; ``%3F`` is a ``?`` of the path itself.
    """
    for character, meaning in _AFTER_THE_PATH.items():
        if character in alias:
            return alias, meaning
    try:
        decoded = unquote(alias, errors="strict")
    except UnicodeDecodeError:
        return alias, "a percent-encoded byte that is not UTF-8"
    for character in decoded:
        if character == "\\":
            return decoded, "a backslash"
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            kind = "a control character" if category == "Cc" else "an invisible character"
            if character in "\n\r\u2028\u2029\x85":
                kind = "a line break"
            return decoded, f"{kind} (U+{ord(character):04X})"
    return decoded, None
