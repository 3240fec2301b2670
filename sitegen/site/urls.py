"""Where each page lives: URL paths and the output files behind them."""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import quote, urlsplit

from sitegen.site.model import Config, Language

MDN_ORIGIN = "https://developer.mozilla.org"
_MDN_STATUS = re.compile(r"^/[A-Za-z-]+/docs/Web/HTTP/(?:Reference/)?Status/([0-9]{3})/?(?:#.*)?$", re.IGNORECASE)
_LOCAL_PAGE = re.compile(r"^(?:\.{1,2}/)*(?:(?:[a-z]{2,3}(?:-[a-z0-9]+)?)/)?([0-9]{3})(?:\.md|/)?(#[\w.-]*)?$", re.IGNORECASE)
_SITE_PAGE = re.compile(r"^/(?:[a-z]{2,3}(?:-[a-z0-9]+)?/)?([0-9]{3})/?(#[\w.-]*)?$", re.IGNORECASE)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"`]")
"""Characters no link of ours holds: spaces and controls (browsers drop tabs and newlines,
so ``java\tscript:`` would run), backslashes (read as ``/``), and quotes and brackets."""
WEB_SCHEMES = ("http", "https")
BODY_SCHEMES = (*WEB_SCHEMES, "mailto")
"""What a link written in a page's markdown may use besides relative URLs."""


def url_problem(url: str, *, relative: bool = False, schemes: tuple[str, ...] = WEB_SCHEMES) -> str | None:
    """Return why ``url`` may not be linked to from a page, or ``None`` if it may.

    Only ``http(s)`` URLs with a host pass (``schemes`` narrows that to ``https``), and
    relative ones when ``relative``: ``javascript:``, ``data:``, ``vbscript:`` and every
    other scheme would run or show what the author of a field chose, not a page.
    """
    if not url:
        return "is empty"
    scheme = _SCHEME.match(url)
    if scheme is not None and scheme.group(1).lower() not in schemes:
        return f"must be an {_schemes(schemes)} URL, not a '{scheme.group(1).lower()}:' one"
    unsafe = _UNSAFE.search(url)
    if unsafe:
        return f"contains {_describe(unsafe.group())}, which no URL may hold (write it percent-encoded)"
    if scheme is None:
        return None if relative else f"must be an absolute {_schemes(schemes)} URL"
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"is not a URL: {error}"
    if scheme.group(1).lower() in WEB_SCHEMES and not parts.hostname:
        return "has no host name"
    return None


def _describe(character: str) -> str:
    names = {" ": "a space", "\\": "a backslash", "<": "'<'", ">": "'>'", '"': "a double quote", "`": "a backquote"}
    return names.get(character, f"the control character U+{ord(character):04X}")


def _schemes(schemes: tuple[str, ...]) -> str:
    names = ["http(s)" if scheme == "http" else scheme for scheme in schemes if not (scheme == "https" and "http" in schemes)]
    return " or ".join(names)


def checked_base_url(text: str) -> tuple[str | None, str | None]:
    """Return ``base_url`` as every output uses it (lower-case scheme and host, ending in
    ``/``, percent-encoded), or ``None`` and why it is refused."""
    problem = url_problem(text)
    if problem is not None:
        return None, problem
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None:
        return None, "must not hold a user name or password"
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        return None, "must not hold a query ('?') or a fragment ('#')"
    try:
        port = parts.port
    except ValueError:
        return None, "has an invalid port"
    host = (parts.hostname or "").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None, f"has a host name that cannot be encoded: {host!r}"
    host = f"[{host}]" if ":" in host else host
    path = quote(parts.path or "/", safe="/-._~!$&'()*+,;=:@%")
    path = path if path.endswith("/") else path + "/"
    return f"{parts.scheme.lower()}://{host}{f':{port}' if port is not None else ''}{path}", None


def base_path(config: Config) -> str:
    """Return the path the site is published under: ``/`` or ``/http-status/``."""
    return _base_path(config.base_url)


@functools.cache  # asked for every link of every page
def _base_path(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def home_url(config: Config) -> str:
    """Return the URL path of the language chooser."""
    return base_path(config)


def language_url(config: Config, language: Language) -> str:
    """Return the URL path of a language's index: ``/fr/``."""
    return f"{base_path(config)}{language.segment}/"


def codes_url(config: Config, language: Language) -> str:
    """Return the URL path of a language's list of codes and names, for the search box: ``/fr/codes.json``."""
    return f"{base_path(config)}{language.segment}/codes.json"


def not_found_url(config: Config, language: Language) -> str:
    """Return the URL path of a language's "page not found" page: ``/fr/404.html``."""
    return f"{base_path(config)}{language.segment}/404.html"


def class_url(config: Config, language: Language, class_key: str) -> str:
    """Return the URL path of one class's index: ``/fr/3xx/``."""
    return f"{base_path(config)}{language.segment}/{class_key}/"


def page_url(config: Config, language: Language, code: int) -> str:
    """Return the URL path of a code's page: ``/fr/307/``."""
    return f"{base_path(config)}{language.segment}/{code}/"


def compare_url(config: Config, language: Language, name: str) -> str:
    """Return the URL path of a comparison table: ``/fr/compare/redirects/``."""
    return f"{compare_index_url(config, language)}{name}/"


def compare_index_url(config: Config, language: Language) -> str:
    """Return the URL path of the list of comparison tables: ``/fr/compare/``."""
    return f"{base_path(config)}{language.segment}/compare/"


def guide_url(config: Config, language: Language) -> str:
    """Return the URL path of the "Which status code should I return?" guide: ``/fr/guide/``."""
    return f"{base_path(config)}{language.segment}/guide/"


def card_url(config: Config, language: Language, code: int) -> str:
    """Return the URL path of a code's social card in a language: ``/fr/307/card.svg``."""
    return f"{page_url(config, language, code)}card.svg"


def absolute(config: Config, path: str) -> str:
    """Return the absolute URL of a URL path of this site."""
    root = config.base_url[: -len(base_path(config))] if base_path(config) != "/" else config.base_url.rstrip("/")
    return root + path


def output_path(url_path: str, config: Config) -> str:
    """Return the output file, relative to ``_site/``, that serves a URL path."""
    relative = url_path[len(base_path(config)) :]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative


def safe_output_path(relative: str) -> str | None:
    """Return ``relative`` normalised, or ``None`` if it would leave the output folder."""
    if "\\" in relative or "\x00" in relative:
        return None
    normal = posixpath.normpath("/" + relative.lstrip("/"))
    # normpath("/../x") is "/x": a leading ".." cannot climb, but we refuse it outright
    if ".." in relative.split("/") or normal in ("/", "/."):
        return None
    return normal.lstrip("/")


def linked_code(href: str) -> tuple[int, str] | None:
    """Return (code, fragment) if ``href`` points at a status-code page.

    Accepts the forms authors write: ``303.md``, ``../303/``, ``/fr/303/`` and MDN's
    ``/fr/docs/Web/HTTP/Status/303``.
    """
    for pattern in (_MDN_STATUS, _LOCAL_PAGE, _SITE_PAGE):
        match = pattern.match(href)
        if match:
            fragment = match.group(2) if pattern is not _MDN_STATUS and match.lastindex and match.lastindex >= 2 else None
            return int(match.group(1)), fragment or ""
    return None


def mdn_url(href: str) -> str | None:
    """Return the absolute MDN URL of a root-relative MDN path such as ``/fr/docs/Web/...``."""
    if re.match(r"^/[A-Za-z-]+/docs/", href):
        return MDN_ORIGIN + href
    return None
