"""Comparison tables: ``content/<lang>/compare.yaml``.

The source language's file says which codes each table compares and by which facts; every
language's file gives the tables' words (title, summary, intro), and a translation records
the ``source_version`` it follows, as pages do. The facts themselves come from the pages
(:func:`sitegen.site.facts_check.check_facts`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitegen.content.data_files import DataFile, items, line_of, load_data_files, value_node
from sitegen.content.facts import FACT_CHOICES, HEADER_FACTS
from sitegen.site.model import Problem

if TYPE_CHECKING:
    import yaml

    from sitegen.site.model import Config

COMPARE_FILE = "compare.yaml"
COMPARED_FACTS = ("permanent", "method_preserved", "cacheable", *FACT_CHOICES, *HEADER_FACTS)
"""The facts a table can compare (``status`` is not one)."""
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SPACES = re.compile(r"[ \t\n\r]+")


@dataclass(frozen=True, slots=True)
class Comparison:
    """One table, as the source language defines it."""

    name: str
    """The URL segment: ``redirects`` for ``/<lang>/compare/redirects/``."""
    codes: tuple[int, ...]
    facts: tuple[str, ...]
    path: str
    line: int
    """Line of the table's entry in the source file."""


@dataclass(frozen=True, slots=True)
class ComparisonText:
    """A table's words in one language."""

    language: str
    title: str
    summary: str
    """One sentence: the page's meta description, and the link's text on code pages."""
    intro: tuple[str, ...]
    """Paragraphs of plain text."""
    translated: bool = True
    """``False`` where a language shows the source language's words."""
    outdated: bool = False


@dataclass(frozen=True, slots=True)
class Comparisons:
    """Every table, and its words in every language (with source-language fallbacks)."""

    tables: tuple[Comparison, ...] = ()
    texts: Mapping[tuple[str, str], ComparisonText] = field(default_factory=dict)
    """Keyed by (language tag, table name)."""

    def of_code(self, code: int) -> tuple[Comparison, ...]:
        """Return the tables that compare ``code``."""
        return tuple(table for table in self.tables if code in table.codes)


def squeeze(text: str) -> str:
    """Return ``text`` on one line; no-break spaces (French typography) are kept."""
    return _SPACES.sub(" ", text).strip(" \t\n\r")


def _text(value: Any) -> str | None:
    return squeeze(str(value)) if isinstance(value, (str, int, float)) and squeeze(str(value)) else None


def _words(item: dict[str, Any], node: yaml.Node, path: str, problems: list[Problem]) -> dict[str, Any] | None:
    words: dict[str, Any] = {}
    for key in ("title", "summary", "intro"):
        value = item.get(key)
        if key == "intro" and isinstance(value, str):
            words[key] = tuple(paragraph for part in value.split("\n\n") if (paragraph := squeeze(part)))
        elif (text := _text(value)) is not None:
            words[key] = text
        if not words.get(key):
            problems.append(Problem(path, line_of(node), f"a comparison needs '{key}' (text)"))
            return None
    return words


def _table(item: dict[str, Any], node: yaml.Node, path: str, problems: list[Problem]) -> Comparison | None:
    codes, facts = item.get("codes"), item.get("facts")
    if not isinstance(codes, list) or len(codes) < 2 or not all(isinstance(code, int) and 100 <= code <= 599 for code in codes):
        problems.append(Problem(path, line_of(value_node(node, "codes"), line_of(node)), "'codes' lists two status codes or more"))
        return None
    if not isinstance(facts, list) or not facts:
        problems.append(Problem(path, line_of(value_node(node, "facts"), line_of(node)), "'facts' lists the facts to compare"))
        return None
    for fact in facts:
        if fact not in COMPARED_FACTS:
            line = line_of(value_node(node, "facts"), line_of(node))
            problems.append(Problem(path, line, f"unknown fact {fact!r} (facts: {', '.join(COMPARED_FACTS)})"))
            return None
    return Comparison(str(item["name"]), tuple(codes), tuple(facts), path, line_of(node))


def _entries(file: DataFile, problems: list[Problem]) -> list[tuple[dict[str, Any], yaml.Node]]:
    value, node = file.data.get("comparisons"), value_node(file.node, "comparisons")
    if not isinstance(value, list) or node is None:
        problems.append(Problem(file.path, 1, "'comparisons' lists the tables", hint="start each with '- name: redirects'"))
        return []
    entries = []
    for item, item_node in zip(value, items(node), strict=False):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not _NAME.match(item["name"]):
            problems.append(Problem(file.path, line_of(item_node), "each comparison starts with 'name:' (lower-case words and dashes)"))
            continue
        entries.append((item, item_node))
    return entries


def load_comparisons(config: Config) -> tuple[Comparisons, list[Problem]]:
    """Return the comparison tables of the site and the problems found in their files."""
    files, problems = load_data_files(config, COMPARE_FILE)
    source = next((file for file in files if file.language == config.source_language), None)
    if source is None:
        problems += [Problem(file.path, 1, f"no {config.source.segment}/{COMPARE_FILE} to translate", "warning") for file in files]
        return Comparisons(), problems
    tables: list[Comparison] = []
    texts: dict[tuple[str, str], ComparisonText] = {}
    for item, node in _entries(source, problems):
        table, words = _table(item, node, source.path, problems), _words(item, node, source.path, problems)
        if table is not None and words is not None:
            tables.append(table)
            texts[(source.language, table.name)] = ComparisonText(source.language, **words)
    by_name = {table.name: table for table in tables}
    for file in files:
        if file is source:
            continue
        version = file.data.get("source_version")
        if version is None:
            problems.append(Problem(file.path, 1, "a translation records the source_version it follows", "warning"))
        outdated = version is not None and str(version) != source.digest
        for item, node in _entries(file, problems):
            table = by_name.get(item["name"])
            if table is None:
                problems.append(Problem(file.path, line_of(node), f"no comparison {item['name']!r} in {source.path}", "warning"))
                continue
            for key, value in (("codes", list(table.codes)), ("facts", list(table.facts))):
                if key in item and item[key] != value:
                    line = line_of(value_node(node, key), line_of(node))
                    message = f"'{key}' differs from {source.path}:{table.line}: leave it out of translations"
                    problems.append(Problem(file.path, line, message))
            words = _words(item, node, file.path, problems)
            if words is not None:
                texts[(file.language, table.name)] = ComparisonText(file.language, **words, outdated=outdated)
    for language in config.languages:
        for table in tables:
            if (language.tag, table.name) not in texts:
                fallback = texts[(source.language, table.name)]
                texts[(language.tag, table.name)] = ComparisonText(
                    fallback.language, fallback.title, fallback.summary, fallback.intro, translated=False
                )
    return Comparisons(tuple(tables), texts), problems
