"""Intro pages: ``content/<lang>/index.md`` introduces the language's home page,
``content/<lang>/1xx.md`` ... ``5xx.md`` each class page. They have a front matter
(``title``, ``overview``, ``source_version``, ``draft``) and a markdown body."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from sitegen.content.front_matter import decode, parse_yaml, split_front_matter
from sitegen.content.limits import MAX_PAGE_BYTES
from sitegen.content.load import top_files
from sitegen.content.sources import read_source
from sitegen.content.versions import source_version_of
from sitegen.site.model import INTRO_KEYS, Intro, Problem, Source, must_be

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.content.load import ContentListing
    from sitegen.site.model import Config

INTRO_FIELDS = ("title", "overview", "source_version", "draft")


def load_intro_text(text: str, path: str, language: str, key: str) -> tuple[Intro | None, list[Problem]]:
    """Return the intro written in ``text`` and the problems found in it."""
    front_matter, body, body_line, problems = split_front_matter(text, path)
    if problems:
        return None, problems
    fields, problems = parse_yaml(front_matter, path)
    if fields is None:
        return None, problems
    for name in fields.data:
        if name not in INTRO_FIELDS:
            close = difflib.get_close_matches(name, INTRO_FIELDS, n=1)
            fields.warn(
                name,
                f"unknown field '{name}' in an intro page (it has {', '.join(INTRO_FIELDS)})",
                f"did you mean '{close[0]}'?" if close else None,
            )
    title = fields.text("title")
    overview = fields.text("overview")
    source_version = fields.text("source_version")
    draft = fields.data.get("draft", False)
    if not isinstance(draft, bool):
        fields.error("draft", must_be("'draft'", "true or false", draft))
    if not body.strip():
        fields.warn(None, "the intro has no text under its front matter", "write a few paragraphs for readers")
    if any(problem.severity == "error" for problem in fields.problems):
        return None, fields.problems
    intro = Intro(
        source=Source(path, 1, body_line, dict(fields.lines), source_version_of(text), text),
        language=language,
        key=key,
        title=title or None,
        overview=overview or "",
        body=body,
        source_version=source_version,
        draft=bool(draft),
    )
    return intro, fields.problems


def load_intro_file(file: Path, config: Config, language: str) -> tuple[Intro | None, list[Problem]]:
    """Return the intro in one file."""
    path = config.shown(file)
    raw, problems = read_source(file, path, MAX_PAGE_BYTES)
    if raw is None:
        return None, problems
    return load_intro_bytes(raw, path, language, file.stem)


def load_intro_bytes(raw: bytes, path: str, language: str, key: str) -> tuple[Intro | None, list[Problem]]:
    """Return the intro in the bytes of a file, and the problems found in it."""
    text, problems = decode(raw, path)
    if text is None:
        return None, problems
    return load_intro_text(text, path, language, key)


def intro_files(config: Config, listing: ContentListing | None = None) -> list[tuple[str, Path]]:
    """Return every (language tag, intro file), in a stable order (from ``listing``, the
    build's listing of ``content/``, if given)."""
    files = []
    for tag, top in top_files(config, listing).items():
        found = {file.name: file for file in top}
        files += [(tag, found[f"{key}.md"]) for key in INTRO_KEYS if f"{key}.md" in found]
    return files


def load_intros(config: Config) -> tuple[list[Intro], list[Problem]]:
    """Return every intro page under ``content/`` and the problems met reading them."""
    intros: list[Intro] = []
    problems: list[Problem] = []
    for tag, file in intro_files(config):
        intro, found = load_intro_file(file, config, tag)
        problems.extend(found)
        if intro is not None:
            intros.append(intro)
    return intros, problems
