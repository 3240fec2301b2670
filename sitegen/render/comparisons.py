"""Comparison pages (``/<lang>/compare/<name>/``), their list (``/<lang>/compare/``), and
the links to them on code and index pages.

A table's rows are its codes, its columns the facts it compares; every cell says the
fact's value in the reader's language and links to the spec section of that code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitegen.render.sharing import page_sharing
from sitegen.site import urls
from sitegen.site.registry import N_

if TYPE_CHECKING:
    from collections.abc import Callable

    from sitegen.content.comparisons import Comparison
    from sitegen.render.view_base import PageRenderer as Renderer
    from sitegen.site.model import Language
    from sitegen.site.resolve import Entry

COLUMNS = {
    "permanent": N_("Permanent"),
    "method_preserved": N_("Method and body kept"),
    "cacheable": N_("Cacheable by default"),
    "answered_by": N_("Answered by"),
    "required_header": N_("Header the response must carry"),
    "retry": N_("Trying again"),
    "retry_after": N_("Retry-After header"),
    "rejects": N_("What is rejected"),
}
"""The heading of each fact's column."""

VALUES: dict[tuple[str, object], str] = {
    ("permanent", True): N_("Yes"),
    ("permanent", False): N_("No"),
    ("method_preserved", True): N_("Yes"),
    ("method_preserved", False): N_("No"),
    ("method_preserved", "not-guaranteed"): N_("Not guaranteed (POST may become GET)"),
    ("cacheable", True): N_("Yes"),
    ("cacheable", False): N_("No"),
    ("cacheable", "never"): N_("No: must not be stored"),
    ("answered_by", "origin"): N_("The origin server"),
    ("answered_by", "intermediary"): N_("A proxy or gateway"),
    ("answered_by", "any"): N_("The origin server or a proxy"),
    ("retry", "later"): N_("The same request, later"),
    ("retry", "with-credentials"): N_("With credentials, in Authorization"),
    ("retry", "with-proxy-credentials"): N_("With proxy credentials, in Proxy-Authorization"),
    ("retry", "other-credentials"): N_("Not with the same credentials; other ones may work"),
    ("retry", "changed"): N_("Only after changing the request"),
    ("retry", "not-useful"): N_("Not useful unless something changes on the server"),
    ("retry_after", "must"): N_("Required"),
    ("retry_after", "should"): N_("Recommended (SHOULD)"),
    ("retry_after", "may"): N_("Allowed (MAY)"),
    ("retry_after", "none"): N_("Not defined"),
    ("rejects", "content-size"): N_("The size of the content"),
    ("rejects", "uri-length"): N_("The length of the URI"),
    ("rejects", "media-type"): N_("The media type or content coding"),
    ("rejects", "content-semantics"): N_("What the content asks (well-formed, but it cannot be processed)"),
    ("rejects", "header-size"): N_("The size of the header fields"),
    ("required_header", "none"): N_("None"),
}
"""What each value of a fact says (a header name is shown as it is)."""


def comparison_links(renderer: Renderer, language: Language, code: int) -> list[dict[str, Any]]:
    """Return the comparisons a code page links to: title, URL, language of the title."""
    comparisons = renderer.site.comparisons
    links = []
    for table in comparisons.of_code(code):
        text = comparisons.texts[(language.tag, table.name)]
        links.append(
            {
                "title": text.title,
                "url": urls.compare_url(renderer.config, language, table.name),
                "lang": None if text.translated else text.language,
            }
        )
    return links


def compared(renderer: Renderer, table: Comparison) -> list[tuple[int, Entry]]:
    """Return the codes a table compares that have a page, with their source-language entry
    (a code without one is left out of the table and of the list; check reports it)."""
    entries = renderer.site.entries
    source = renderer.config.source_language
    return [(code, entries[(source, code)]) for code in table.codes if (source, code) in entries]


def compare_link(renderer: Renderer, language: Language) -> str | None:
    """Return the URL of the list of comparison tables, linked from the index pages, if
    the site has any table."""
    return urls.compare_index_url(renderer.config, language) if renderer.site.comparisons.tables else None


