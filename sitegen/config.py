"""Read and check the site configuration: ``sitegen.toml``, or ``[tool.sitegen]`` in
``pyproject.toml``.

The site's own file keeps the configuration apart from the package's: editing it never
makes ``make build`` reinstall anything. A ``[tool.sitegen]`` table in ``pyproject.toml``
is still read where there is no ``sitegen.toml``.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from sitegen.content.raw_html import RAW_HTML_MODES
from sitegen.site.model import Config, Features, Language, Problem, must_be
from sitegen.site.urls import checked_base_url, url_problem

CONFIG_FILE = "sitegen.toml"
"""The site's configuration file, at the project root."""
PYPROJECT = "pyproject.toml"
"""Read instead, from its ``[tool.sitegen]`` table, where there is no ``sitegen.toml``."""
TOP_KEYS = {
    "title": "site title in the source language",
    "base_url": "absolute URL the site is published at",
    "source_language": "tag of the source language",
    "languages": "list of languages",
    "content": "content folder",
    "templates": "templates folder",
    "static": "static files folder",
    "locales": "UI string catalogs folder",
    "output": "output folder",
    "repository": "URL of the source repository, for translators",
    "precompress": "write a .gz and a .br copy beside each text file (true or false)",
    "edit_url": "URL of a page's source for 'Edit this page', with {path} (default: from a GitHub or GitLab repository)",
    "french_typography": "languages whose pages follow French typography (default: the French ones)",
    "raw_html": "raw HTML in pages: allow, warn or deny",
    "cache": "build cache folder, or 'xdg' for the XDG cache folder",
    "features": "table of reader features, each true or false",
}
LANGUAGE_KEYS = {"tag", "name", "segment", "dir", "title", "mdn", "draft", "disabled"}
_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SEGMENTS = {"api", "static"}
"""URL segments the site uses for itself."""
_BCP47 = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")


def _line_of(text: str, key: str, start: int = 0) -> int | None:
    """Return the line that assigns ``key`` in TOML text, at or after line ``start``,
    within the table that line is in."""
    lines = text.split("\n")
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(start, len(lines)):
        if number > start and lines[number].lstrip().startswith("["):
            break
        if pattern.match(lines[number]):
            return number + 1
    return None


def config_file(root: Path) -> str:
    """Return the name of the configuration file of the project at ``root``."""
    return CONFIG_FILE if (root / CONFIG_FILE).is_file() or not (root / PYPROJECT).is_file() else PYPROJECT


