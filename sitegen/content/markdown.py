"""Markdown bodies to HTML: markdown-it-py with tables, heading anchors, Pygments,
MDN macros, template tags and links rewritten to the reader's language.

Pure: a body and a :class:`BodyContext` in, a :class:`RenderedBody` out.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from sitegen.content.headings import OUTLINE, SOURCE_OUTLINE, HeadingIds, Outline, headings_plugin, slugify
from sitegen.content.limits import MAX_TOKENS, Budget, limits_plugin
from sitegen.content.macros import MAX_CALL_LENGTH, Macro, Stray, TemplateTag, macros_plugin, parse_macro, parse_tag
from sitegen.content.raw_html import risky_parts
from sitegen.content.spec_refs import SpecRef
from sitegen.site.model import Problem, Reference, SpecLink, is_number
from sitegen.site.urls import BODY_SCHEMES, MDN_ORIGIN, linked_code, mdn_url, url_problem

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# markdown-it-py and Pygments are imported by the functions that use them: a build whose
# bodies all come from the cache never pays for them
_SECTION = re.compile(r"^(?:[0-9]+|[A-Z])(?:\.[0-9]+)*$")
_HTTP_MESSAGE = re.compile(r"(?<=\n\n)(?=HTTP/[0-9.]+ [0-9]{3}|[A-Z]+ \S+ HTTP/[0-9.]+\n)")
# MDN's page furniture (sidebars, compatibility tables, badges): nothing a reader would miss here
_NOTHING_MACROS = {
    "compat",
    "httpsidebar",
    "seecompattable",
    "quicklinkswithsubpages",
    "previousnext",
    "experimental_inline",
    "deprecated_inline",
    "non-standard_inline",
    "optional_inline",
}
_OPENER = re.compile(r"\{[{%]")
_MARKUP = re.compile(r"<[^>]+>")
_ADMONITION_KINDS = {"note", "info", "tip", "success", "warning", "caution", "danger", "important"}


class CodeLink(NamedTuple):
    """How a status code is linked in the reader's language. (A tuple: every build
    compares each link a cached page holds with the link of now, 139,000 of them at 9,000
    pages, and a dataclass's ``==`` is Python code.)"""

    url: str
    label: str
    """``303 See Other`` with the name in the reader's language."""
    lang: str | None = None
    """Set when the label is not in the reader's language."""


@dataclass(frozen=True)
class BodyContext:
    """What rendering one body needs to know about the site."""

    path: str
    """Source file, for problems."""
    body_line: int
    """Line of the body's first line in the source file."""
    mdn_locale: str
    link_for: Callable[[int], CodeLink | None]
    """The page of a code in the reader's language, or ``None`` if there is none."""
    plain_name: Callable[[int], str | None]
    """The registry name of a code, for codes without a page."""
    specs: Sequence[SpecRef | SpecLink]
    """The page's spec references, for ``{{Specifications}}``."""
    own_code: int
    source_outline: Outline | None = None
    """The headings of the page this translation follows, whose ids it takes by position."""
    source_path: str | None = None
    """That page's file, for messages."""
    raw_html: str = "allow"
    """``allow`` raw HTML, ``warn`` about its risky parts, or ``deny`` it (:mod:`sitegen.content.raw_html`)."""


@dataclass(slots=True)
class _Env:
    context: BodyContext
    problems: list[Problem] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    fragments: list[tuple[int, str, int]] = field(default_factory=list)

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        path, start = self.context.path, self.context.body_line
        self.problems.append(Problem(path, start + line, message, "warning", hint))

    def error(self, line: int, message: str, hint: str | None = None) -> None:
        path, start = self.context.path, self.context.body_line
        self.problems.append(Problem(path, start + line, message, "error", hint))

    def refer(self, code: int, line: int) -> None:
        if code != self.context.own_code:
            self.references.append(Reference(code, self.context.body_line + line))


