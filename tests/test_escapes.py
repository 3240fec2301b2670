"""No generated ``<``, ``"`` or ``javascript:`` reaches any output unescaped.

Hypothesis writes pages whose every front-matter field, macro argument, link, heading and
the site's title are made of hostile fragments (tags, quotes that close attributes,
``javascript:`` in every spelling, ``</script>``, ``]]>``, newlines, template braces). The
whole site is built, and every output is read the way its reader reads it: HTML elements
and attributes, JSON and JSON-LD, the sitemap's XML, ``robots.txt``, and the hosting files
(``_redirects``, ``_headers``, ``_nginx.conf``). A fragment may show as text; it must never
become an element, an attribute, a link that runs a script, or a line of its own.

``SITEGEN_EXAMPLES`` sets the number of sites built (default 25).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.engine.build import build_site
from tests.conftest import REPO

EXAMPLES = int(os.environ.get("SITEGEN_EXAMPLES", "25"))
PROBE_TAG = "x-probe"
PROBE_ATTRIBUTE = "data-probe"
FRAGMENTS = [
    "<x-probe>",
    "</p><x-probe>",
    "<x-probe/>",
    '"',
    "'",
    '" data-probe="1',
    "' data-probe='1",
    " data-probe=1 ",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "&",
    "&amp;",
    "&#x3C;x-probe>",
    "&lt;x-probe&gt;",
    "</script><x-probe>",
    "]]><x-probe/>",
    "<!--",
    "-->",
    "{{",
    "}}",
    "{%",
    "%}",
    "\n",
    "\r\n",
    "\u2028",
    "\\",
    "`",
    "*",
    "_",
    "[",
    "](javascript:alert(1))",
    "<javascript:alert(1)>",
    "%0a",
    ":",
    "#",
    "/",
    "..",
    ";",
    "}",
    "{",
    " ",
]
text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=6).map("".join)
word = text.map(lambda value: "N" + value)  # never empty: a name or a title must have text
url = st.one_of(
    st.sampled_from(
        [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<x-probe>",
            "vbscript:msgbox(1)",
            'https://example.test/" data-probe="1',
            "https://example.test/<x-probe>",
            "../<x-probe>/",
            "/en/200/",
        ]
    ),
    text.map(lambda value: "https://example.test/" + value),
    text,
)
URL_SAFE = "/?#&'()*+,;=:@!$%"
"""Characters kept as they are in the generated URLs of fields: the rest is percent-encoded."""
CONFIG = """
[tool.sitegen]
title = {title}
base_url = "https://example.test/"
raw_html = "{raw_html}"
templates = "{repo}/templates"
static = "{repo}/static"
locales = "{repo}/locales"

[[tool.sitegen.languages]]
tag = "en"
name = "English"

