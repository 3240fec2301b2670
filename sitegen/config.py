"""Read and check the site configuration: ``[tool.sitegen]`` in ``pyproject.toml``."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from sitegen.model import Config, Language, Problem

CONFIG_FILE = "pyproject.toml"
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
}
LANGUAGE_KEYS = {"tag", "name", "segment", "dir", "title", "mdn"}
_BCP47 = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")


def _line_of(text: str, key: str) -> int | None:
    """Return the first line that assigns ``key`` in TOML text, if any."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _unknown(key: str, known: set[str] | dict[str, str], path: str, line: int | None) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    return Problem(
        path,
        line,
        f"unknown configuration key '{key}'",
        "warning",
        f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}",
    )


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> tuple[Config | None, list[Problem]]:
    """Return the configuration of the project at ``root`` and any problems in it."""
    path = root / CONFIG_FILE
    problems: list[Problem] = []
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return None, [Problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {root}: is this a sitegen project?")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line_match = re.search(r"line (\d+)", str(error))
        line = int(line_match.group(1)) if line_match else None
        return None, [Problem(CONFIG_FILE, line, f"invalid TOML: {error}")]
    settings = dict(data.get("tool", {}).get("sitegen", {}))
    settings.update(overrides or {})
    if not settings:
        return None, [Problem(CONFIG_FILE, None, "no [tool.sitegen] section")]

    for key in settings:
        if key not in TOP_KEYS:
            problems.append(_unknown(key, TOP_KEYS, CONFIG_FILE, _line_of(text, key)))

    languages: list[Language] = []
    for index, entry in enumerate(settings.get("languages") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("tag"), str):
            problems.append(Problem(CONFIG_FILE, None, f"languages[{index}]: expected a table with a 'tag'"))
            continue
        for key in entry:
            if key not in LANGUAGE_KEYS:
                problems.append(_unknown(key, LANGUAGE_KEYS, CONFIG_FILE, _line_of(text, key)))
        tag = entry["tag"]
        if not _BCP47.match(tag):
            problems.append(Problem(CONFIG_FILE, _line_of(text, "tag"), f"'{tag}' is not a BCP 47 tag such as 'pt-BR'"))
        direction = entry.get("dir", "ltr")
        if direction not in ("ltr", "rtl"):
            problems.append(Problem(CONFIG_FILE, _line_of(text, "dir"), f"dir must be 'ltr' or 'rtl', not '{direction}'"))
            direction = "ltr"
        languages.append(
            Language(
                tag=tag,
                segment=str(entry.get("segment", tag.lower())),
                name=str(entry.get("name", tag)),
                direction=direction,
                title=entry.get("title"),
                mdn_locale=str(entry.get("mdn", "en-US" if tag == "en" else tag)),
            )
        )
    if not languages:
        problems.append(Problem(CONFIG_FILE, None, "[tool.sitegen] needs at least one entry in 'languages'"))
        return None, problems

    source_tag = settings.get("source_language", languages[0].tag)
    source = [language for language in languages if language.tag == source_tag]
    if not source:
        problems.append(
            Problem(CONFIG_FILE, _line_of(text, "source_language"), f"source_language '{source_tag}' is not among the languages")
        )
        return None, problems
    languages = source + [language for language in languages if language.tag != source_tag]

    base_url = str(settings.get("base_url", "http://localhost:8000/"))
    if not re.match(r"^https?://[^/]+", base_url):
        problems.append(Problem(CONFIG_FILE, _line_of(text, "base_url"), f"base_url must be an absolute http(s) URL, not '{base_url}'"))
    if not base_url.endswith("/"):
        base_url += "/"

    def folder(key: str, default: str) -> Path:
        return (root / str(settings.get(key, default))).resolve()

    config = Config(
        root=root.resolve(),
        title=str(settings.get("title", "HTTP status codes")),
        base_url=base_url,
        source_language=source_tag,
        languages=tuple(languages),
        content_dir=folder("content", "content"),
        templates_dir=folder("templates", "templates"),
        static_dir=folder("static", "static"),
        locales_dir=folder("locales", "locales"),
        output_dir=folder("output", "_site"),
        repository_url=settings.get("repository"),
    )
    return config, problems
