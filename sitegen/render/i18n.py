"""UI strings: per-language gettext catalogs (``locales/<locale>/LC_MESSAGES/messages.po``).

Catalogs are read with Babel and compiled in memory, so translators edit ``.po`` files
only and no compiled ``.mo`` file is ever committed or stale. The compiled catalog is
what the engine caches; :func:`translations_of` turns it into gettext translations with
the standard library alone.
"""

from __future__ import annotations

import gettext
import io
import os
from typing import TYPE_CHECKING

from sitegen.content.sources import read_checked
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from babel.messages.catalog import Catalog

    from sitegen.site.model import Config, Language

DOMAIN = "messages"


class NoCatalog(gettext.NullTranslations):
    """The translations of a language without a usable catalog: every string in English."""

    def __init__(self) -> None:
        super().__init__()
        self._catalog: dict[str, str] = {}


def translations_of(compiled: bytes | None) -> gettext.NullTranslations:
    """Return the gettext translations of a compiled catalog (``None``: no catalog)."""
    if compiled is None:
        return NoCatalog()
    return gettext.GNUTranslations(io.BytesIO(compiled))


def locale_name(language: Language) -> str:
    """Return the gettext locale of a language: ``pt_BR`` for ``pt-BR``."""
    return language.tag.replace("-", "_")


def catalog_path(config: Config, language: Language) -> Path:
    """Return the ``.po`` file holding a language's UI strings."""
    return config.locales_dir / locale_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(
    config: Config, language: Language, raw: bytes | None, unread: Sequence[Problem] = ()
) -> tuple[bytes | None, list[Problem]]:
    """Return a language's catalog compiled (``None`` if it has none), and its problems.

    ``raw`` is the ``.po`` file's bytes, ``None`` when it does not exist or cannot be read
    (``unread`` says why). A missing catalog or a missing string falls back to the English
    text in the templates; both are reported as warnings.
    """
    path = catalog_path(config, language)
    if unread:
        return None, list(unread)
    if raw is None:
        if language.tag == config.source_language:
            return None, []
        warning = Problem(
            config.shown(path),
            None,
            f"no UI catalog for {language.tag}: its UI strings are shown in English",
            "warning",
            "run 'make i18n' to create it",
        )
        return None, [warning]
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(raw), locale=locale_name(language), abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as error:
        return None, [Problem(config.shown(path), None, f"cannot read the catalog: {error}")]
    problems = []
    if language.tag != config.source_language:
        problems += _untranslated(catalog, config.shown(path), language)
    for message in catalog:
        if message.id and (not message.string or message.fuzzy):
            # in the catalog, not translated yet: the English text stands in, and the
            # string is known to be there (check_catalogs does not call it missing)
            message.string = message.id
            message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue(), problems


def read_catalog_file(config: Config, path: Path) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a catalog file: ``None`` and no problem if there is none,
    ``None`` and why if it is not read (a link out of the project, a pipe)."""
    if not os.path.lexists(path):
        return None, []
    return read_checked(path, config)


def load_translations(config: Config) -> tuple[dict[str, gettext.NullTranslations], list[Problem]]:
    """Return the UI translations of every language, and the catalogs' problems."""
    translations: dict[str, gettext.NullTranslations] = {}
    problems: list[Problem] = []
    for language in config.languages:
        raw, unread = read_catalog_file(config, catalog_path(config, language))
        compiled, found = read_catalog(config, language, raw, unread)
        translations[language.tag] = translations_of(compiled)
        problems.extend(found)
    return translations, problems


FOLD_AFTER = 3
"""More untranslated strings than this in one catalog are one problem, not one each."""


def _untranslated(catalog: Catalog, path: str, language: Language) -> list[Problem]:
    """Return the untranslated and fuzzy strings of a catalog: each with its line, or one
    problem for a catalog that is mostly still to translate (a new language)."""
    waiting = [message for message in catalog if message.id and (not message.string or message.fuzzy)]
    if len(waiting) > FOLD_AFTER:
        return [
            Problem(
                path,
                None,
                f"{language.tag}: {len(waiting)} UI strings to translate",
                "warning",
                "until then they are shown in English; Poedit, Weblate or any gettext tool opens this file",
            )
        ]
    problems = []
    for message in waiting:
        state = "fuzzy" if message.fuzzy and message.string else "untranslated"
        problems.append(Problem(path, message.lineno or None, f"{state} UI string {message.id!r}: shown in English", "warning"))
    return problems


def check_catalogs(translations: Mapping[str, gettext.NullTranslations], messages: Mapping[str, str], config: Config) -> list[Problem]:
    """Return a warning for each UI string a catalog lacks (``make i18n`` adds it)."""
    problems = []
    for language in config.languages:
        catalog = getattr(translations.get(language.tag), "_catalog", None)
        if language.tag == config.source_language or catalog is None or not catalog_path(config, language).exists():
            continue  # the source language needs no catalog; a missing one is one problem, reported on load
        for message, where in sorted(messages.items()):
            if message not in catalog:
                problems.append(
                    Problem(
                        config.shown(catalog_path(config, language)),
                        None,
                        f"UI string {message!r} ({where}) is not in the catalog: shown in English",
                        "warning",
                        "run 'make i18n', then translate it",
                    )
                )
    return problems