@dataclass(frozen=True)
class RenderedBody:
    """A body rendered for one language."""

    html: str
    references: tuple[Reference, ...]
    """Status codes the body links to, for backlinks."""
    problems: tuple[Problem, ...]
    first_paragraph: str
    """Plain text of the first paragraph, for a missing overview."""
    ids: tuple[str, ...] = ()
    """The ids of the body's headings, the anchors other pages may link to (sorted: a set
    would be pickled, and hashed into keys, in an order that changes between processes)."""
    fragments: tuple[tuple[int, str, int], ...] = ()
    """(code, anchor, line) of each link to an anchor on a code's page (this one's included)."""
    outline: Outline = ()
    """(level, id) of each heading, for the translations that follow this page."""
    dropped: tuple[str, ...] = ()
    """Ids the headings left out with their empty sections would have had (``{{Compat}}``), sorted."""
    sections: tuple[tuple[str, str], ...] = ()
    """(id, plain text) of each ``<h2>`` of the body, in order: the page's "On this page" list."""


Highlight = Callable[[str, str], str]
"""Returns the HTML of a fenced code block from its code and language: :func:`highlight_block`,
or the engine's cached version of it."""


@functools.cache
def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language or "text")
    except ClassNotFound:
        return get_lexer_by_name("text")


@functools.cache
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def highlight_block(code: str, language: str) -> str:
    """Return the HTML of a fenced code block: Pygments' classes inside ``<pre><code>``."""
    from pygments import highlight

    lexer = _lexer(language)
    css_class = f' class="language-{html.escape(language)}"' if language else ""
    if lexer.name == "HTTP":
        # Pygments reads one message per block: highlight a request and its response apart
        highlighted = "\n".join(highlight(message, lexer, _formatter()) for message in _HTTP_MESSAGE.split(code))
        return f'<pre class="highlight"><code{css_class}>{highlighted}</code></pre>'
    return f'<pre class="highlight"><code{css_class}>{highlight(code, lexer, _formatter())}</code></pre>'


def create_markdown(allow_html: bool = True, highlight: Highlight = highlight_block, callouts: bool = True) -> MarkdownIt:
    """Return a MarkdownIt instance: for bodies (raw HTML allowed, as CommonMark does),
    or for front-matter text (``allow_html=False``: a value there is text, never markup).

    ``highlight`` renders fenced code blocks; the engine passes one that remembers them.
    ``callouts``: ``> [!NOTE]`` quotes become labelled notes (:mod:`sitegen.content.callouts`).
    """
    from markdown_it import MarkdownIt

    def fence(code: str, language: str, attributes: str) -> str:
        return highlight(code, language)

    md = MarkdownIt("commonmark", {"html": allow_html, "highlight": fence, "typographer": False})
    md.enable("table")
    # every link and image is let through the parser, then checked in _rewrite_links,
    # where a refused one becomes text with a warning at its line (markdown-it's own
    # check drops javascript: links in silence and lets data: images through)
    md.validateLink = _any_link  # type: ignore[method-assign]
    md.use(limits_plugin)
    md.use(macros_plugin)
    md.core.ruler.after("macro_lines", "shift_headings", _shift_headings)
    md.core.ruler.after("shift_headings", "align_cells", _align_cells)
    md.core.ruler.after("shift_headings", "rewrite_links", _rewrite_links)
    md.core.ruler.after("rewrite_links", "drop_empty_sections", _drop_empty_sections)
    md.use(headings_plugin)
    if callouts:
        from sitegen.content.callouts import callouts_plugin

        md.use(callouts_plugin)
    md.add_render_rule("macro", _render_macro)
    md.add_render_rule("stray_braces", _render_stray_braces)
    md.add_render_rule("html_block", _render_html)
    md.add_render_rule("html_inline", _render_html)
    md.add_render_rule("template_tag", _render_tag)
    return md


