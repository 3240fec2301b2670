"""MDN macros (``{{HTTPStatus("303")}}``) and template tags (``{% admonition %}``).

Both are parsed as markdown-it rules into ``macro`` / ``template_tag`` tokens; what
they render to is decided in :mod:`sitegen.content.markdown`, which knows the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# the arguments never run past "}}" nor into the next "{{": a macro missing its ")" or its
# "}}" must not swallow the text, or the macro, after it
MACRO_PATTERN = re.compile(r"\{\{\s*([A-Za-z][\w:.-]*)\s*(?:\(((?:(?!\}\}|\{\{).)*?)\))?\s*\}\}", re.DOTALL)
TAG_PATTERN = re.compile(r"\{%-?\s*(/?[A-Za-z_][\w-]*)\s*((?:(?!%\}).)*?)\s*-?%\}", re.DOTALL)
_ARGUMENT = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^,]*?))\s*(?:,|$)""")
_QUOTED = re.compile(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'""")
_KEYWORD = re.compile(r"""([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")

MAX_CALL_LENGTH = 2000
"""The most characters one macro or tag may take."""
MAX_TAG_LINES = 20
"""The most lines one ``{% ... %}`` tag may span."""

BLOCK_MACROS = {"specifications", "compat", "httpsidebar", "seecompattable", "quicklinkswithsubpages", "previousnext"}
"""Macros that stand alone on their line and render as a block (or as nothing)."""


@dataclass(frozen=True, slots=True)
class Macro:
    """A parsed ``{{name(args)}}``."""

    name: str
    """Lower-cased: macro names are case-insensitive."""
    arguments: tuple[str, ...]
    source: str


def parse_arguments(text: str | None) -> tuple[str, ...]:
    """Return the arguments of a macro: quoted or not, with stray spaces."""
    if text is None or not text.strip():
        return ()
    arguments: list[str] = []
    position = 0
    while position < len(text):
        match = _ARGUMENT.match(text, position)
        if match is None or match.end() == position:
            arguments.append(text[position:].strip())
            break
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if value is None:
            value = match.group(3) or ""
            # stray text around a quoted argument (`:3 "6.4.7"`): the quoted part is meant
            quoted = _QUOTED.search(value)
            if quoted:
                value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        arguments.append(value.replace('\\"', '"').replace("\\'", "'"))
        position = match.end()
    return tuple(arguments)


def parse_macro(text: str, start: int = 0, end: int | None = None) -> Macro | None:
    """Return the macro at ``start`` in ``text`` (read no further than ``end``), if there is one."""
    # a macro ends at the first "}}": finding it first bounds what the pattern reads
    close = text.find("}}", start, len(text) if end is None else end)
    if close < 0:
        return None
    match = MACRO_PATTERN.match(text, start, close + 2)
    if match is None:
        return None
    return Macro(match.group(1).lower(), parse_arguments(match.group(2)), match.group(0))


@dataclass(frozen=True, slots=True)
class TemplateTag:
    """A parsed ``{% name args %}``, as Eleventy, Liquid or Markdoc write them."""

    name: str
    """Lower-cased; a closing tag is ``endname`` or ``/name``, both read as ``/name``."""
    arguments: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]
    source: str

    def keyword(self, key: str) -> str | None:
        """Return the value of ``key="value"``, if given."""
        return dict(self.keywords).get(key)


def parse_tag(text: str, start: int = 0, end: int | None = None) -> TemplateTag | None:
    """Return the template tag at ``start`` in ``text`` (read no further than ``end``), if there is one."""
    # a tag ends at the first "%}": finding it first bounds what the pattern reads
    close = text.find("%}", start, len(text) if end is None else end)
    if close < 0:
        return None
    match = TAG_PATTERN.match(text, start, close + 2)
    if match is None:
        return None
    name, rest = match.group(1).lower(), match.group(2)
    if name.startswith("end"):
        name = "/" + name[3:]
    keywords = tuple((key, a or b or c) for key, a, b, c in _KEYWORD.findall(rest))
    arguments = () if keywords else parse_arguments(rest)
    return TemplateTag(name, arguments, keywords, match.group(0))


def _inline_rule(
    opener: str, parse: Callable[[str, int, int], Macro | TemplateTag | None], token_type: str, key: str
) -> Callable[[StateInline, bool], bool]:
    """Return an inline rule turning ``opener...`` into a ``token_type`` token."""

    def rule(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith(opener, state.pos):
            return False
        # a window, not the rest of the paragraph: an unclosed opener must cost O(1) to reject
        parsed = parse(state.src, state.pos, min(state.posMax, state.pos + MAX_CALL_LENGTH))
        if parsed is None:
            return False
        if not silent:
            token = state.push(token_type, "", 0)
            # the line is worked out once per paragraph by _set_lines, from this offset
            token.meta = {key: parsed, "offset": state.pos}
        state.pos += len(parsed.source)
        return True

    return rule


_macro_inline = _inline_rule("{{", parse_macro, "macro", "macro")
_tag_inline = _inline_rule("{%", parse_tag, "template_tag", "tag")


@dataclass(frozen=True, slots=True)
class Stray:
    """A ``{{`` or ``{%`` that opens no macro or tag: what was written, what is wrong with
    it, and what the page keeps of it (the text of its argument, as for an unknown macro)."""

    source: str
    """The characters it takes out of the paragraph."""
    problem: str
    kept: str = ""


_NAME = re.compile(r"\s*([A-Za-z][\w:.-]*)\s*")
_CLOSED_CALL = re.compile(r"\s*(?:[A-Za-z][\w:.-]*\s*(?:\([^(){}]*\))?\s*)?")
_CALL = re.compile(r"\{\{\s*[A-Za-z][\w:.-]*\s*\([^(){}]*\)")
_USAGE = 'a macro is a name followed by its arguments in brackets, such as {{HTTPStatus("303")}}'


def _kept_text(arguments: str) -> str:
    """Return the label, else the first argument, of a macro's argument text."""
    values = [value for value in parse_arguments(arguments) if value.strip()]
    return values[1] if len(values) > 1 else values[0] if values else ""


def parse_stray(text: str, start: int, end: int) -> Stray:
    """Return what the ``{{`` or ``{%`` at ``start`` is, when it opens no macro or tag.

    A ``{{`` is read up to its closer (``}}``, or a lone ``}``), but never past the next
    ``{{`` nor ``end``: a closer after another opener belongs to that one.
    """
    opener = text[start : start + 2]
    if opener != "{{":
        return Stray(opener, f"'{opener}' without a matching '%}}': not a template tag (the '{opener}' is left out of the page)")
    following = text.find("{{", start + 2, end)
    stop = end if following < 0 else following
    double, single = text.find("}}", start + 2, stop), text.find("}", start + 2, stop)
    closer = "}}" if double >= 0 and double == single else "}" if single >= 0 else ""
    if closer == "}" and not _CLOSED_CALL.fullmatch(text, start + 2, single):
        closer = ""  # a lone "}" further on closes a macro only if a whole call comes before it
    if not closer:
        call = _CALL.match(text, start, stop)
        if call is None:
            return Stray("{{", "'{{' without a matching '}}': not a macro (the '{{' is left out of the page)")
        source = call.group(0)
        kept = _kept_text(source[source.index("(") + 1 : -1])
        return Stray(source, f"{source} is not closed: a macro ends with '}}}}' ({_left(kept)})", kept)
    inner = text[start + 2 : single]
    source = text[start : single + len(closer)]
    shown = source if len(source) <= 60 else f"{source[:57]}..."
    name = _NAME.match(inner)
    rest = inner[name.end() :] if name else inner
    arguments = rest[1:].rstrip().removesuffix(")") if rest.startswith("(") else ""
    kept = _kept_text(arguments)
    if not inner.strip():
        problem = f"empty macro {shown}: it names no macro (it is left out of the page)"
    elif name is None or (rest and not rest.startswith("(")):
        problem = f"{shown} is not a macro: {_USAGE} (it is left out of the page)"
        kept = ""
    elif closer == "}":
        problem = f"{shown} ends with a single '}}': a macro ends with '}}}}' ({_left(kept)})"
    elif rest.startswith("(") and not rest.rstrip().endswith(")"):
        problem = f"{shown} has no ')' to close its arguments ({_left(kept)})"
    else:
        problem = f"{shown} is not a macro: {_USAGE} ({_left(kept)})"
    return Stray(source, problem, kept)


def _left(kept: str) -> str:
    return f"its text '{kept}' is kept as plain text" if kept else "it is left out of the page"


def _stray_braces(state: StateInline, silent: bool) -> bool:
    """Inline rule, after the macro rules: a ``{{`` or ``{%`` that opens nothing, taken
    out whole (a malformed macro with its closer), its problem kept for the renderer."""
    if state.src[state.pos : state.pos + 2] not in ("{{", "{%"):
        return False
    stray = parse_stray(state.src, state.pos, min(state.posMax, state.pos + MAX_CALL_LENGTH))
    if not silent:
        token = state.push("stray_braces", "", 0)
        token.content = stray.source
        token.meta = {"stray": stray, "offset": state.pos}
    state.pos += len(stray.source)
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _block_macro(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a line holding only a block macro such as ``{{Specifications}}``."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    text = _line(state, start_line).strip()
    macro = parse_macro(text)
    if macro is None or macro.source != text or macro.name not in BLOCK_MACROS:
        return False
    if silent:
        return True
    token = state.push("macro", "", 0)
    token.block = True
    token.map = [start_line, start_line + 1]
    token.meta = {"macro": macro}
    state.line = start_line + 1
    return True


def _block_tag(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: ``{% tag %}`` starting a line, possibly over several lines."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    if not _line(state, start_line).startswith("{%"):
        return False
    line = start_line
    text = ""
    # a tag may span lines, but not a blank line nor more than a few lines: an unclosed
    # "{%" must not make every following line scan to the end of the document
    last = min(end_line, start_line + MAX_TAG_LINES)
    while line < last and (line == start_line or not state.isEmpty(line)):
        text += ("\n" if text else "") + _line(state, line)
        line += 1
        if "%}" in text:
            break
    tag = parse_tag(text)
    if tag is None or text.strip() != tag.source:
        return False
    if silent:
        return True
    token = state.push("template_tag", "", 0)
    token.block = True
    token.map = [start_line, line]
    token.meta = {"tag": tag}
    state.line = line
    return True


def macros_plugin(md: MarkdownIt) -> None:
    """Teach ``md`` to parse macros and template tags into tokens."""
    md.inline.ruler.before("text", "macro", _macro_inline)
    md.inline.ruler.before("text", "template_tag", _tag_inline)
    md.inline.ruler.after("template_tag", "stray_braces", _stray_braces)
    md.block.ruler.before("paragraph", "macro_block", _block_macro, {"alt": ["paragraph"]})
    md.block.ruler.before("paragraph", "template_tag_block", _block_tag, {"alt": ["paragraph"]})
    md.core.ruler.after("inline", "macro_lines", _set_lines)


def _set_lines(state: object) -> None:
    """Give every inline macro or tag the 0-based body line it is written on.

    Newlines are counted from one macro to the next, so a paragraph costs its length
    once, however many macros it holds.
    """
    tokens: list[Token] = state.tokens  # type: ignore[attr-defined]
    line = 0
    for token in tokens:
        if token.map:
            line = token.map[0]
        offset = newlines = 0
        for child in token.children or ():
            if child.type in ("macro", "template_tag", "stray_braces"):
                newlines += token.content.count("\n", offset, child.meta["offset"])
                offset = child.meta["offset"]
                child.meta["line"] = line + newlines
            elif child.type == "html_inline":
                child.meta = {**(child.meta or {}), "line": line}
        if token.type in ("macro", "template_tag"):
            token.meta["line"] = line
