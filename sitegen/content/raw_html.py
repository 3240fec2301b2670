"""Raw HTML in a page's body: what in it can run code or take the reader elsewhere.

CommonMark lets an author write HTML, and sitegen keeps that (``raw_html = "allow"``, the
default). A site that takes pages from outside contributors can ask ``check`` to report
the dangerous parts (``"warn"``), or refuse raw HTML altogether (``"deny"``). The
Content-Security-Policy of the built pages blocks scripts, event handlers and frames in
any case; a ``<meta http-equiv="refresh">``, a ``<base>`` or a ``<form>`` it cannot block.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

RAW_HTML_MODES = ("allow", "warn", "deny")
RISKY_ELEMENTS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta", "base", "link", "form", "style")
"""Elements that run code, load or frame another document, redirect, or restyle the page."""
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href", "background", "srcdoc")
_SCHEME = re.compile(r"^[\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_BAD_SCHEMES = ("javascript", "vbscript", "data")


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0] - 1
        if tag in RISKY_ELEMENTS:
            self.found.append((line, f"{'an' if tag[0] in 'aeiou' else 'a'} <{tag}> element"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((line, f"an event-handler attribute {name}= on <{tag}>"))
            elif name in URL_ATTRIBUTES and value is not None:
                cleaned = "".join(character for character in value if character not in "\t\n\r")
                scheme = _SCHEME.match(cleaned)
                if scheme and scheme.group(1).lower() in _BAD_SCHEMES:
                    self.found.append((line, f"a {scheme.group(1).lower()}: URL in {name}= on <{tag}>"))

    handle_startendtag = handle_starttag


def risky_parts(html: str) -> list[tuple[int, str]]:
    """Return (line offset in ``html``, what) for each part of raw HTML that can run code,
    frame another document or take the reader elsewhere."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.found
