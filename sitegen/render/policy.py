"""The Content-Security-Policy: the one place that says what a page of the site may load.

Built pages satisfy it: no inline script (the language chooser's is ``static/language.js``),
no inline style (aligned table cells get a class), no event-handler attribute (``raw_html``
in ``[tool.sitegen]`` lets ``check`` report those an author writes). Every page carries it
in a ``<meta http-equiv>``, for hosts that send no headers; ``_headers`` and ``_nginx.conf``
send it as a header (:func:`sitegen.output.hosting.extra_headers`), and so does the dev
server (:mod:`sitegen.live.preview`).
"""

from __future__ import annotations

POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    # Pagefind's search runs WebAssembly (and a worker from /pagefind/): 'wasm-unsafe-eval'
    # allows compiling WebAssembly only, not eval() of JavaScript
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self' https:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
)
"""The policy, directive by directive: scripts, styles and fonts from the site itself,
images from it or any https address, nothing framed or embedded."""
HEADER_ONLY: tuple[tuple[str, str], ...] = (("frame-ancestors", "'none'"),)
"""Directives browsers ignore (with a console error) in a ``<meta>``: the header alone."""
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
"""Sent beside the policy by every host."""


def content_security_policy(*, header: bool = True) -> str:
    """Return the policy as a header value, or (``header=False``) as a ``<meta>`` gives it."""
    directives = POLICY + (HEADER_ONLY if header else ())
    return "; ".join(f"{name} {value}" for name, value in directives)


def security_headers() -> tuple[tuple[str, str], ...]:
    """Return the headers every response of the site gets: the policy first."""
    return (("Content-Security-Policy", content_security_policy()), *SECURITY_HEADERS)
