"""A page file's text: decoding, the ``---`` front matter split, and YAML with the line
of every key. Nothing here raises on bad input: problems come back with their lines."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitegen.site.model import Problem, Severity

if TYPE_CHECKING:
    import yaml

# PyYAML is imported where YAML is read: a build whose pages all come from the cache
# never pays for it


@dataclass(slots=True)
class Fields:
    """Front matter of one file, with the line of every key."""

    path: str
    data: dict[str, Any]
    lines: dict[str, int]
    nodes: dict[str, yaml.Node]
    problems: list[Problem] = field(default_factory=list)

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.lines.get(key or "", self.lines.get("", 1)), message, "error", hint))

    def warn(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.lines.get(key or "", self.lines.get("", 1)), message, "warning", hint))

    def problem(self, line: int, message: str, severity: Severity = "error", hint: str | None = None) -> Problem:
        """Return a problem of this file at ``line`` (an item's line, not its key's)."""
        return Problem(self.path, line, message, severity, hint)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.error(key, f"'{key}' must be text, not a {type(value).__name__}")
            return None
        return str(value).strip()

    def item_lines(self, key: str) -> tuple[int, ...]:
        """Return the line of each item of a list field (the key's line for one value)."""
        import yaml

        node = self.nodes.get(key)
        if isinstance(node, yaml.SequenceNode):
            return tuple(item.start_mark.line + 2 for item in node.value)
        return (self.lines.get(key, 1),)

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        lines = self.item_lines(key) if isinstance(value, list) else ()
        result = []
        for index, item in enumerate(items):
            line = lines[index] if index < len(lines) else self.lines.get(key, 1)
            if isinstance(item, dict) and len(item) == 1 and isinstance(value, list):
                # "- The method: must not change." is a one-key mapping to YAML
                ((first, rest),) = item.items()
                self.problems.append(
                    self.problem(
                        line,
                        f"{key}: this item holds ': ', so YAML reads it as 'key: value' instead of text",
                        hint=f"quote the whole item: - '{first}: {rest}'" if rest is not None else "quote the whole item",
                    )
                )
                continue
            if isinstance(item, (dict, list)) or item is None:
                self.problems.append(self.problem(line, f"'{key}' must be text or a list of text"))
                continue
            result.append(str(item).strip())
        return tuple(result)


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Return the text of a file (BOM and CRLF accepted), or a problem if it is not UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [Problem(path, line, f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded", hint="save the file as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(text: str, path: str) -> tuple[str, str, int, list[Problem]]:
    """Return (front matter, body, body start line) of a page."""
    lines = text.split("\n")
    if not text.strip():
        return "", "", 1, [Problem(path, None, "empty file", hint="a page starts with '---', its front matter, '---', then markdown")]
    if lines[0].rstrip() != "---":
        return (
            "",
            "",
            1,
            [
                Problem(
                    path,
                    1,
                    "no front matter: the file must start with a '---' line",
                    hint="did you forget the '---' lines around the YAML?",
                )
            ],
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2, []
    return "", "", 1, [Problem(path, 1, "front matter is never closed", hint="add a '---' line after the YAML")]


MAX_VALUES = 10_000
"""The most values a front matter may hold once its YAML aliases are expanded.

A page's front matter holds a few dozen values. Aliases make a small file stand for a huge
one (nine levels of ``&a1 [*a0, *a0, ...]`` in 2.5 KB stand for billions of values), which
any code that walks or formats the values would then pay for: such a file is refused.
"""


class _TooLarge(Exception):
    def __init__(self, key: yaml.Node | None) -> None:
        self.key = key


def _check_size(root: yaml.Node) -> None:
    """Raise :class:`_TooLarge` if ``root`` expands to more than :data:`MAX_VALUES` values.

    Nodes shared through aliases are sized once (memoised), so the check costs the size of
    the YAML text, not of its expansion; a node that contains itself counts as too large.
    """
    import yaml

    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in in_progress:
            raise _TooLarge(None)
        in_progress.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
                if total > MAX_VALUES:
                    raise _TooLarge(None)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key) + size(value)
                if total > MAX_VALUES:
                    raise _TooLarge(None)
        in_progress.discard(id(node))
        sizes[id(node)] = total
        return total

    pairs = root.value if isinstance(root, yaml.MappingNode) else [(None, root)]
    total = 0
    for key, value in pairs:
        try:
            total += size(value) + (size(key) if key is not None else 0)
        except (_TooLarge, RecursionError):
            raise _TooLarge(key) from None
        if total > MAX_VALUES:
            raise _TooLarge(key)


def _compose(front_matter: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(front_matter)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node)
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def parse_yaml(front_matter: str, path: str) -> tuple[Fields | None, list[Problem]]:
    """Return the front matter as data with the line of each key (file line = YAML line + 1)."""
    import yaml

    # libyaml's loader, where PyYAML was built with it, parses front matter about 10x faster
    fast_loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        try:
            node, data = _compose(front_matter, fast_loader)
        except yaml.MarkedYAMLError:
            # the pure-Python parser words its errors better and marks the exact line
            node, data = _compose(front_matter, yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context and "quoted scalar" in error.context and error.context_mark:
            mark = error.context_mark  # an unclosed quote: the line where it opens, not the end of the front matter
        line = mark.line + 2 if mark else 1
        what = error.problem or error.context or "invalid YAML"
        runaway = _runaway_quote(front_matter, error)
        if runaway is not None:
            return None, [Problem(path, runaway[0], f"{_explain_runaway(*runaway)}\n    YAML says: {what}")]
        source_line = front_matter.split("\n")[line - 2] if mark and line - 2 < len(front_matter.split("\n")) else ""
        # in the author's words first; the parser's own text stays, on a second line
        return None, [Problem(path, line, f"{_explain_yaml(what, source_line)}\n    YAML says: {what}")]
    except _TooLarge as error:
        line = error.key.start_mark.line + 2 if error.key is not None else 1
        return None, [
            Problem(
                path,
                line,
                f"front matter too large: its YAML aliases expand to more than {MAX_VALUES:,} values, or refer to themselves",
                hint="write the values out; anchors and aliases (&name, *name) are not needed in a page",
            )
        ]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        return None, [Problem(path, 1, f"invalid YAML in front matter: {error}")]
    if data is None:
        return None, [Problem(path, 1, "front matter is empty", hint="add at least 'code' and 'name'")]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 2, "front matter must be a mapping of 'key: value' lines")]
    fields = Fields(path, {str(key): value for key, value in data.items()}, {"": 1}, {})
    for key_node, value_node in node.value:
        key = str(key_node.value)
        fields.lines[key], first = key_node.start_mark.line + 2, fields.lines.get(key)
        if first is not None:
            fields.warn(key, f"'{key}' is given twice (first on line {first}); the last one is used")
        fields.nodes[key] = value_node
    return fields, fields.problems


def _runaway_quote(front_matter: str, error: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """Return (opening line, closing line, quote) of a quoted value that ran on to a later line
    and ended where the YAML broke: a quote left open that a later quote in the file closed.

    A quoted value may span lines in valid YAML; this is only asked once the parse failed,
    and only blames a value whose closing quote is on the line where it failed.
    """
    import yaml

    problem = error.problem_mark
    if problem is None:
        return None
    runaway: yaml.ScalarToken | None = None
    try:
        for token in yaml.scan(front_matter, Loader=yaml.SafeLoader):
            if token.start_mark.index >= problem.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                runaway = token if token.start_mark.line != token.end_mark.line else None
    except yaml.YAMLError:
        pass  # the scanner stops at the error too: the tokens before it are the ones that count
    if runaway is None or runaway.end_mark.line != problem.line:
        return None
    return runaway.start_mark.line + 2, runaway.end_mark.line + 2, str(runaway.style)


def _explain_runaway(opening: int, closing: int, quote: str) -> str:
    kind = "double" if quote == '"' else "single"
    return (
        f"a {kind} quote ({quote}) opens a value on this line and is not closed on it: the next {quote} is on line {closing},"
        " so YAML reads every line up to there as this one value (close the quote on this line, or write long text"
        " as a block scalar: '>-' after the key, the text on indented lines below)"
    )


def _explain_yaml(what: str, source_line: str) -> str:
    """Return what a YAML error means for an author, with the fix."""
    key = source_line.split(":", 1)[0].strip().lstrip("- ").strip() if ":" in source_line else ""
    if "mapping values are not allowed" in what:
        field = f"the value of '{key}'" if key and not source_line.lstrip().startswith("- ") else "this line"
        return (
            f"{field} holds ': ', which YAML reads as the start of another 'key: value' (quote the whole value: 'like this: with quotes')"
        )
    if "found character '\\t'" in what or "\\t" in what:
        return "a tab indents this line: YAML needs spaces (indent with spaces, not tabs)"
    if "expected ',' or ']'" in what or "expected ',' or '}'" in what:
        return "a '[' or '{' list is not closed before this line, or one of its items holds ': ' (close it, or quote the item)"
    if "expected the node content" in what and "<stream end>" in what:
        return "the front matter ends inside a value: a '[' or '{' is not closed (close it, or quote the value)"
    if "could not find expected ':'" in what:
        return "this line is not 'key: value' (indent a value that goes on over several lines, or quote it)"
    if "found undefined alias" in what or "found undefined tag" in what:
        return "'*' or '!' starts this value, which YAML reads as an alias or a tag (quote the value)"
    if re.search(r"found character .* that cannot start any token", what):
        return "this value starts with a character YAML reserves, such as '`', '@' or '%' (quote the value)"
    if "while scanning a quoted scalar" in what or "found unexpected end of stream" in what:
        return "a quote is opened and never closed (close it, or use the other kind of quote)"
    if "found unknown escape character" in what:
        return "a '\\' in a double-quoted value starts an escape such as '\\n' (write '\\\\' for a backslash, or use single quotes)"
    value = source_line.split(": ", 1)[1].lstrip() if ": " in source_line else source_line.strip().lstrip("- ")
    if "expected <block end>" in what and "<scalar>" in what and value[:1] in ("'", '"'):
        return "text follows the closing quote of this value (quote the whole value, or leave the quotes out)"
    if "expected <block end>" in what:
        return (
            "this line is not indented like the lines around it (the items of a list, and the keys of a mapping, start in the same column)"
        )
    return "the front matter is not valid YAML here"


def content_digest(text: str) -> str:
    """Return the version of a page's text: the start of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
