"""Navigation views: previous and next codes, the code grid, the language switcher's form,
the root page's language suggestion, "Edit this page" and "Last updated".

Pure: each function takes the site (or its languages) and returns what a template shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sitegen.site import urls
from sitegen.site.registry import N_

if TYPE_CHECKING:
    from sitegen.site.model import Config, Language
    from sitegen.site.resolve import Site

SWITCHER_WIDTH = 328
"""Pixels the language list may take in the header at 360 px (the viewport less its padding)."""
CHARACTER_WIDTH = 8.8
"""Average width of a character of a language's name, in pixels (system-ui at 16 px)."""
LINK_GAP = 16
"""Pixels between two links of the list (1rem)."""
MAX_LISTED = 3
"""More languages than this always make a menu."""

SUGGESTION = N_("This site is available in your language.")
SUGGESTION_DISMISS = N_("No, thanks")
SEARCH_MESSAGES = {
    "searching": N_("Searching…"),
    "none": N_("No results"),
    "one": N_("{n} result"),
    "other": N_("{n} results"),
    "unavailable": N_("Search is not available: the index has not been built."),
}
"""What the search box says once the reader types: sent in ``/<lang>/codes.json``, which
the box fetches then, rather than in every page."""
COPY_MESSAGES = {
    "copy": N_("Copy"),
    "copied": N_("Copied"),
    "copy_link": N_("Copy a link to this section"),
    "link_copied": N_("Link copied"),
}
"""What the copy buttons say: sent in ``/<lang>/codes.json`` too (a code page weighs 30 KB at
most; the buttons are made once the script has it)."""
PYTHON_MESSAGES = (SUGGESTION, SUGGESTION_DISMISS, *SEARCH_MESSAGES.values(), *COPY_MESSAGES.values())
"""The strings this module translates."""


def switcher_is_menu(languages: tuple[Language, ...]) -> bool:
    """Return whether the switcher is a ``<details>`` menu rather than a list of links: with more
    than three languages, or when their names would not fit on one line at 360 px."""
    width = sum(len(language.name) * CHARACTER_WIDTH for language in languages) + LINK_GAP * (len(languages) - 1)
    return len(languages) > MAX_LISTED or width > SWITCHER_WIDTH


def neighbours(site: Site, code: int) -> tuple[int | None, int | None]:
    """Return the codes before and after ``code`` in the site, if any."""
    codes = list(site.codes)
    index = codes.index(code)
    return (codes[index - 1] if index > 0 else None), (codes[index + 1] if index + 1 < len(codes) else None)


def grid_view(site: Site, language: Language) -> list[dict[str, Any]]:
    """Return every code as the compact grid lists it: number, name in the reader's language, URL."""
    config = site.config
    items = []
    for code in site.codes:
        entry = site.entry(language, code)
        items.append(
            {
                "code": code,
                "name": entry.page.name,
                "url": urls.page_url(config, language, code),
                "lang": entry.content_language if entry.content_language != language.tag else None,
            }
        )
    return items


def suggestions(config: Config, gettext_of: Mapping[str, Callable[[str], str]]) -> dict[str, dict[str, str]]:
    """Return, per language tag, how the root page suggests that language, in that language."""
    result = {}
    for language in config.languages:
        gettext = gettext_of[language.tag]
        result[language.tag] = {
            "segment": language.segment,
            "name": language.name,
            "url": urls.language_url(config, language),
            "text": gettext(SUGGESTION),
            "no": gettext(SUGGESTION_DISMISS),
        }
    return result


def edit_url(config: Config, path: str) -> str | None:
    """Return where the source file at ``path`` (``content/fr/307.md``) is edited: ``edit_url``
    with the path in it, or the edit page of a GitHub or GitLab ``repository`` (branch main)."""
    if config.edit_url:
        return config.edit_url.replace("{path}", path)
    repository = (config.repository_url or "").rstrip("/")
    host = urlsplit(repository).netloc.lower()
    if host == "github.com":
        return f"{repository}/edit/main/{path}"
    if host == "gitlab.com":
        return f"{repository}/-/edit/main/{path}"
    return None


def format_day(day: datetime.date, language: Language) -> str:
    """Return a date as the reader's locale writes it: "6 December 2026", "6 décembre 2026"."""
    import babel
    import babel.dates

    try:
        return str(babel.dates.format_date(day, format="long", locale=babel.Locale.parse(language.tag, sep="-")))
    except (ValueError, babel.UnknownLocaleError):
        return day.isoformat()
