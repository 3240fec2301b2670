"""YAML data files of a language folder (``compare.yaml``, ``guide.yaml``): read with the
line of every node, so that a problem in them points at its line like one in a page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.content.front_matter import content_digest, decode
from sitegen.content.limits import MAX_PAGE_BYTES
from sitegen.content.load import language_folders
from sitegen.content.sources import read_checked
from sitegen.site.model import Problem

if TYPE_CHECKING:
    import yaml

    from sitegen.site.model import Config


@dataclass(frozen=True, slots=True)
class DataFile:
    """One language's copy of a data file."""

    path: str
    language: str
    data: Any
    node: yaml.Node
    digest: str
    """The version a translation of this file records as ``source_version``."""


def line_of(node: yaml.Node | None, fallback: int = 1) -> int:
    """Return the 1-based line a node starts on."""
    return node.start_mark.line + 1 if node is not None else fallback


def value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """Return the value node of ``key`` in a mapping node."""
    import yaml  # imported where YAML is looked at: a build that reads nothing never loads it

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key_node, value in node.value if str(key_node.value) == key), None)


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """Return the item nodes of a sequence node (none for anything else)."""
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def read_data_file(text: str, path: str, language: str) -> tuple[DataFile | None, list[Problem]]:
    """Return the YAML mapping written in ``text``, with its nodes."""
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
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 1, "this file is a mapping of 'key: value' lines")]
    return DataFile(path, language, data, node, content_digest(text)), []


def load_data_files(config: Config, name: str) -> tuple[list[DataFile], list[Problem]]:
    """Return every language's ``content/<lang>/<name>``, source language first."""
    folders, _problems = language_folders(config)  # content_files reports these
    files: list[DataFile] = []
    problems: list[Problem] = []
    for language in config.languages:
        folder = folders.get(language.tag)
        if folder is None or not os.path.lexists(folder / name):
            continue
        path = config.shown(folder / name)
        raw, found = read_checked(folder / name, config, MAX_PAGE_BYTES)  # a link out, a pipe: refused
        problems.extend(found)
        if raw is None:
            continue
        text, found = decode(raw, path)
        problems.extend(found)
        if text is None:
            continue
        file, found = read_data_file(text, path, language.tag)
        problems.extend(found)
        if file is not None:
            files.append(file)
    return files, problems


TRANSLATED_FILES = ("compare.yaml", "guide.yaml")
"""The data files translated like pages: a translation records the source's ``source_version``."""


def data_file_status(config: Config) -> dict[str, dict[str, tuple[str, str]]]:
    """Return, per language other than the source, each translated data file's state
    (``missing``, ``outdated``, ``untracked`` or ``current``) and the version to record."""
    status: dict[str, dict[str, tuple[str, str]]] = {language.tag: {} for language in config.languages[1:]}
    for name in TRANSLATED_FILES:
        files, _problems = load_data_files(config, name)  # check reports these
        source = next((file for file in files if file.language == config.source_language), None)
        if source is None:
            continue
        own = {file.language: file for file in files}
        for tag in status:
            file = own.get(tag)
            version = file.data.get("source_version") if file is not None else None
            if file is None:
                state = "missing"
            elif version is None:
                state = "untracked"
            else:
                state = "current" if str(version) == source.digest else "outdated"
            status[tag][name] = (state, source.digest)
    return status
