"""Named constants of status codes in programming languages (``sitegen/data/constants.toml``).

One data file holds, for each library, where its names were read from (library, version,
source file) and the name of every code it knows. Code pages show them as a table; the
API gives them to programs.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from sitegen.site.model import Problem

CONSTANTS_PATH = "sitegen/data/constants.toml"
"""The data file, as problems show it."""
LIBRARY_FIELDS = ("label", "library", "version", "source", "usage")
"""The fields every library table needs (``note`` is optional)."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER = re.compile(r"^\s*\[([^\]]+)\]")
_KEY = re.compile(r"^\s*\"?([0-9A-Za-z_-]+)\"?\s*=")


@dataclass(frozen=True, slots=True)
class Constant:
    """The name a library gives one code."""

    name: str
    """As the library writes it: ``TEMPORARY_REDIRECT``; for Node.js, the reason phrase."""
    deprecated: bool = False
    """The library still has it but asks for another name (none other exists for the code)."""


@dataclass(frozen=True, slots=True)
class Library:
    """One language's or framework's constants, and where they were read."""

    key: str
    """``python``, ``go``, ``java-spring``..."""
    label: str
    """What the table's row shows: ``Java (Spring)``."""
    library: str
    version: str
    source: str
    """URL of the source file the names were read from."""
    usage: str
    """How a program writes a constant: ``http.HTTPStatus.{name}`` (``{code}`` also works)."""
    note: str | None
    constants: Mapping[int, Constant]

    def expression(self, code: int) -> str | None:
        """Return how a program names ``code`` (``http.StatusTemporaryRedirect``), or ``None``."""
        constant = self.constants.get(code)
        if constant is None:
            return None
        return self.usage.replace("{name}", constant.name).replace("{code}", str(code))


def _lines(text: str) -> dict[tuple[str, str], int]:
    """Return the line of every ``key =`` in the file, keyed by (table header, key)."""
    lines: dict[tuple[str, str], int] = {}
    header = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if match := _HEADER.match(line):
            header = match.group(1).strip()
            lines[(header, "")] = number
        elif match := _KEY.match(line):
            lines.setdefault((header, match.group(1)), number)
    return lines


def read_constants(text: str, path: str = CONSTANTS_PATH) -> tuple[tuple[Library, ...], list[Problem]]:
    """Return the libraries written in ``text`` and the problems found, each at its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        return (), [Problem(path, int(match.group(1)) if match else None, f"invalid TOML: {error}")]
    lines = _lines(text)
    problems: list[Problem] = []
    libraries: list[Library] = []
    tables = data.get("libraries")
    if not isinstance(tables, dict) or not tables:
        return (), [Problem(path, 1, "no [libraries.<id>] table", hint="see the comment at the top of the file")]
    for key, table in tables.items():
        header = f"libraries.{key}"
        line = lines.get((header, ""))
        if not isinstance(table, dict):
            problems.append(Problem(path, line, f"'{header}' must be a table"))
            continue
        missing = [name for name in LIBRARY_FIELDS if not isinstance(table.get(name), str) or not table[name].strip()]
        if missing:
            problems.append(Problem(path, line, f"[{header}] needs {', '.join(missing)} (text)"))
            continue
        if "{name}" not in table["usage"] and "{code}" not in table["usage"]:
            problems.append(Problem(path, lines.get((header, "usage"), line), "'usage' must contain {name} or {code}"))
            continue
        constants = _read_names(table.get("constants"), f"{header}.constants", lines, path, problems, "{name}" in table["usage"])
        note = table.get("note")
        libraries.append(
            Library(
                key=key,
                label=table["label"].strip(),
                library=table["library"].strip(),
                version=table["version"].strip(),
                source=table["source"].strip(),
                usage=table["usage"].strip(),
                note=note.strip() if isinstance(note, str) else None,
                constants=constants,
            )
        )
    return tuple(libraries), problems


def _read_names(
    table: object, header: str, lines: Mapping[tuple[str, str], int], path: str, problems: list[Problem], written: bool
) -> dict[int, Constant]:
    """Return the ``[libraries.<id>.constants]`` table: code -> name. ``written``: programs
    write the name (an identifier), rather than the code (Node.js keeps reason phrases)."""
    if not isinstance(table, dict):
        problems.append(Problem(path, lines.get((header.rsplit(".", 1)[0], "")), f"[{header}] is missing", hint="add the table"))
        return {}
    constants: dict[int, Constant] = {}
    for key, value in table.items():
        line = lines.get((header, key), lines.get((header, "")))
        if not key.isascii() or not key.isdigit() or not 100 <= int(key) <= 599:
            problems.append(Problem(path, line, f"{key!r} is not a status code (100-599)"))
            continue
        deprecated = False
        if isinstance(value, dict):
            extra = sorted(set(value) - {"name", "deprecated"})
            deprecated = value.get("deprecated") is True
            if extra or not isinstance(value.get("deprecated", False), bool):
                problems.append(Problem(path, line, 'a constant is a name, or { name = "...", deprecated = true }'))
                continue
            value = value.get("name")
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(path, line, f"the constant of {key} must be a name (text)"))
            continue
        if written and not _NAME.match(value):
            problems.append(Problem(path, line, f"{value!r} is not a name a program can write"))
            continue
        constants[int(key)] = Constant(value.strip(), deprecated)
    return dict(sorted(constants.items()))


@functools.cache
def load_constants() -> tuple[tuple[Library, ...], tuple[Problem, ...]]:
    """Return the libraries of the data file shipped with sitegen, and its problems."""
    text = resources.files("sitegen").joinpath("data/constants.toml").read_text("utf-8")
    libraries, problems = read_constants(text)
    return libraries, tuple(problems)


def constants_of(code: int) -> list[tuple[Library, str | None, bool]]:
    """Return, for each library, how it names ``code`` (``None``: no constant) and if deprecated."""
    libraries, _problems = load_constants()
    return [(library, library.expression(code), code in library.constants and library.constants[code].deprecated) for library in libraries]
