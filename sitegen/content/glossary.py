"""``content/<lang>/glossary.yaml``: the terms of a language, ``[{use, avoid, note}]``.

``check`` warns when a page of that language uses a term to avoid (see
:mod:`sitegen.site.wording`). The file is data, not a page.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from sitegen.content.front_matter import decode
from sitegen.content.load import top_files
from sitegen.site.model import Glossary, GlossaryTerm, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import yaml

    from sitegen.content.load import ContentListing
    from sitegen.site.model import Config

GLOSSARY_FILE = "glossary.yaml"
ENTRY_KEYS = ("use", "avoid", "note")


def _value_node(node: yaml.Node, key: str) -> yaml.Node | None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key_node, value in node.value if str(key_node.value) == key), None)


def _entry(item: Any, node: yaml.Node, path: str, problems: list[Problem]) -> GlossaryTerm | None:
    line = node.start_mark.line + 1
    if not isinstance(item, dict):
        problems.append(Problem(path, line, "each glossary entry is a mapping {use, avoid, note}", hint="start it with '- use: '"))
        return None
    for extra in sorted(str(name) for name in item if name not in ENTRY_KEYS):
        problems.append(Problem(path, line, f"unknown key '{extra}' in a glossary entry (it has use, avoid, note)", "warning"))
    use = item.get("use")
    if not isinstance(use, str) or not use.strip():
        problems.append(Problem(path, line, "a glossary entry needs 'use': the term to write", hint="use: point de terminaison"))
        return None
    avoid = item.get("avoid", [])
    avoid_items = avoid if isinstance(avoid, list) else [avoid]
    avoid_line = (node_avoid.start_mark.line + 1) if (node_avoid := _value_node(node, "avoid")) else line
    if not avoid_items or any(not isinstance(term, str) or not term.strip() for term in avoid_items):
        problems.append(
            Problem(path, avoid_line, f"'avoid' must list the terms to avoid instead of {use.strip()!r}", hint="avoid: [endpoint]")
        )
        return None
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        problems.append(Problem(path, line, "'note' must be text: why the term is preferred"))
        return None
    return GlossaryTerm(use.strip(), tuple(term.strip() for term in avoid_items), note.strip() if note else None, line)


@functools.lru_cache(maxsize=64)
def read_glossary(text: str, path: str, language: str) -> tuple[Glossary | None, tuple[Problem, ...]]:
    """Return the glossary written in ``text`` and the problems found in it (remembered:
    the dev server reads the glossaries on every save, and YAML is slow to parse)."""
    glossary, problems = _read_glossary(text, path, language)
    return glossary, tuple(problems)


def _read_glossary(text: str, path: str, language: str) -> tuple[Glossary | None, list[Problem]]:
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return None, [Problem(path, mark.line + 1 if mark else 1, f"invalid YAML: {error.problem or error.context}")]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        return None, [Problem(path, 1, f"invalid YAML: {error}")]
    finally:
        loader.dispose()
    if data is None:
        return Glossary(path, language, ()), []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        return None, [Problem(path, 1, "a glossary is a list of {use, avoid, note} entries", hint="start each entry with '- use: '")]
    problems: list[Problem] = []
    terms = [term for item, item_node in zip(data, node.value, strict=True) if (term := _entry(item, item_node, path, problems))]
    return Glossary(path, language, tuple(terms)), problems


def glossary_files(config: Config, listing: ContentListing | None = None) -> Iterator[tuple[str, Path]]:
    """Yield (language tag, file) of every language folder that holds a glossary (from
    ``listing``, the build's listing of ``content/``, if given)."""
    for tag, top in top_files(config, listing).items():
        file = next((file for file in top if file.name == GLOSSARY_FILE), None)
        if file is not None:  # content_files reports a glossary that is a link out of the project, or a pipe
            yield tag, file


def glossary_of_bytes(raw: bytes, path: str, language: str) -> tuple[Glossary | None, list[Problem]]:
    """Return the glossary in the bytes of a file, and the problems found in it."""
    text, problems = decode(raw, path)
    if text is None:
        return None, problems
    glossary, found = read_glossary(text, path, language)
    return glossary, [*problems, *found]