def _shift_headings(state: StateCore) -> None:
    """Make ``#`` headings in a body ``##``: the page template owns the ``<h1>``."""
    levels = [int(token.tag[1]) for token in state.tokens if token.type == "heading_open"]
    if not levels or min(levels) > 1:
        return
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _align_cells(state: StateCore) -> None:
    """Give aligned table cells a class (``align-right``), not a ``style`` attribute: the
    site's Content-Security-Policy allows no inline style."""
    for token in state.tokens:
        style = str(token.attrs.get("style", ""))
        if token.type in ("th_open", "td_open") and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", f"align-{style.removeprefix('text-align:')}")


def _drop_empty_sections(state: StateCore) -> None:
    """Drop a heading whose section holds only macros that render nothing (MDN's
    "Browser compatibility" with ``{{Compat}}``): an empty section helps no reader."""
    tokens = state.tokens
    keep = [True] * len(tokens)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "heading_open":
            index += 1
            continue
        level = int(token.tag[1])
        end = index + 3
        while end < len(tokens) and not (tokens[end].type == "heading_open" and int(tokens[end].tag[1]) <= level):
            end += 1
        section = tokens[index + 3 : end]
        if section and all(item.type == "macro" and item.meta["macro"].name in _NOTHING_MACROS for item in section):
            for position in range(index, end):
                keep[position] = False
            inline = tokens[index + 1]
            state.env.setdefault("dropped", []).append(slugify("".join(child.content for child in inline.children or ())))
        index += 1
    state.tokens = [token for token, kept in zip(tokens, keep, strict=True) if kept]


def _any_link(url: str) -> bool:
    return True


def _refused_link(token: Token, env: _Env, line: int) -> bool:
    """Warn about a link or image whose URL is not http(s), mailto or relative; return whether it is refused."""
    attribute = "src" if token.type == "image" else "href"
    url = str(token.attrGet(attribute) or "")
    why = url_problem(url, relative=True, schemes=BODY_SCHEMES)
    if why is None:
        return False
    what = "image" if token.type == "image" else "link"
    shown = url if len(url) <= 60 else url[:57] + "..."
    env.warn(line, f"{what} to {shown!r}: the URL {why}", "it is shown as plain text")
    return True


def _rewrite_links(state: StateCore) -> None:
    """Point links to code pages at the reader's language; drop links to missing pages
    and links and images whose scheme could run code (``javascript:``, ``data:``)."""
    env: _Env = state.env["sitegen"]
    line = 0
    for block in state.tokens:
        if block.map:
            line = block.map[0]
        if not block.children:
            continue
        children: list[Token] = []
        dropping: list[bool] = []
        breaks = 0
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                breaks += 1
            if token.type == "macro" and dropping:
                token.meta["in_link"] = not dropping[-1]
            if token.type == "image" and _refused_link(token, env, line + breaks):
                token = _as_text(token)
            if token.type == "link_open":
                drop = _refused_link(token, env, line + breaks) or _rewrite_link(token, env, line + breaks)
                dropping.append(drop)
                if drop:
                    continue
            elif token.type == "link_close" and dropping and dropping.pop():
                continue
            children.append(token)
        block.children = children


def _as_text(image: Token) -> Token:
    """Return a refused image as the text of its description."""
    from markdown_it.token import Token

    text = Token("text", "", 0)
    text.content = image.content
    return text


def _rewrite_link(token: Token, env: _Env, line: int) -> bool:
    """Rewrite one link; return ``True`` if it must become plain text."""
    href = str(token.attrGet("href") or "")
    target = linked_code(href)
    if target is not None:
        code, fragment = target
        link = env.context.link_for(code)
        if link is None:
            env.warn(line, f"link to status code {code}, which has no page", "the link is shown as plain text")
            return True
        env.refer(code, line)
        if fragment.strip("#"):
            env.fragments.append((code, fragment.strip("#"), env.context.body_line + line))
        token.attrSet("href", link.url + fragment)
        return False
    if href.startswith("#") and len(href) > 1:
        env.fragments.append((env.context.own_code, href[1:], env.context.body_line + line))
        return False
    absolute = mdn_url(href)
    if absolute:
        token.attrSet("href", absolute)
    elif href.endswith(".md") and "://" not in href:
        env.warn(line, f"link to '{href}', which is not a page of this site", "the link is shown as plain text")
        return True
    return False


