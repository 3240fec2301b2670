"""Language rules that ``check`` applies to the text of pages: French typography, and the
glossary of each language (``content/<lang>/glossary.yaml``).

Both read the file as written, so that every warning has its line. They look at prose
only: front-matter values (not keys), and the body outside code blocks; code spans,
macros, URLs and HTML tags are masked first, as they keep ASCII and their own words.
"""

from __future__ import annotations

import functools
import html
import re
from typing import TYPE_CHECKING

from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from sitegen.site.model import Glossary, Source

_MASK = "\ue000"
"""Stands for masked text (a code span, a macro): a word, but never one of a glossary's."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_YAML_PREFIX = re.compile(r"^\s*(?:-\s+)*(?:[A-Za-z_][\w-]*:(?:\s+|$))?(?:[>|][-+]?\s*$)?")
_MASKED = re.compile(
    r"(`+)(?:(?!\1).)+?\1"  # code spans
    r"|\{\{.*?\}\}|\{%.*?%\}|\{#[^}]*\}"  # macros, template tags, heading ids
    r"|<https?://[^>]*>|https?://[^\s)>\]]*"  # URLs
    r"|\]\([^)]*\)"  # link targets
    r"|<[^>]*>|&#?\w+;"  # HTML tags and entities
)
_KEPT_ENTITIES = frozenset("\u00a0\u202f«»")
"""What an entity may stand for and stay in the text: ``&nbsp;`` before ':' is the space the rule asks for."""


def _masked(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith("&") and (decoded := html.unescape(text)) in _KEPT_ENTITIES:
        return decoded
    return _MASK


_SKIPPED_LINE = re.compile(r"^\s*(?:\|?\s*:?-{3,}:?\s*)+\|?\s*$|^\s*\[[^\]]+\]:\s*\S")
"""Table delimiter rows and link reference definitions: syntax, not prose."""
_SPACES = "\u00a0\u202f"
_ESCAPES = {"\\u00a0": "\u00a0", "\\u00A0": "\u00a0", "\\u202f": "\u202f", "\\u202F": "\u202f"}
"""The no-break spaces as a double-quoted YAML value may write them."""


@functools.lru_cache(maxsize=4096)
def prose_lines(text: str) -> tuple[tuple[int, str], ...]:
    """Return (line number, masked text) of every line of prose in a page file."""
    return tuple(_prose_lines(text))


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    lines = text.split("\n")
    in_front_matter = bool(lines) and lines[0].rstrip() == "---"
    fence: str | None = None
    for number, line in enumerate(lines, 1):
        if number == 1 and in_front_matter:
            continue
        if in_front_matter:
            if line.rstrip() in ("---", "..."):
                in_front_matter = False
                continue
            if line.lstrip().startswith("#"):
                continue  # a YAML comment
            line = _YAML_PREFIX.sub("", line, count=1).strip()
            if len(line) > 1 and line[0] in "\"'" and line[-1] == line[0]:
                line = line[1:-1]
            for escape, character in _ESCAPES.items():
                line = line.replace(escape, character)
        else:
            fence_match = _FENCE.match(line)
            if fence_match:
                marker = fence_match.group(1)
                if fence is None:
                    fence = marker[0] * len(marker)
                elif marker.startswith(fence):
                    fence = None
                continue
            if fence is not None or _SKIPPED_LINE.match(line):
                continue
            line = line.replace("![", "[")  # an image's '!' is syntax
        masked = _MASKED.sub(_masked, line)
        if masked.strip():
            yield number, masked


_PLAIN_BEFORE = re.compile(r" +([;:!?])")
# a mark inside a token (HTTP::Tiny, localhost:8080, ?q=1, !important) is no punctuation of prose
_MISSING_BEFORE = re.compile(rf"(?<=[^\s{_SPACES}(\[«/;:!?])([;:!?])(?=[\s{_SPACES}»)\]\"'*_.,;!?{_MASK}]|$)")
_PLAIN_QUOTE = re.compile(r"« | »")
_MISSING_QUOTE = re.compile(rf"«(?=[^\s{_SPACES}])|(?<=[^\s{_SPACES}])»")


def _space_for(mark: str) -> str:
    return "a no-break space (U+00A0)" if mark in ":«»" else "a narrow no-break space (U+202F)"


@functools.lru_cache(maxsize=4096)
def typography_problems(path: str, text: str) -> tuple[Problem, ...]:
    """Return the French typography warnings of one page file."""
    problems: list[Problem] = []
    for number, line in prose_lines(text):
        found: dict[str, str] = {}
        for match in _PLAIN_BEFORE.finditer(line):
            mark = match.group(1)
            found.setdefault(f"plain space before '{mark}'", f"use {_space_for(mark)}")
        for match in _MISSING_BEFORE.finditer(line):
            mark = match.group(1)
            start = match.start(1)
            if mark == ":" and start > 0 and line[start - 1].isdigit() and line[start + 1 : start + 2].isdigit():
                continue  # 10:30, 16:9
            found.setdefault(f"no space before '{mark}'", f"add {_space_for(mark)}")
        for match in _PLAIN_QUOTE.finditer(line):
            where = "after '«'" if match.group(0).startswith("«") else "before '»'"
            found.setdefault(f"plain space {where}", "use a no-break space (U+00A0)")
        for match in _MISSING_QUOTE.finditer(line):
            where = "after '«'" if match.group(0) == "«" else "before '»'"
            found.setdefault(f"no space {where}", "add a no-break space (U+00A0)")
        problems.extend(Problem(path, number, f"French typography: {message}", "warning", hint) for message, hint in found.items())
    return tuple(problems)


def check_typography(sources: Iterable[tuple[str, Source]], languages: Iterable[str]) -> list[Problem]:
    """Return the typography warnings of the page files (language tag, source) whose
    language follows French typography."""
    wanted = set(languages)
    return [problem for language, source in sources if language in wanted for problem in typography_problems(source.path, source.text)]


@functools.lru_cache(maxsize=64)
def _term_pattern(term: str, use: str) -> re.Pattern[str]:
    # an avoided term that differs from the one to use only in case ("web" for "Web") keeps its case
    flags = 0 if term.casefold() == use.casefold() else re.IGNORECASE
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", flags)


@functools.lru_cache(maxsize=4096)
def glossary_problems(path: str, text: str, glossary: Glossary) -> tuple[Problem, ...]:
    """Return a warning for each use of a term the glossary says to avoid."""
    problems: list[Problem] = []
    previous: tuple[int, str] | None = None
    for number, line in prose_lines(text):
        # a term of several words may be broken across two lines of one paragraph
        joined = f"{previous[1]} {line}" if previous is not None and previous[0] == number - 1 else None
        for term in glossary.terms:
            for avoided in term.avoid:
                pattern = _term_pattern(avoided, term.use)
                found = [(number, match) for match in [pattern.search(line)] if match]
                if joined is not None and previous is not None and " " in avoided.strip():
                    junction = len(previous[1])
                    found[:0] = [(number - 1, match) for match in pattern.finditer(joined) if match.start() < junction < match.end()][:1]
                for where, match in found:
                    note = f": {term.note}" if term.note else ""
                    problems.append(
                        Problem(path, where, f"glossary: '{match.group(0)}' is a term to avoid", "warning", f"use '{term.use}'{note}")
                    )
        previous = (number, line)
    return tuple(problems)


def check_glossaries(sources: Iterable[tuple[str, Source]], glossaries: Mapping[str, Glossary]) -> list[Problem]:
    """Return the glossary warnings of the page files (language tag, source)."""
    return [
        problem
        for language, source in sources
        if (glossary := glossaries.get(language)) is not None
        for problem in glossary_problems(source.path, source.text, glossary)
    ]
