"""``sitegen new``: start a page from the registry, or a translation from the source page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from sitegen.content.front_matter import decode, split_front_matter
from sitegen.content.limits import MAX_PAGE_BYTES
from sitegen.content.sources import read_source
from sitegen.content.versions import source_version_of
from sitegen.site.registry import load_registry, registry_spec

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.site.model import Config, Language


class AuthoringError(Exception):
    """The page cannot be created; the message says why."""


def page_path(config: Config, language: Language, code: int) -> Path:
    """Return the file of a code's page in a language."""
    return config.content_dir / language.segment / f"{code}.md"


def new_source_page(code: int) -> str:
    """Return a new page in the native format, prefilled from the registry."""
    entry = load_registry().get(code)
    spec = registry_spec(entry) if entry else None
    status = "unofficial"
    if entry:
        # the registry writes "(Unused)" and "Not Extended (OBSOLETED)"
        status = "unused" if "unused" in entry.name.lower() else "obsolete" if "obsolete" in entry.name.lower() else "standard"
    fields: dict[str, object] = {
        "code": code,
        "name": (entry.phrase or entry.name) if entry else "TODO reason phrase",
        "spec": spec.label if spec else "TODO RFC number and section, e.g. RFC 9110 §15.4.8",
        "overview": "TODO one sentence: what the code means.",
        "takeaways": ["TODO the first thing a reader should know."],
        "seeAlso": [],
        "status": status,
        **(
            {"sent_by": ["TODO the software that sends it"], "alternative": "TODO the standard code to use instead, or why there is none."}
            if status == "unofficial"
            else {}
        ),
        # like Hugo's archetypes: a new page is not published until its author says so
        "draft": True,
    }
    front_matter = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=None)
    body = "## When to use it\n\nTODO\n\n## Example\n\n```http\nHTTP/1.1 {code} {name}\n```\n".format(code=code, name=fields["name"])
    return f"---\n{front_matter}---\n\n{body}"


def _without_keys(front_matter: str, keys: tuple[str, ...]) -> str:
    """Return YAML text without the top-level ``keys`` and their indented values.

    Old URLs stay with the English page: a translation repeating them would clash.
    """
    kept: list[str] = []
    skipping = False
    for line in front_matter.split("\n"):
        if line and not line[0].isspace() and not line.startswith("- "):
            skipping = line.split(":", 1)[0].strip() in keys
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def new_translation(source_file: Path, source_path: str) -> str:
    """Return a translation skeleton: the source page, marked for translation and
    recording the version of the source it was made from."""
    raw, problems = read_source(source_file, source_path, MAX_PAGE_BYTES)
    if raw is None:
        raise AuthoringError(problems[0].format())
    text, problems = decode(raw, source_path)
    if text is None:
        raise AuthoringError(problems[0].format())
    front_matter, body, _, problems = split_front_matter(text, source_path)
    if problems:
        raise AuthoringError(problems[0].format())
    kept = _without_keys(front_matter, ("source_version", "draft", "aliases", "original_slug"))
    note = (
        f"# Translated from {source_path}: translate name, overview, takeaways, the titles in 'more'\n"
        "# and the body text; keep macros, code and examples as they are. source_version is the\n"
        "# version of the source page this translation follows (sitegen translations compares it).\n"
        "# Remove 'draft: true' when the translation is done: until then readers see the source page.\n"
    )
    return f"---\n{note}{kept}\nsource_version: {source_version_of(text)}\ndraft: true\n---\n{body}"


def create_page(config: Config, code: int, language: Language) -> Path:
    """Write the new page of ``code`` in ``language``; return its path. Never overwrites."""
    if not 100 <= code <= 599:
        raise AuthoringError(f"{code} is not a status code: expected 100-599")
    target = page_path(config, language, code)
    shown = config.shown(target)
    if target.exists():
        raise AuthoringError(f"{shown} already exists: refusing to overwrite it")
    if language.tag == config.source_language:
        text = new_source_page(code)
    else:
        source = page_path(config, config.source, code)
        source_shown = config.shown(source)
        if not source.exists():
            raise AuthoringError(f"no {source_shown} to translate from: create it first with 'sitegen new {code}'")
        text = new_translation(source, source_shown)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as file:
        file.write(text)
    return target
