"""Exchange diagrams: a page's ```http example drawn as an SVG sequence diagram.

Lanes for the client, a proxy or CDN when one answers or forwards, and the server; the
messages in order, status lines highlighted, the headers that matter shown. A redirect
gets the request that follows it, a 100 or 103 its final response after the interim one.
Pure: text in, SVG text out; the words come from the reader's UI catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sitegen.site.registry import N_

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_FENCE = re.compile(r"^```http[^\n]*\n(.*?)^```", re.M | re.S)
_REQUEST = re.compile(r"^([A-Z]+) (\S+) (HTTP/[0-9.]+)$")
_STATUS = re.compile(r"^(HTTP/[0-9.]+) ([0-9]{3})(?: (.*))?$")
_HEADER = re.compile(r"^([A-Za-z0-9-]+):\s*(.*)$")

SHOWN_HEADERS = (
    "location", "www-authenticate", "proxy-authenticate", "authorization", "proxy-authorization", "retry-after",
    "link", "expect", "upgrade", "allow", "via", "range", "content-range", "if-match", "if-none-match", "etag",
    "cache-control", "accept", "content-type", "set-cookie", "cookie", "alt-svc", "server",
)  # fmt: skip
"""Headers a diagram may show, most telling first; at most :data:`MAX_HEADERS` per message."""
MAX_HEADERS = 2
MAX_CHARS = 58


@dataclass(frozen=True, slots=True)
class Failure:
    """What a gateway met behind it before it answered with an error code."""

    what: str
    """What went wrong, drawn dashed between the gateway and the server."""
    attempt: str | None = None
    """What the gateway sent the server, when the request itself never got that far."""
    answered: bool = True
    """``False``: nothing came back from the server; the failure is drawn towards it."""


CONTENT = N_("the request's content")
"""What a client sends after a 100 (Continue) that its ``Expect: 100-continue`` waited for."""
CONNECTING = N_("connection attempt")
HANDSHAKE = N_("TLS handshake")
GATEWAY_FAILURES = {
    502: Failure(N_("no valid response")),
    504: Failure(N_("no response in time")),
    520: Failure(N_("no valid response")),
    521: Failure(N_("connection refused"), CONNECTING),
    522: Failure(N_("connection timed out"), CONNECTING),
    523: Failure(N_("no route to the server"), answered=False),
    524: Failure(N_("no response in time")),
    525: Failure(N_("TLS handshake failed"), HANDSHAKE),
    526: Failure(N_("certificate not valid"), HANDSHAKE),
    527: Failure(N_("connection failed"), CONNECTING),
    530: Failure(N_("host name not resolved (DNS)"), answered=False),
}
"""What happens behind a gateway that answers these codes (Cloudflare's 52x as their pages
say; another code a gateway sends: as for 502)."""
LANES = {"client": N_("Client"), "proxy": N_("Proxy or CDN"), "server": N_("Server")}
EXCHANGE_CAPTION = N_("The example below as a sequence diagram")
STEP = N_("%(number)s. %(sender)s → %(receiver)s: %(message)s")
"""One step of the diagram's description (French puts a no-break space before the colon)."""
EXCHANGE_WORDS = (
    STEP,
    CONTENT,
    *dict.fromkeys(word for failure in GATEWAY_FAILURES.values() for word in (failure.what, failure.attempt) if word),
)
"""The words a diagram may show besides the lanes, for the message catalogs."""
WIDTH = 640


@dataclass(frozen=True, slots=True)
class Message:
    """One request or response of the example."""

    start: str
    """The request line or the status line."""
    headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    """The code of a response; ``None`` for a request."""


@dataclass(frozen=True, slots=True)
class Arrow:
    """One arrow of the diagram."""

    sender: str
    receiver: str
    start: str
    headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    kind: str = "message"
    """``message``, ``interim`` (a 1xx before the final response), ``follow`` (the request
    that follows a redirect), ``content`` (the content sent after a 100), ``attempt`` (what a
    gateway tried upstream, when the request never got there) or ``failure`` (what a gateway
    got from upstream)."""