def _render_macro(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    return render_macro(token.meta["macro"], env["sitegen"], token.meta.get("line", 0), token.block, not token.meta.get("in_link"))


def _render_stray_braces(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """A ``{{`` or ``{%`` that starts no macro or tag: warn, and keep only what the warning says."""
    token = tokens[idx]
    stray: Stray = token.meta["stray"]
    env["sitegen"].warn(token.meta.get("line", 0), stray.problem)
    return html.escape(stray.kept)


def _render_html(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Raw HTML passes through, but macros and template tags inside it are expanded too.

    One pass from left to right, counting lines and tracking whether we are inside a tag
    as it goes: the cost is the length of the HTML, however many macros it holds.
    """
    token = tokens[idx]
    sitegen_env: _Env = env["sitegen"]
    first_line = token.map[0] if token.map else token.meta.get("line", 0) if token.meta else 0
    content = token.content
    mode = sitegen_env.context.raw_html
    if mode == "deny" and content.startswith("</"):
        return html.escape(content)  # the opening tag is reported
    if mode == "deny":
        shown = " ".join(content.split())
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        sitegen_env.error(
            first_line, f"raw HTML is not allowed on this site: {shown}", 'raw_html = "deny" in [tool.sitegen]; write it in markdown'
        )
        return html.escape(content)
    if mode == "warn":
        for offset, what in risky_parts(content):
            sitegen_env.warn(first_line + offset, f"raw HTML: {what}", 'reported because raw_html = "warn" in [tool.sitegen]')
    parts: list[str] = []
    done = newlines = 0
    last_open = last_close = -1  # positions of the last "<" and ">" before the macro
    for opener in _OPENER.finditer(content):
        start = opener.start()
        if start < done:
            continue  # inside the macro or tag just expanded
        window = min(len(content), start + MAX_CALL_LENGTH)
        parsed: Macro | TemplateTag | None = (
            parse_macro(content, start, window) if opener.group(0) == "{{" else parse_tag(content, start, window)
        )
        if parsed is None:
            continue
        newlines += content.count("\n", done, start)
        last_open = max(last_open, content.rfind("<", done, start))
        last_close = max(last_close, content.rfind(">", done, start))
        line = first_line + newlines
        parts.append(content[done:start])
        if isinstance(parsed, Macro):
            # inside a tag (an attribute value) only text may go, never markup; the
            # attribute is escaped once, so the macro's text is unescaped first
            in_tag = last_open > last_close
            rendered = render_macro(parsed, sitegen_env, line, linked=not in_tag)
            parts.append(html.escape(html.unescape(_MARKUP.sub("", rendered))) if in_tag else rendered)
        else:
            sitegen_env.warn(line, f"unsupported template tag {parsed.source.splitlines()[0]} in HTML", "it is left out of the page")
        done = start + len(parsed.source)
    parts.append(content[done:])
    return "".join(parts)


def _anchor(url: str, inner: str, linked: bool, lang: str = "") -> str:
    """Return ``inner`` linked to ``url``, or alone where a link cannot nest."""
    return f'<a href="{html.escape(url)}"{lang}>{inner}</a>' if linked else inner


def render_macro(macro: Macro, env: _Env, line: int, block: bool = False, linked: bool = True) -> str:
    """Return the HTML of one macro, warning about unknown or malformed ones.

    ``linked`` is false inside a link's text, where another link cannot nest.
    """
    context, arguments = env.context, macro.arguments
    name = macro.name
    if name == "httpstatus":
        if not arguments or not is_number(arguments[0]):
            env.warn(line, f"{macro.source}: a status code is expected as the first argument")
            return html.escape(arguments[1] if len(arguments) > 1 else "")
        code = int(arguments[0].strip())
        link = context.link_for(code)
        if link is None:
            name_text = context.plain_name(code)
            env.warn(line, f"{macro.source}: status code {code} has no page", "it is shown as plain text")
            label = arguments[1] if len(arguments) > 1 and arguments[1] else f"{code} {name_text or ''}".strip()
            return f"<code>{html.escape(label)}</code>"
        env.refer(code, line)
        label = arguments[1] if len(arguments) > 1 and arguments[1] else link.label
        lang = f' lang="{link.lang}"' if link.lang and not (len(arguments) > 1 and arguments[1]) else ""
        return _anchor(link.url, f"<code>{html.escape(label)}</code>", linked, lang)
    if name in ("httpheader", "httpmethod", "glossary", "cssxref", "domxref", "jsxref", "htmlelement"):
        if not arguments or not arguments[0]:
            env.warn(line, f"{macro.source}: a name is expected as the first argument")
            return ""
        section = {
            "httpheader": "Web/HTTP/Headers/",
            "httpmethod": "Web/HTTP/Methods/",
            "glossary": "Glossary/",
            "cssxref": "Web/CSS/",
            "domxref": "Web/API/",
            "jsxref": "Web/JavaScript/Reference/Global_Objects/",
            "htmlelement": "Web/HTML/Element/",
        }[name]
        target = arguments[0].strip()
        label = arguments[1] if len(arguments) > 1 and arguments[1] else target
        url = f"{MDN_ORIGIN}/{context.mdn_locale}/docs/{section}{target.replace(' ', '_')}"
        text = html.escape(label) if name == "glossary" else f"<code>{html.escape(label)}</code>"
        return _anchor(url, text, linked)
    if name == "rfc":
        if not arguments or not is_number(arguments[0]):
            env.warn(line, f"{macro.source}: an RFC number is expected as the first argument")
            return ""
        section = arguments[2].strip() if len(arguments) > 2 else ""
        if section and not _SECTION.match(section):
            env.warn(line, f"{macro.source}: {section!r} is not a section number such as 6.4.7", "the link goes to the whole RFC")
            section = ""
        spec = SpecRef(f"RFC {int(arguments[0].strip())}", section or None)
        title = f": {html.escape(arguments[1])}" if len(arguments) > 1 and arguments[1] else ""
        return _anchor(spec.url, html.escape(spec.label), linked) + title
    if name == "specifications":
        return render_spec_list(context.specs)
    if name in _NOTHING_MACROS:
        return ""
    return _unknown_macro(macro, env, line)


KNOWN_MACROS = (
    "HTTPStatus",
    "HTTPHeader",
    "HTTPMethod",
    "Glossary",
    "cssxref",
    "domxref",
    "jsxref",
    "HTMLElement",
    "RFC",
    "Specifications",
    "Compat",
    "HTTPSidebar",
    "SeeCompatTable",
    "QuickLinksWithSubpages",
    "PreviousNext",
    "Experimental_Inline",
    "Deprecated_Inline",
    "Non-standard_Inline",
    "Optional_Inline",
)
"""The macros sitegen knows, spelt as MDN writes them (for "did you mean")."""
_WRITTEN_NAME = re.compile(r"\{\{\s*([^\s(}]+)")


def _unknown_macro(macro: Macro, env: _Env, line: int) -> str:
    """Warn about an unknown macro and keep its text: the label, else its first argument,
    else its name, so that the sentence keeps its words."""
    arguments = [argument for argument in macro.arguments if argument.strip()]
    written = _WRITTEN_NAME.match(macro.source)
    text = arguments[1] if len(arguments) > 1 else arguments[0] if arguments else (written.group(1) if written else macro.name)
    by_lower = {known.lower(): known for known in KNOWN_MACROS}
    close = difflib.get_close_matches(macro.name, list(by_lower), n=1, cutoff=0.75)
    kept = f"its text '{text}' is kept as plain text"
    env.warn(line, f"unknown macro {macro.source}", f"did you mean {by_lower[close[0]]}? {kept}" if close else kept)
    return html.escape(text)


def render_spec_list(specs: Sequence[SpecRef | SpecLink]) -> str:
    """Return the specification block: one linked "RFC 9110 §15.4.8" per reference."""
    if not specs:
        return ""
    items = "".join(f'<li><a href="{html.escape(spec.url)}">{html.escape(spec.label)}</a></li>' for spec in specs)
    return f'<ul class="specs">{items}</ul>\n'


def _render_tag(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    tag: TemplateTag = token.meta["tag"]
    sitegen_env: _Env = env["sitegen"]
    line = token.meta.get("line", 0)
    if tag.name == "admonition" and not token.block:
        sitegen_env.warn(line, "an admonition inside a paragraph is shown as plain text", "put the tag on its own line")
        return html.escape(" ".join(tag.arguments[1:] or tag.arguments))
    if tag.name == "admonition":
        sitegen_env.warn(
            line,
            "template tag {% admonition %} shown as a note",
            "sitegen has no template tags: a '> **Note:** ...' quote says the same",
        )
        kind = (tag.keyword("type") or (tag.arguments[0] if tag.arguments else "note")).lower()
        kind = kind if kind in _ADMONITION_KINDS else "note"
        title = tag.keyword("name") or (tag.arguments[1] if len(tag.arguments) > 1 else "")
        text = tag.arguments[2] if len(tag.arguments) > 2 else ""
        heading = f'<p class="admonition-title">{html.escape(title)}</p>' if title else ""
        opened = f'<aside class="admonition {kind}">{heading}'
        if text:
            # the Eleventy form carries its text inside the tag: render it as markdown
            inner = self.render(_parse_nested(text, env), options, env)
            return f"{opened}{inner}</aside>\n"
        return opened + "\n"
    if tag.name == "/admonition":
        return "</aside>\n"
    if tag.name == "/unmatched":
        return ""
    sitegen_env.warn(line, f"unsupported template tag {tag.source.splitlines()[0]}", "it is left out of the page")
    return ""


def _parse_nested(text: str, env: dict[str, Any]) -> list[Token]:
    md: MarkdownIt = env["markdown"]
    return md.parse(text, env)


def render_body(md: MarkdownIt, body: str, context: BodyContext) -> RenderedBody:
    """Return the HTML of a body for one language, with its links and problems."""
    sitegen_env = _Env(context)
    budget = Budget()
    env: dict[str, Any] = {"sitegen": sitegen_env, "markdown": md, "budget": budget, SOURCE_OUTLINE: context.source_outline}
    tokens = md.parse(body, env)
    if budget.exceeded:
        return _over_budget(tokens, budget, context)
    for line in budget.deep_lines:
        sitegen_env.warn(
            line,
            f"text nested more than {md.options['maxNesting']} levels deep (quotes or lists) is left out",
            "nest less deeply",
        )
    _balance_admonitions(tokens, sitegen_env)
    first = next((tokens[i + 1] for i, t in enumerate(tokens) if t.type == "paragraph_open"), None)
    body_html = md.renderer.render(tokens, md.options, env)
    first_paragraph = ""
    if first is not None and first.children:
        renderer: RendererHTML = md.renderer  # type: ignore[assignment]
        first_paragraph = re.sub(r"<[^>]+>", "", renderer.renderInline(first.children, md.options, env))
        first_paragraph = html.unescape(" ".join(first_paragraph.split()))
    # the first-paragraph render repeats its warnings: keep each problem once
    problems = tuple(dict.fromkeys(sitegen_env.problems))
    references = tuple(dict.fromkeys(sitegen_env.references))
    ids = tuple(sorted({str(token.attrGet("id")) for token in tokens if token.type == "heading_open" and token.attrGet("id")}))
    sections = tuple(
        (str(token.attrGet("id")), _plain_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2" and token.attrGet("id") and index + 1 < len(tokens)
    )
    headings: HeadingIds | None = env.get(OUTLINE)
    if headings is not None and headings.matched is False:
        problems += (_outline_warning(headings, context),)
    return RenderedBody(
        body_html,
        references,
        problems,
        first_paragraph,
        ids,
        tuple(sitegen_env.fragments),
        headings.outline if headings else (),
        tuple(sorted(set(env.get("dropped", ())))),
        sections,
    )


def _outline_warning(headings: HeadingIds, context: BodyContext) -> Problem:
    """Return the warning of a translation whose headings cannot take the source page's ids."""
    there, here = len(headings.source_levels), len(headings.own_levels)
    difference = f"{there} there, {here} here" if there != here else "other levels"
    return Problem(
        context.path,
        context.body_line + headings.first_difference(),
        f"the headings differ from those of {context.source_path or 'the source page'} ({difference}): their ids"
        " follow this page's words, so links to its sections from other languages may break",
        "warning",
        "keep the source page's headings, same count and levels, or give a heading its id with {#id}",
    )


def _plain_text(inline: Token) -> str:
    """Return the words of a heading's inline token: its text and code, without the "#" link."""
    words: list[str] = []
    in_anchor = False
    for child in inline.children or ():
        if child.type == "link_open" and child.attrGet("class") == "header-anchor":
            in_anchor = True
        elif child.type == "link_close" and in_anchor:
            in_anchor = False
        elif child.type in ("text", "code_inline") and not in_anchor:
            words.append(child.content)
    return " ".join("".join(words).split())


def _over_budget(tokens: list[Token], budget: Budget, context: BodyContext) -> RenderedBody:
    """Return an empty body and the error of a page past :data:`MAX_TOKENS`."""
    line = budget.exceeded_line
    if line is None:
        # the inline parse ran out: the paragraph where the count crossed the limit
        spent = sum(1 for _ in tokens)
        line = 0
        for token in tokens:
            spent += len(token.children or ())
            if spent > budget.limit and token.map:
                line = token.map[0]
                break
    problem = Problem(
        context.path,
        context.body_line + line,
        f"page too complex: more than {MAX_TOKENS:,} markdown elements (table cells, list items, links...) by this line",
        "error",
        "split the page, or shorten its tables and lists",
    )
    return RenderedBody("", (), (problem,), "")


def _closing_tag(line: int) -> Token:
    from markdown_it.token import Token

    closing = Token("template_tag", "", 0, block=True)
    closing.meta = {"tag": TemplateTag("/admonition", (), (), ""), "line": line}
    return closing


def _balance_admonitions(tokens: list[Token], env: _Env) -> None:
    """Warn about, and close, admonitions left open, so the HTML stays well formed.

    An admonition opened inside a container (a quote, a list item) is closed before the
    container ends; a closing tag at another depth than its opening one closes nothing.
    """
    open_levels: list[tuple[int, int]] = []  # (token level, line) of each open admonition
    balanced: list[Token] = []
    for token in tokens:
        if token.nesting == -1:
            while open_levels and open_levels[-1][0] > token.level:
                _level, line = open_levels.pop()
                env.warn(line, "an admonition is never closed inside its quote or list", "add {% endadmonition %} there")
                balanced.append(_closing_tag(line))
        if token.type == "template_tag":
            tag: TemplateTag = token.meta["tag"]
            if tag.name == "admonition" and token.block and len(tag.arguments) < 3:
                open_levels.append((token.level, token.meta.get("line", 0)))
            elif tag.name == "/admonition":
                if not open_levels or open_levels[-1][0] != token.level:
                    env.warn(token.meta.get("line", 0), f"{tag.source} closes nothing")
                    token.meta["tag"] = TemplateTag("/unmatched", (), (), tag.source)
                else:
                    open_levels.pop()
        balanced.append(token)
    for _level, line in reversed(open_levels):
        env.warn(line, "an admonition is never closed", "add {% endadmonition %}")
        balanced.append(_closing_tag(line))
    tokens[:] = balanced