def is_project(folder: Path) -> bool:
    """Return whether ``folder`` is a sitegen project root: ``sitegen.toml``, or ``pyproject.toml`` with ``[tool.sitegen]``."""
    if (folder / CONFIG_FILE).is_file():
        return True
    try:
        text = (folder / PYPROJECT).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\[?\s*tool\.sitegen[\].]", text, re.MULTILINE) is not None


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` that is a project root, as git finds its repository."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_project(folder)), None)


def key_line(root: Path, key: str) -> int | None:
    """Return the line of ``key`` in the configuration of the project at ``root``, if it is there."""
    try:
        text = (root / config_file(root)).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _line_of(text, key, _sitegen_start(text))


def _table_start(text: str, name: str) -> int | None:
    """Return the 0-based line of a ``[name]`` table header, if there is one."""
    for number, line in enumerate(text.split("\n")):
        if re.match(rf"^\s*\[\s*{re.escape(name)}\s*\]", line):
            return number
    return None


def load_features(settings: dict[str, Any], text: str, top: int, file_name: str = CONFIG_FILE) -> tuple[Features, list[Problem]]:
    """Return the reader features of ``[features]`` (``[tool.sitegen.features]`` in pyproject.toml):
    every one on unless turned off."""
    table = settings.get("features", {})
    start = _table_start(text, "tool.sitegen.features" if file_name == PYPROJECT else "features")
    line = (start + 1) if start is not None else _line_of(text, "features", top)
    if not isinstance(table, dict):
        return Features(), [Problem(file_name, line, "'features' must be a table: [features]")]
    known = {item.name: item.default for item in dataclasses.fields(Features)}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = _line_of(text, key, start) if start is not None else line
        if key not in known:
            problems.append(_unknown(key, dict.fromkeys(known, ""), file_name, where))
        elif not isinstance(value, bool):
            problems.append(Problem(file_name, where, must_be(f"features.{key}", "true or false", value)))
        else:
            values[key] = value
    return Features(**values), problems


def _language_starts(text: str) -> list[int]:
    """Return the 0-based line of each ``[[tool.sitegen.languages]]`` header."""
    return [number for number, line in enumerate(text.split("\n")) if re.match(r"^\s*\[\[\s*(?:tool\.sitegen\.)?languages\s*\]\]", line)]


def _sitegen_start(text: str) -> int:
    """Return the 0-based line of the ``[tool.sitegen]`` header (0 if there is none)."""
    for number, line in enumerate(text.split("\n")):
        if re.match(r"^\s*\[\s*tool\.sitegen\s*\]", line):
            return number
    return 0


def _unknown(key: str, known: set[str] | dict[str, str], path: str, line: int | None) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    return Problem(
        path,
        line,
        f"unknown configuration key '{key}'",
        "warning",
        f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}",
    )


def _french_typography(
    settings: dict[str, Any], languages: list[Language], text: str, top: int, problems: list[Problem], file_name: str = CONFIG_FILE
) -> tuple[str, ...]:
    """Return the tags of the languages held to French typography: as configured, or the French ones."""
    value = settings.get("french_typography")
    if value is None:
        return tuple(language.tag for language in languages if language.tag.lower().split("-")[0] == "fr")
    line = _line_of(text, "french_typography", top)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(Problem(file_name, line, "'french_typography' must be a list of language tags such as [\"fr\"] ([] turns it off)"))
        return ()
    tags = []
    for item in value:
        language = next((language for language in languages if item.lower() in (language.tag.lower(), language.segment)), None)
        if language is None:
            problems.append(Problem(file_name, line, f"french_typography: '{item}' is not a configured language", "warning"))
        else:
            tags.append(language.tag)
    return tuple(tags)


def load_config(root: Path, overrides: dict[str, Any] | None = None, drafts: bool = False) -> tuple[Config | None, list[Problem]]:
    """Return the configuration of the project at ``root`` and any problems in it.

    ``drafts`` builds draft pages and draft languages too, for preview (``--drafts``).
    """
    file_name = config_file(root)
    path = root / file_name
    table = "[tool.sitegen]" if file_name == PYPROJECT else file_name
    problems: list[Problem] = []
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return None, [
            Problem(
                CONFIG_FILE,
                None,
                f"no {CONFIG_FILE} (or {PYPROJECT} with [tool.sitegen]) in {root} or any folder above it: is this a sitegen project?",
            )
        ]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line_match = re.search(r"line (\d+)", str(error))
        line = int(line_match.group(1)) if line_match else None
        return None, [Problem(file_name, line, f"invalid TOML: {error}")]
    except OSError as error:
        return None, [Problem(file_name, None, f"cannot read {path}: {error.strerror or error}")]
    if file_name == PYPROJECT:
        tool = data.get("tool", {})
        settings = tool.get("sitegen", {}) if isinstance(tool, dict) else None
    else:
        settings = data
    if not isinstance(settings, dict):
        return None, [Problem(file_name, None, "[tool.sitegen] must be a table")]
    settings = {**settings, **(overrides or {})}
    if not settings:
        return None, [Problem(file_name, None, f"no [tool.sitegen] section (or a {CONFIG_FILE})")]
    top = _sitegen_start(text) if file_name == PYPROJECT else 0

    for key in settings:
        if key not in TOP_KEYS:
            problems.append(_unknown(key, TOP_KEYS, file_name, _line_of(text, key, top)))

    entries = settings.get("languages") or []
    if not isinstance(entries, list):
        return None, [
            *problems,
            Problem(file_name, _line_of(text, "languages", top), "'languages' must be a list of [[languages]] tables"),
        ]
    starts = _language_starts(text)
    languages: list[Language] = []
    hidden: list[str] = []
    for index, entry in enumerate(entries):
        start = starts[index] if index < len(starts) else top
        if not isinstance(entry, dict) or not isinstance(entry.get("tag"), str):
            problems.append(Problem(file_name, start + 1, f"languages[{index}]: expected a table with a 'tag'"))
            continue
        for key in entry:
            if key not in LANGUAGE_KEYS:
                problems.append(_unknown(key, LANGUAGE_KEYS, file_name, _line_of(text, key, start)))
        tag = entry["tag"]
        if not _BCP47.match(tag):
            problems.append(Problem(file_name, _line_of(text, "tag", start), f"'{tag}' is not a BCP 47 tag such as 'pt-BR'"))
            continue
        segment = str(entry.get("segment", tag.lower()))
        if not _SEGMENT.match(segment) or segment in RESERVED_SEGMENTS:
            problems.append(
                Problem(
                    file_name,
                    _line_of(text, "segment", start) or _line_of(text, "tag", start),
                    f"'{segment}' cannot be a URL segment",
                    hint=f"use lower-case letters, digits and '-', not {', '.join(sorted(RESERVED_SEGMENTS))}",
                )
            )
            continue
        clash = next((other for other in languages if segment == other.segment or tag.lower() == other.tag.lower()), None)
        if clash is not None:
            problems.append(
                Problem(
                    file_name,
                    _line_of(text, "tag", start),
                    f"language '{tag}' ({segment}) has the tag or URL segment of '{clash.tag}' ({clash.segment})",
                )
            )
            continue
        held_back = False
        for flag in ("draft", "disabled"):
            if not isinstance(entry.get(flag, False), bool):
                problems.append(Problem(file_name, _line_of(text, flag, start), must_be(flag, "true or false", entry[flag])))
            elif entry.get(flag) and (flag == "disabled" or not drafts):
                held_back = True
        if held_back:
            # not built at all (a draft one is built with --drafts): its folder is left alone
            hidden.append(segment)
            continue
        direction = entry.get("dir", "ltr")
        if direction not in ("ltr", "rtl"):
            problems.append(Problem(file_name, _line_of(text, "dir", start), f"dir must be 'ltr' or 'rtl', not '{direction}'"))
            direction = "ltr"
        languages.append(
            Language(
                tag=tag,
                segment=segment,
                name=str(entry.get("name", tag)),
                direction=direction,
                title=str(entry["title"]) if entry.get("title") else None,
                mdn_locale=str(entry.get("mdn", "en-US" if tag == "en" else tag)),
                draft=entry.get("draft") is True,
            )
        )
    if not languages:
        problems.append(Problem(file_name, None, f"{table} needs at least one entry in 'languages'"))
        return None, problems

    source_tag = settings.get("source_language", languages[0].tag)
    source = [language for language in languages if language.tag == source_tag]
    if not source:
        problems.append(
            Problem(file_name, _line_of(text, "source_language", top), f"source_language '{source_tag}' is not among the languages")
        )
        return None, problems
    languages = source + [language for language in languages if language.tag != source_tag]

    written_base_url = settings.get("base_url", "http://localhost:8000/")
    base_url, why = checked_base_url(written_base_url) if isinstance(written_base_url, str) else (None, "must be text")
    if base_url is None:
        problems.append(Problem(file_name, _line_of(text, "base_url", top), f"base_url {why}: {written_base_url!r}"))
        return None, problems
    repository = settings.get("repository")
    edit_url = settings.get("edit_url")
    if edit_url is not None and ((why := url_problem(str(edit_url).replace("{path}", "x"))) is not None or "{path}" not in str(edit_url)):
        problems.append(
            Problem(file_name, _line_of(text, "edit_url", top), f"edit_url must be an http(s) URL with {{path}} in it: {str(edit_url)!r}")
        )
        edit_url = None
    if repository is not None and (why := url_problem(str(repository))) is not None:
        problems.append(Problem(file_name, _line_of(text, "repository", top), f"repository {why}: {str(repository)!r}"))
        return None, problems

    precompress = settings.get("precompress", False)
    if not isinstance(precompress, bool):
        problems.append(Problem(file_name, _line_of(text, "precompress", top), must_be("precompress", "true or false", precompress)))
        precompress = False
    french_typography = _french_typography(settings, languages, text, top, problems, file_name)
    raw_html = settings.get("raw_html", "allow")
    if raw_html not in RAW_HTML_MODES:
        problems.append(
            Problem(file_name, _line_of(text, "raw_html", top), "raw_html must be 'allow', 'warn' or 'deny', not " + repr(raw_html))
        )
        return None, problems
    features, found = load_features(settings, text, top, file_name)
    problems += found

    root = root.resolve()

    def folder(key: str, default: str) -> Path:
        return (root / str(settings.get(key, default))).resolve()

    config = Config(
        root=root,
        title=str(settings.get("title", "HTTP status codes")),
        base_url=base_url,
        source_language=source_tag,
        languages=tuple(languages),
        content_dir=folder("content", "content"),
        templates_dir=folder("templates", "templates"),
        static_dir=folder("static", "static"),
        locales_dir=folder("locales", "locales"),
        output_dir=folder("output", "_site"),
        repository_url=str(repository) if repository else None,
        edit_url=str(edit_url) if edit_url else None,
        french_typography=french_typography,
        raw_html=raw_html,
        drafts=drafts,
        precompress=precompress,
        hidden_segments=tuple(hidden),
        cache_dir=cache_folder(root, str(settings.get("cache", DEFAULT_CACHE))),
        features=features,
    )
    for key in ("content", "templates", "static", "locales"):
        written = Path(os.path.normpath(root / str(settings.get(key, key))))
        resolved = getattr(config, f"{key}_dir")
        if written.is_relative_to(root) and not resolved.is_relative_to(root):
            # a folder the configuration places in the project, but a link leads out of it
            problems.append(
                Problem(
                    config.shown(written),
                    None,
                    f"the {key} folder is a symbolic link to {resolved}, outside the project: it is not read",
                    hint=f'set {key} = "{resolved}" in [tool.sitegen] if that is meant',
                )
            )
            return None, problems
    if "output" in (overrides or {}):
        return config, problems  # --out: the build checks it, and names the flag (sitegen.output.target)
    output = config.output_dir
    inputs = {
        "the project": root,
        "content": config.content_dir,
        "templates": config.templates_dir,
        "static": config.static_dir,
        "locales": config.locales_dir,
    }
    for name, folder_path in inputs.items():
        # the output folder is replaced whole on every build: it must hold nothing else
        if output == folder_path or output in folder_path.parents:
            problems.append(
                Problem(
                    file_name,
                    _line_of(text, "output", top),
                    f"the output folder {output} would replace {name}",
                    hint="choose an empty folder such as _site",
                )
            )
            return None, problems
    cache = config.cache_folder
    clashes = [name for name, folder_path in inputs.items() if cache == folder_path or cache in folder_path.parents]
    if clashes or cache == output or output in cache.parents:
        what = f"would hold {clashes[0]}" if clashes else "is in the output folder"
        problems.append(
            Problem(
                CONFIG_FILE,
                _line_of(text, "cache", top),
                f"the cache folder {cache} {what}",
                hint="'sitegen clean' deletes it: choose a folder of its own such as .sitegen-cache",
            )
        )
        return None, problems
    return config, problems


DEFAULT_CACHE = ".sitegen-cache"


def cache_folder(root: Path, setting: str) -> Path:
    """Return the cache folder ``cache = ...`` names: a folder under the project, or
    ``xdg``: one per project in ``$XDG_CACHE_HOME/sitegen/`` (``~/.cache/sitegen/``)."""
    if setting == "xdg":
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return base / "sitegen" / f"{root.name}-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}"
    return (root / setting).resolve()
