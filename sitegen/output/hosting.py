"""What static hosts read beside the pages: ``_redirects`` and ``_headers`` (Netlify,
Cloudflare Pages) and ``_nginx.conf``, an nginx snippet with the same rules.

All three come from one list of rules, so they cannot drift apart: the redirects of old
URLs (``aliases``, MDN's ``original_slug``) at status 301, and the cache lifetime of each
kind of file. Extra response headers (a Content-Security-Policy, for example) go in
:func:`extra_headers`: every file gets them, on every host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from sitegen.render.plan import STYLESHEET
from sitegen.render.policy import security_headers
from sitegen.site import urls

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sitegen.render.plan import Output
    from sitegen.site.model import Config

HOSTING_FILES = ("_redirects", "_headers", "_nginx.conf")
"""The files this module writes at the top of the site."""

LONG = "public, max-age=31536000, immutable"
"""Files whose URL changes with their content: the stylesheet is linked as ``style.css?v=<hash>``."""
SHORT = "public, max-age=0, must-revalidate"
"""Pages: always revalidated, so a new build shows at once."""
MEDIUM = "public, max-age=3600"
"""Other static files and data (icons, JSON, XML): an hour."""


@dataclass(frozen=True, slots=True)
class CacheRule:
    """The ``Cache-Control`` of the files a URL pattern matches."""

    pattern: str
    """A ``_headers`` path pattern (``/static/*``)."""
    nginx: str
    """The same, as an nginx ``location`` (``^~ /static/``)."""
    cache_control: str


def extra_headers(config: Config) -> tuple[tuple[str, str], ...]:
    """Return the headers every response gets on every host, beside ``Cache-Control``:
    the Content-Security-Policy and the other security headers (:mod:`sitegen.render.policy`)."""
    return security_headers()


def cache_rules(config: Config, paths: Iterable[str]) -> tuple[CacheRule, ...]:
    """Return the cache rules of the site's files (output paths), most specific first.

    The ``_headers`` patterns never overlap: Netlify and Cloudflare Pages apply every rule
    that matches and join the values of a header named twice.
    """
    base = _decoded_base(config)
    rules = []
    top = sorted({path.split("/", 1)[0] for path in paths if "/" in path} - {"static", "api"})
    for path in sorted(paths):
        if path.startswith("static/"):
            lifetime = LONG if path == STYLESHEET else MEDIUM
            rules.append(CacheRule(_url_path(base + path), f"= {_nginx_path(base + path)}", lifetime))
    rules.append(CacheRule(_url_path(base + "api/") + "*", f"^~ {_nginx_path(base + 'api/')}", MEDIUM))
    rules.extend(CacheRule(f"{_url_path(base + folder)}/*", f"^~ {_nginx_path(f'{base}{folder}/')}", SHORT) for folder in top)
    for path in sorted(path for path in paths if "/" not in path and path not in HOSTING_FILES):
        shown = "" if path == "index.html" else path
        # nginx serves "/" through an internal redirect to /index.html, which "location = /" does not cover
        nginx = f"= {_nginx_path(base + path)}"
        rules.append(CacheRule(_url_path(base + shown), nginx, MEDIUM if path.endswith((".xml", ".txt")) else SHORT))
    return tuple(rules)


_PLAIN_NGINX = re.compile(r"[A-Za-z0-9/._~!*()+,=:@%-]+")
_NGINX_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _decoded_base(config: Config) -> str:
    """Return the path the site is published under, decoded (``base_url`` holds it
    percent-encoded): every path in this module is decoded, and encoded or quoted once, as
    each file needs it."""
    return unquote(urls.base_path(config))


def _url_path(path: str) -> str:
    """Return a URL path (decoded, as on disk) as ``_redirects`` and ``_headers`` need it:
    percent-encoded (Netlify: "special characters in paths must be url-encoded"), so that a
    space or a non-ASCII letter in an old URL cannot split or break the line; ``*`` and ``:``
    too, which those files read as a splat and a placeholder."""
    return quote(path, safe="/!&'()+,;=@-._~")


def _nginx_path(path: str) -> str:
    """Return a URL path (decoded) as an nginx ``location`` matches it, quoted when it holds
    anything nginx's syntax would read (a space, ';', '{', a quote, '$'): never a broken config."""
    return path if _PLAIN_NGINX.fullmatch(path) else _nginx_word(path)


def _nginx_word(text: str) -> str:
    """Return ``text`` as one quoted nginx word, with nginx's escapes."""
    return '"' + "".join(_NGINX_ESCAPES.get(character, character) for character in text) + '"'


def redirects(config: Config, outputs: Mapping[str, Output]) -> list[tuple[str, str]]:
    """Return (old URL path, new URL path) of every alias, decoded, sorted."""
    base = _decoded_base(config)
    found = []
    for path, output in outputs.items():
        if output.kind == "alias" and output.target:
            found.append((base + path.removesuffix("index.html"), unquote(output.target)))
    return sorted(found)


def render_redirects(moves: list[tuple[str, str]]) -> str:
    """Return the ``_redirects`` file: ``/old/307/ /en/307/ 301`` per line."""
    header = "# Old URLs (aliases, original_slug), for Netlify and Cloudflare Pages. Made by sitegen.\n"
    return header + "".join(f"{_url_path(old)} {_url_path(new)} 301\n" for old, new in moves)


def render_headers(config: Config, rules: tuple[CacheRule, ...]) -> str:
    """Return the ``_headers`` file (Netlify, Cloudflare Pages)."""
    lines = ["# Response headers, for Netlify and Cloudflare Pages. Made by sitegen.\n"]
    shared = extra_headers(config)
    for rule in rules:
        lines.append(f"{rule.pattern}\n  Cache-Control: {rule.cache_control}\n")
        lines.extend(f"  {name}: {value}\n" for name, value in shared)
    return "".join(lines)


def render_nginx(config: Config, moves: list[tuple[str, str]], rules: tuple[CacheRule, ...], precompressed: bool) -> str:
    """Return an nginx snippet with the same rules, to ``include`` in a ``server { }`` block."""
    base = _decoded_base(config)
    shared = extra_headers(config)

    def headers(cache_control: str) -> str:
        # add_header in a location replaces the server's: every header is repeated there
        return "".join(f"    add_header {name} {_quoted(value)} always;\n" for name, value in (("Cache-Control", cache_control), *shared))

    lines = [
        "# nginx rules for this site, made by sitegen: `include` this file inside the\n",
        "# server { } block whose root is the built site folder.\n",
        f"error_page 404 {_nginx_path(base + '404.html')};\n",
    ]
    if precompressed:
        lines.append("gzip_static on;  # serves the .gz files beside each page\n")
        lines.append("gzip_vary on;  # Vary: Accept-Encoding, so that no cache gives a .gz to a client that cannot read it\n")
        lines.append("# brotli_static on;  # with the ngx_brotli module: serves the .br files\n")
    hidden = "^" + re.escape(base) + "_(redirects|headers|nginx\\.conf)$"
    hidden = hidden if _PLAIN_NGINX.fullmatch(base) else _nginx_word(hidden)
    lines.append(f"location ~ {hidden} {{\n    return 404;\n}}\n")
    for old, new in moves:
        lines.append(f"location = {_nginx_path(old)} {{\n    return 301 {_nginx_path(_url_path(new))};\n}}\n")
    for rule in rules:
        lines.append(f"location {rule.nginx} {{\n{headers(rule.cache_control)}}}\n")
    return "".join(lines)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hosting_files(config: Config, outputs: Mapping[str, Output], static: Iterable[str]) -> dict[str, bytes]:
    """Return ``_redirects``, ``_headers`` and ``_nginx.conf``, keyed by output path.

    ``outputs`` are the planned pages (aliases included), ``static`` the static files' paths.
    """
    moves = redirects(config, outputs)
    pages = [path for path, output in outputs.items() if output.kind != "alias"]
    rules = cache_rules(config, [*pages, *static])
    return {
        "_redirects": render_redirects(moves).encode("utf-8"),
        "_headers": render_headers(config, rules).encode("utf-8"),
        "_nginx.conf": render_nginx(config, moves, rules, config.precompress).encode("utf-8"),
    }