@dataclass(slots=True)
class _Reading:
    messages: list[Message] = field(default_factory=list)
    start: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    in_headers: bool = False

    def close(self) -> None:
        if self.start is not None:
            status = _STATUS.match(self.start)
            self.messages.append(Message(self.start, tuple(self.headers), int(status.group(2)) if status else None))
        self.start, self.headers, self.in_headers = None, [], False


def http_example(markdown: str) -> str | None:
    """Return the text of the first ```http block of a page's markdown, if any."""
    match = _FENCE.search(markdown)
    return match.group(1) if match else None


def example_block(markdown: str) -> str:
    """Return the first ```http block of a page's markdown as written, fences included
    (``""`` if none): all :func:`http_example` reads of the page once it is rendered."""
    match = _FENCE.search(markdown)
    return match.group(0) if match else ""


def read_messages(text: str) -> list[Message]:
    """Return the requests and responses written in an ``http`` example."""
    reading = _Reading()
    for raw in text.split("\n"):
        line = raw.rstrip()
        if _REQUEST.match(line) or _STATUS.match(line):
            reading.close()
            reading.start, reading.in_headers = line, True
        elif reading.in_headers and (header := _HEADER.match(line)):
            reading.headers.append((header.group(1), header.group(2)))
        elif not line:
            reading.in_headers = False
    reading.close()
    return reading.messages


def _has_header(message: Message, name: str, value: str | None = None) -> bool:
    return any(key.lower() == name and (value is None or value in text.lower()) for key, text in message.headers)


def _location(message: Message) -> str | None:
    return next((value for key, value in message.headers if key.lower() == "location"), None)


def _follow_up(request: Message, response: Message, method_preserved: object) -> Arrow | None:
    """Return the request a client sends after a redirect, or ``None``."""
    location = _location(response)
    match = _REQUEST.match(request.start)
    if location is None or match is None or response.status not in (301, 302, 303, 307, 308):
        return None
    method, version = match.group(1), match.group(3)
    if method_preserved is False or response.status == 303:
        method = "GET" if method != "HEAD" else "HEAD"
    elif method_preserved == "not-guaranteed" and method == "POST":
        method = "GET"  # a POST only, "for historical reasons" (RFC 9110 §15.4.2, §15.4.3), as browsers do
    target = urlsplit(location)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    headers = (("Host", target.netloc),) if target.netloc else ()
    return Arrow("client", "server", f"{method} {path} {version}", headers, kind="follow")


def plan_arrows(messages: list[Message], facts: Mapping[str, object]) -> tuple[list[Arrow], bool]:
    """Return the arrows of an exchange and whether it has a proxy lane."""
    requests = [message for message in messages if message.status is None]
    responses = [message for message in messages if message.status is not None]
    if not requests or not responses:
        return [], False
    final = responses[-1]
    code = final.status or 0
    by_intermediary = facts.get("answered_by") == "intermediary" or code in GATEWAY_FAILURES or 520 <= code <= 530
    through_proxy = by_intermediary or any(
        _has_header(final, name, value) for name, value in (("via", None), ("cf-ray", None), ("server", "cloudflare"))
    )
    arrows: list[Arrow] = []
    request = requests[0]
    if through_proxy:
        arrows.append(Arrow("client", "proxy", request.start, request.headers))
        if by_intermediary and code != 407:
            failure = GATEWAY_FAILURES.get(code, GATEWAY_FAILURES[502])
            if failure.answered:
                attempt = (
                    Arrow("proxy", "server", failure.attempt, kind="attempt")
                    if failure.attempt
                    else Arrow("proxy", "server", request.start)
                )
                arrows += [attempt, Arrow("server", "proxy", failure.what, kind="failure")]
            else:
                arrows.append(Arrow("proxy", "server", failure.what, kind="failure"))
        elif not by_intermediary:
            arrows.append(Arrow("proxy", "server", request.start))
    else:
        arrows.append(Arrow("client", "server", request.start, request.headers))
    for response in responses:
        interim = response is not final and response.status is not None and response.status < 200
        if through_proxy and not by_intermediary:
            arrows.append(Arrow("server", "proxy", response.start, (), response.status, "interim" if interim else "message"))
        sender = "proxy" if through_proxy else "server"
        arrows.append(Arrow(sender, "client", response.start, response.headers, response.status, "interim" if interim else "message"))
        if response.status == 100 and _has_header(request, "expect", "100-continue"):
            # the point of 100 Continue: the content is sent only now (RFC 9110 §10.1.1)
            arrows.append(Arrow("client", "proxy" if through_proxy else "server", CONTENT, kind="content"))
            if through_proxy and not by_intermediary:
                arrows.append(Arrow("proxy", "server", CONTENT, kind="content"))
    follow = _follow_up(request, final, facts.get("method_preserved"))
    if follow is not None:
        arrows.append(Arrow("client", "proxy" if through_proxy else "server", follow.start, follow.headers, kind="follow"))
    return arrows, through_proxy