[[tool.sitegen.languages]]
tag = "fr"
name = "Français"
"""


def _inside(value: str) -> str:
    """Return ``value`` without what would end a macro argument or a link destination: the
    fragment then stays inside it (out of it, it would be body text, the author's HTML)."""
    return re.sub(r"[\"(){}\\\x00-\x20\x7f\u2028]", "", value).lstrip("<")


def toml_string(value: str) -> str:
    """Return ``value`` as a TOML basic string."""
    escapes = {"\\": "\\\\", '"': '\\"'}
    body = "".join(
        escapes.get(character) or (f"\\u{ord(character):04x}" if ord(character) < 0x20 or character == "\x7f" else character)
        for character in value
    )
    return f'"{body}"'


@st.composite
def pages(draw: st.DrawFn, raw_html: str) -> tuple[str, str, str]:
    """Return (site title, page text, raw_html) with every field, macro argument and link
    generated.

    With ``raw_html = "allow"``, HTML in the body's own text is the author's, kept by design:
    the body's text stays plain and the macro arguments and link URLs stay inside their
    syntax. With ``"deny"``, every part of the body is generated, its syntax broken or not.
    """
    free = (lambda: draw(text)) if raw_html == "deny" else (lambda: "Text")
    inside = (lambda strategy: draw(strategy)) if raw_html == "deny" else (lambda strategy: _inside(draw(strategy)))
    fields = {
        "code": 418,
        "name": draw(word),
        "title": draw(word),
        "overview": draw(text),
        "takeaways": draw(st.lists(word, max_size=2)),
        "seeAlso": [200],
        "status": "unofficial",
        "sent_by": draw(st.lists(word, min_size=1, max_size=2)),
        "alternative": draw(word),
        # URLs that pass the field's check (refusals are tests/test_urls.py's): the page builds
        "more": [{"title": draw(word), "from": draw(text), "url": "https://example.test/" + quote(draw(text), safe=URL_SAFE)}],
        "spec": ["RFC 9110 §15.5.1", {"title": draw(word), "url": "https://example.test/" + quote(draw(text), safe=URL_SAFE)}],
        "aliases": ["/old/" + draw(text) + "/"],
        "faq": [{"q": draw(word), "a": draw(word)}],
    }
    body = "\n\n".join(
        [
            f"## N{free()}",
            f'{free()} {{{{HTTPHeader("{inside(text)}")}}}} {{{{HTTPMethod({inside(text)})}}}} {{{{Glossary("{inside(text)}")}}}}',
            f'{{{{RFC("9110", "{inside(text)}", "15.5")}}}} {{{{HTTPStatus("200", "{inside(text)}")}}}}',
            f"[{free()}]({inside(url)}) and [{free()}](https://example.test/{inside(text)})",
            f"<https://example.test/{re.sub('[<>]', '', inside(text))}>",
            f"| {free()} | b |\n|:-|-:|\n| {free()} | 2 |",
        ]
    )
    front_matter = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    return draw(word), f"---\n{front_matter}---\n\n{body}\n", raw_html


DATA_SCRIPTS = ("application/ld+json", "application/json")
"""Script elements that hold data, never run (JSON-LD, the page's interface strings)."""


class Reader(HTMLParser):
    """Everything a browser would make of an HTML output that matters here."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if PROBE_TAG in tag:
            self.found.append(f"an element <{tag}>")
        for name, value in attrs:
            if PROBE_ATTRIBUTE in name:
                self.found.append(f"an attribute {name} on <{tag}>")
            cleaned = "".join(character for character in (value or "") if character not in "\t\n\r").strip().lower()
            if name in ("href", "src", "action", "formaction") and cleaned.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{name}={value!r} on <{tag}>")
            # a description may say "javascript:" (text); a refresh may not go there (a URL)
            if name == "content" and (dict(attrs).get("http-equiv") or "").lower() == "refresh" and "javascript:" in cleaned:
                self.found.append(f"a refresh to {value!r}")
        if tag == "script":
            kind = dict(attrs).get("type") or ""
            if kind not in DATA_SCRIPTS and not dict(attrs).get("src"):
                self.found.append("an inline <script>")
            self._script, self._script_text = kind, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script in DATA_SCRIPTS:
            json.loads("".join(self._script_text))  # data that a value broke out of would not parse
        if tag == "script":
            self._script = None


def check_output(path: str, data: bytes) -> list[str]:
    """Return what in one output file a generated value made: never anything."""
    if path.endswith(".html"):
        reader = Reader()
        reader.feed(data.decode("utf-8"))
        reader.close()
        return [f"{path}: {found}" for found in reader.found]
    if path.endswith(".json"):
        json.loads(data)
        return []
    if path.endswith(".xml"):
        root = ET.fromstring(data)
        made = [element for element in root.iter() if PROBE_TAG in element.tag or PROBE_ATTRIBUTE in "".join(element.attrib)]
        return [f"{path}: <{element.tag}>" for element in made]
    text = data.decode("utf-8")
    if path == "robots.txt":
        return [] if text == "User-agent: *\nAllow: /\n\nSitemap: https://example.test/sitemap.xml\n" else [f"{path}: {text!r}"]
    if path == "_redirects":
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        return [f"{path}: {line!r}" for line in lines if not re.fullmatch(r"/[^\s*:]+ /\S+ 301", line)]
    if path == "_headers":
        return [f"{path}: {line!r}" for line in text.splitlines() if line and not re.fullmatch(r"#.*|/\S*|  [A-Za-z-]+: [^\r\n]+", line)]
    if path == "_nginx.conf":
        try:
            nginx_redirects(text)
        except ValueError as error:
            return [f"{path}: {error}"]
    return []


NGINX_TOKEN = re.compile(r"""\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"']+""", re.DOTALL)
NGINX_DIRECTIVES = {0: {"error_page", "gzip_static", "gzip_vary", "location"}, 1: {"return", "add_header"}}