def compare_index_context(renderer: Renderer, language: Language) -> dict[str, Any]:
    """Return the template context of the list of comparison tables of a language: each
    table's title and summary (in English, marked so, where not translated) and its codes."""
    config, comparisons = renderer.config, renderer.site.comparisons
    context = renderer._common(
        language,
        canonical=urls.absolute(config, urls.compare_index_url(config, language)),
        alternates=renderer._alternates(list(config.languages), lambda other: urls.compare_index_url(config, other)),
        switcher=renderer._switcher(language, lambda other: urls.compare_index_url(config, other)),
    )
    tables = []
    for table in comparisons.tables:
        text = comparisons.texts[(language.tag, table.name)]
        tables.append(
            {
                "title": text.title,
                "summary": text.summary,
                "url": urls.compare_url(config, language, table.name),
                "lang": None if text.translated else text.language,
                "codes": [renderer.code_summary(language, code) for code, _source in compared(renderer, table)],
            }
        )
    context["tables"] = tables
    gettext = renderer.translations[language.tag].gettext
    title = gettext("Codes compared side by side")
    context["sharing"] = page_sharing(
        renderer.config,
        language,
        gettext,
        renderer.og_locale,
        context,
        kind="website",
        schema_type="CollectionPage",
        title=title,
        description=gettext("Tables that set related status codes side by side, fact by fact, each fact linked to the specification."),
        trail=[(title, str(context["canonical"]))],
        translated=[other.tag for other in config.languages],
    )
    return context


def cell(gettext: Callable[[str], str], fact: str, value: object) -> dict[str, Any]:
    """Return what a cell shows for a fact's value."""
    label = VALUES.get((fact, value))
    if label is not None:
        return {"text": gettext(label), "code": False}
    return {"text": str(value), "code": True}  # a header name


def comparison_context(renderer: Renderer, language: Language, name: str) -> dict[str, Any]:
    """Return the template context of a comparison page."""
    config, site = renderer.config, renderer.site
    comparisons = site.comparisons
    table = next(table for table in comparisons.tables if table.name == name)
    text = comparisons.texts[(language.tag, name)]
    gettext = renderer.translations[language.tag].gettext
    translated = [other for other in config.languages if comparisons.texts[(other.tag, name)].translated]
    context = renderer._common(
        language,
        canonical=urls.absolute(config, urls.compare_url(config, language if text.translated else config.source, name)),
        alternates=renderer._alternates(translated, lambda other: urls.compare_url(config, other, name)) if text.translated else [],
        switcher=renderer._switcher(language, lambda other: urls.compare_url(config, other, name)),
    )
    rows = []
    for code, source in compared(renderer, table):
        spec_url = source.specs[0].url if source.specs else None
        summary = renderer.code_summary(language, code)
        rows.append(
            {
                **summary,
                "cells": [
                    {**cell(gettext, fact, source.page.facts[fact]), "url": spec_url}
                    if fact in source.page.facts
                    else {"text": "?", "code": False, "url": None}
                    for fact in table.facts
                ],
            }
        )
    content_language = config.language(text.language)
    context.update(
        {
            "comparison": {"title": text.title, "summary": text.summary, "intro": list(text.intro)},
            "columns": [gettext(COLUMNS[fact]) for fact in table.facts],
            "rows": rows,
            "translated": text.translated,
            "outdated": text.outdated,
            "content_lang": text.language if not text.translated else None,
            "language_name": renderer.language_name(language, language),
            "content_language_name": renderer.language_name(content_language, language),
            "reader_is_source": language.tag == config.source_language,
            "content_is_original": content_language.tag == config.source_language,
            "original_url": urls.compare_url(config, config.source, name),
            "others": [
                {
                    "title": comparisons.texts[(language.tag, other.name)].title,
                    "url": urls.compare_url(config, language, other.name),
                    "lang": None if comparisons.texts[(language.tag, other.name)].translated else config.source_language,
                }
                for other in comparisons.tables
                if other.name != name
            ],
        }
    )
    context["sharing"] = page_sharing(
        renderer.config,
        language,
        gettext,
        renderer.og_locale,
        context,
        kind="article",
        schema_type="WebPage",
        title=text.title,
        description=text.summary,
        trail=[
            (gettext("Compare"), urls.absolute(config, urls.compare_index_url(config, language))),
            (text.title, str(context["canonical"])),
        ],
        translated=[other.tag for other in translated],
    )
    return context