CHAR_WIDTH = 7.3
"""The width of one character of the diagram's 12 px monospace text, in SVG units."""


def _shorten(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(headers: tuple[tuple[str, str], ...]) -> list[str]:
    ranked = sorted((SHOWN_HEADERS.index(name.lower()), f"{name}: {value}") for name, value in headers if name.lower() in SHOWN_HEADERS)
    return [line for _rank, line in ranked[:MAX_HEADERS]]


def render_svg(arrows: list[Arrow], proxy: bool, gettext: Callable[[str], str], title: str) -> str:
    """Return the SVG of a sequence diagram: lanes, arrows, start lines and headers."""
    lanes = ["client", "proxy", "server"] if proxy else ["client", "server"]
    x = {lane: 70 + index * (WIDTH - 140) // (len(lanes) - 1) for index, lane in enumerate(lanes)}
    rows: list[str] = []
    steps: list[str] = []
    y = 56
    for number, arrow in enumerate(arrows, start=1):
        left = min(x[arrow.sender], x[arrow.receiver])
        text_x = left + 8
        limit = min(MAX_CHARS, int((WIDTH - text_x - 4) / CHAR_WIDTH))  # the text stays inside the drawing
        # the request after a redirect shows where it goes: its Host
        shown = [f"{name}: {value}" for name, value in arrow.headers] if arrow.kind == "follow" else _shown(arrow.headers)
        shown = [_shorten(header, limit) for header in shown]
        css = "s" if arrow.status else "f" if arrow.kind == "failure" else ""
        label = gettext(arrow.start) if arrow.kind in ("failure", "attempt", "content") else arrow.start
        rows.append(f'<text x="{text_x}" y="{y}"{f" class={chr(34)}{css}{chr(34)}" if css else ""}>{escape(_shorten(label, limit))}</text>')
        for index, header in enumerate(shown):
            rows.append(f'<text x="{text_x}" y="{y + 14 * (index + 1)}" class="h">{escape(header)}</text>')
        line_y = y + 14 * len(shown) + 8
        head = x[arrow.receiver]
        tip = head - 7 if head > x[arrow.sender] else head + 7
        dash = ' class="d"' if arrow.kind in ("failure", "interim", "follow") else ""
        # one path: the shaft, then the arrowhead (stroked and filled alike)
        rows.append(f'<path d="M{x[arrow.sender]} {line_y}H{tip}M{head} {line_y}L{tip} {line_y - 5}V{line_y + 5}Z"{dash}/>')
        names = {"number": number, "sender": gettext(LANES[arrow.sender]), "receiver": gettext(LANES[arrow.receiver])}
        steps.append(gettext(STEP) % {**names, "message": label})
        y = line_y + 28
    height = y - 8
    heads = "".join(
        f'<text x="{x[lane]}" y="20" class="l">{escape(gettext(LANES[lane]))}</text><path d="M{x[lane]} 28V{height}" class="l"/>'
        for lane in lanes
    )
    description = escape(" ".join(steps))
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="exchange-title exchange-desc">'
        f'<title id="exchange-title">{escape(title)}</title><desc id="exchange-desc">{description}</desc>'
        f"{heads}{''.join(rows)}</svg>"
    )


def exchange_svg(markdown: str, facts: Mapping[str, object], gettext: Callable[[str], str], title: str) -> str | None:
    """Return the diagram of a page's ```http example, or ``None`` if it has none to draw."""
    text = http_example(markdown)
    if text is None:
        return None
    arrows, proxy = plan_arrows(read_messages(text), facts)
    if not arrows:
        return None
    return render_svg(arrows, proxy, gettext, title)