def nginx_redirects(text: str) -> dict[str, str]:
    """Read ``_nginx.conf`` as nginx does (words, quoted strings and their escapes, ``;``,
    blocks) and return its redirects, old path (decoded) to new; raise ValueError on a
    directive that sitegen does not write, or where it does not write it."""
    words: list[str] = []
    depth, position, moves, location = 0, 0, {}, ""
    while position < len(text):
        match = NGINX_TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"unreadable at {text[position : position + 40]!r}")
        token, position = match.group(), match.end()
        if token.isspace() or token.startswith("#"):
            continue
        if token[0] in "\"'":
            words.append(re.sub(r"\\(.)", lambda escape: {"n": "\n", "t": "\t", "r": "\r"}.get(escape[1], escape[1]), token[1:-1]))
        elif token in ("{", ";"):
            if not words or words[0] not in NGINX_DIRECTIVES.get(depth, set()):
                raise ValueError(f"{words} at depth {depth}")
            if token == "{":
                depth, location = depth + 1, words[-1] if words[:2] == ["location", "="] and len(words) == 3 else ""
            elif words[0] == "return" and location:
                moves[location] = words[2]
            words = []
        elif token == "}":
            if words or depth == 0:
                raise ValueError(f"a stray '}}' after {words}")
            depth -= 1
        else:
            words.append(token)
    if depth or words:
        raise ValueError(f"unclosed: {words}")
    return moves


def check_redirects(files: dict[str, bytes]) -> list[str]:
    """Return the redirects of ``_redirects`` and ``_nginx.conf`` that are not the alias
    pages' own: both files must name the same old paths, each the folder of a redirect page."""
    lines = [line.split(" ") for line in files["_redirects"].decode("utf-8").splitlines() if line and not line.startswith("#")]
    netlify = {unquote(old, errors="strict"): new for old, new, _status in lines}
    nginx = nginx_redirects(files["_nginx.conf"].decode("utf-8"))
    pages = {old for old in netlify if old.lstrip("/") + "index.html" in files}
    return [] if netlify == nginx and pages == set(netlify) else [f"redirects: {netlify} in _redirects, {nginx} in _nginx.conf"]


@pytest.mark.timeout(max(120, EXAMPLES * 6))  # a few hundred milliseconds a site, more on a busy machine
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(["allow", "deny"]).flatmap(pages))
@example(
    (
        "N",
        '---\ncode: 418\nname: N\naliases: ["/old/x\\n/ https://evil.example/ 301", "/old/{return 302 x;}/", "/old/a b\'\\"c/",'
        ' "/old/:p/*"]\n'
        "---\n\nText\n",
        "allow",
    )
)
@example(
    (
        '"><x-probe>',
        '---\nname: "<x-probe>"\ncode: 418\nmore: [{title: "<x-probe>", url: "https://example.test/?a=1&b=\'x\'"}]\n---\n\n<x-probe>\n',
        "deny",
    )
)
def test_no_generated_markup_reaches_any_output(generated: tuple[str, str, str]) -> None:
    title, page, raw_html = generated
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text(CONFIG.format(title=toml_string(title), repo=REPO, raw_html=raw_html), "utf-8")
        (root / "content" / "en").mkdir(parents=True)
        (root / "content" / "en" / "418.md").write_text(page, "utf-8")
        (root / "content" / "en" / "200.md").write_text("---\ncode: 200\nname: OK\n---\n\nFine.\n", "utf-8")
        config, problems = load_config(root)
        assert config is not None, problems
        result = build_site(config)
    found = [line for path, data in sorted(result.files.items()) for line in check_output(path, data)]
    found += check_redirects(result.files)
    assert found == []
    # every value reached the pages: a page refused as a whole would prove nothing
    errors = [problem.format() for problem in result.errors if not problem.message.startswith(("alias ", "raw HTML is not allowed"))]
    assert errors == []
    assert "en/418/index.html" in result.files
