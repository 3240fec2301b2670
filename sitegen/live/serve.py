"""The preview server: a site served from memory over HTTP, with live reload.

It knows nothing about sitegen. It serves whatever a :class:`LiveSite` holds, a mapping
of output path to bytes replaced in one step (a request sees the old site or the new
one, never a mix), and tells open pages over server-sent events (``/__sitegen/events``)
when to reload, swap a stylesheet, or show and hide the build's problems. A page that
says which one it is (``?page=en/307/index.html``) is sent its new HTML with the
``reload`` event, so that it need not fetch it; the dev server may send it before the
build is over, as soon as that page is made (:meth:`LiveSite.push_early`).

Connections are served by a bounded pool (:mod:`sitegen.live.connections`): idle ones time
out, event streams are written by one thread. Only requests whose ``Host`` is this machine
(``localhost``, ``127.0.0.1``, ``[::1]``) or the ``--host`` given are answered: a web page
elsewhere cannot read the preview through a name that resolves to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import logging
import mimetypes
import posixpath
import queue
import secrets
import socket
import socketserver
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from sitegen.live.connections import BACKLOG, REQUEST_SECONDS, EventHub, Keeper, Stream

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

log = logging.getLogger(__name__)

EVENTS_PATH = "/__sitegen/events"
SCRIPT_PATH = "/__sitegen/live.js"
"""The live-reload script, a file: the pages' Content-Security-Policy allows no inline script."""
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Names of this machine a ``Host`` header may use, whatever ``--host`` is."""
RETRY_MILLISECONDS = 500
"""How soon a browser reconnects after losing the server (a restart, say)."""
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
"""Types of the site's files, fixed here rather than read from the system's mime.types."""
NOT_FOUND_PAGE = "404.html"
CLIENT_SCRIPT = resources.files("sitegen").joinpath("data/live.js").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What is served at one moment."""

    files: Mapping[str, bytes]
    """Output path (``en/307/index.html``) -> bytes, of the last good build."""
    generation: int = 0
    """Counts the builds published, so a page can tell it is out of date."""
    problems: tuple[str, ...] = ()
    """The lines of the last build's problems (``path:line: message``), shown over every page."""
    failed: bool = False
    """Whether the last build failed: the files are then those of an earlier one."""
    built: bool = False
    """Whether a build has been published at all."""


class LiveSite:
    """The site being served and the pages to notify; safe to use from any thread."""

    def __init__(self, mount: str = "/") -> None:
        self.mount = mount
        """The URL path the site is served under, ending in ``/``."""
        self.boot = secrets.token_hex(8)
        """Tells this server from an earlier one, so a reconnecting page knows to reload."""
        self._snapshot = Snapshot({})
        self._lock = threading.Lock()
        self._clients: dict[queue.SimpleQueue[str | None], str | None] = {}
        """The open pages' event queues, each with the output path of its page (if it said)."""
        self._early: dict[queue.SimpleQueue[str | None], tuple[str, bytes, int]] = {}
        """The queues sent a page before the build was over: its path, bytes and generation."""
        self._closed = False
        self.on_message: Callable[[], None] = lambda: None
        """Called after messages are queued for the pages (the server writes them then)."""
        self.on_urgent: Callable[[], None] = lambda: None
        """Called after a page is sent before its build is over: returns once the server
        has written it (the build would hold the writer back)."""

    @property
    def snapshot(self) -> Snapshot:
        """Return what is served now."""
        return self._snapshot

    def publish(self, files: Mapping[str, bytes], changed: Iterable[str], *, reload_all: bool = False) -> None:
        """Serve ``files`` from now on; open pages among ``changed`` (or all) reload. A page
        among ``changed`` that said which one it is gets its new HTML with the event, as a
        request would get it: it need not fetch it. A page sent early (:meth:`push_early`)
        is not told again if it was sent these bytes, and is sent them if it was sent others,
        changed or not."""
        with self._lock:
            snapshot = self._replace(files, new_generation=True)
            early, self._early = self._early, {}
            paths = sorted(changed)
            data = {"paths": paths, "all": reload_all, "generation": snapshot.generation}
            plain = _event("reload", data)
            pushed: dict[str, str] = {}
            wanted = {page for page in self._clients.values() if page is not None and not reload_all}
            for path in wanted & set(paths):
                pushed[path] = self._reload_event(snapshot, path, data)
            for events, page in self._clients.items():
                told = early.get(events)
                if told is not None and not reload_all:
                    if told == (page, files.get(page or ""), snapshot.generation):
                        continue  # sent this very page already, before the build was over
                    if page not in paths:  # sent another page early, the build kept the one served
                        events.put(self._reload_event(snapshot, told[0], {**data, "paths": [told[0]]}))
                        continue
                events.put(pushed.get(page or "", plain))
            self.on_message()

    def _reload_event(self, snapshot: Snapshot, path: str, data: Mapping[str, object]) -> str:
        """Return the reload event ``data`` for the open page at ``path``, with its HTML as
        served (without it if the page is not text: the page then fetches itself)."""
        html = self._page_html(snapshot, path) if path.endswith(".html") and path in snapshot.files else None
        return _event("reload", data if html is None else {**data, "html": html})

    def _page_html(self, snapshot: Snapshot, path: str) -> str | None:
        """Return the page at ``path`` in ``snapshot`` as served (its live-reload script
        added), or ``None`` if it is not text."""
        try:
            return inject(snapshot.files[path], client_snippet(self, snapshot, [path])).decode("utf-8")
        except UnicodeDecodeError:
            return None

    def open_pages(self) -> frozenset[str]:
        """Return the output paths of the open pages that said which they are."""
        with self._lock:
            return frozenset(page for page in self._clients.values() if page is not None)

    def push_early(self, path: str, data: bytes) -> None:
        """Send the open pages at ``path`` their new bytes ``data`` now, before the build
        that made them is published: as :meth:`publish` will serve them, in the generation
        it will have. Only a page whose ``<head>`` is the one served: another head makes
        the page load itself again, and it would get the old one. The next :meth:`publish`
        does not tell these pages again when it serves the same bytes; if the build fails,
        :meth:`retract_early` puts the served page back."""
        with self._lock:
            snapshot = self._snapshot
            served = snapshot.files.get(path)
            if not snapshot.built or served is None or not path.endswith(".html") or _head(served) != _head(data):
                return
            if data == served and not any(told[0] == path for told in self._early.values()):
                return  # the pages show these bytes already (a save that changed nothing)
            generation = snapshot.generation + 1
            html = self._page_html(Snapshot({path: data}, generation), path)
            if html is None:
                return
            message = _event("reload", {"paths": [path], "all": False, "generation": generation, "html": html})
            # not a page sent these very bytes already (made quick, then by the build)
            sent = (path, data, generation)
            told = [events for events, page in self._clients.items() if page == path and self._early.get(events) != sent]
            for events in told:
                events.put(message)
                self._early[events] = sent
        if told:
            self.on_urgent()  # not under the lock: a page the writer drops unsubscribes

    def retract_early(self) -> None:
        """Send the pages pushed early the page served again (their build failed)."""
        with self._lock:
            early, self._early = self._early, {}
            snapshot = self._snapshot
            for events, (path, _data, _generation) in early.items():
                if events in self._clients and path in snapshot.files:
                    events.put(self._reload_event(snapshot, path, {"paths": [path], "all": False, "generation": snapshot.generation}))
            if early:
                self.on_message()

    def publish_stylesheets(self, files: Mapping[str, bytes], paths: Sequence[str], version: str) -> None:
        """Serve ``files`` from now on; open pages swap the stylesheets at these URL paths."""
        with self._lock:
            snapshot = self._replace(files, new_generation=True)
            self._send("css", {"paths": list(paths), "version": version, "generation": snapshot.generation})

    def replace(self, files: Mapping[str, bytes]) -> None:
        """Serve ``files`` from now on, telling no one: open pages are already up to date."""
        with self._lock:
            self._replace(files, new_generation=False)

    def show_problems(self, lines: Sequence[str], *, failed: bool) -> None:
        """Show these lines over every open page; ``failed`` if the files served are older."""
        with self._lock:
            old = self._snapshot
            if (old.problems, old.failed) == (tuple(lines), failed):
                return  # the pages show them already (or were told to hide them)
            self._snapshot = Snapshot(old.files, old.generation, tuple(lines), failed, old.built)
            self._send("problems", {"lines": list(lines), "failed": failed})

    def clear_problems(self) -> None:
        """Remove the problems from open pages."""
        with self._lock:
            old = self._snapshot
            if old.problems:
                self._snapshot = Snapshot(old.files, old.generation, (), False, old.built)
                self._send("ok", {})

    def subscribe(self, page: str | None = None) -> queue.SimpleQueue[str | None]:
        """Return a queue of events for a new page (``page``: its output path, if it said),
        starting with ``hello`` and any problems."""
        events: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        with self._lock:
            snapshot = self._snapshot
            events.put(f"retry: {RETRY_MILLISECONDS}\n" + _event("hello", {"boot": self.boot, "generation": snapshot.generation}))
            if snapshot.problems:
                events.put(_event("problems", {"lines": list(snapshot.problems), "failed": snapshot.failed}))
            if self._closed:
                events.put(None)
            else:
                self._clients[events] = page
        return events

    def unsubscribe(self, events: queue.SimpleQueue[str | None]) -> None:
        """Forget a page that went away."""
        with self._lock:
            self._clients.pop(events, None)
            self._early.pop(events, None)

    def disconnect_all(self) -> None:
        """End every open event stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            for events in self._clients:
                events.put(None)
            self._clients.clear()
        self.on_message()

    def _replace(self, files: Mapping[str, bytes], new_generation: bool) -> Snapshot:
        old = self._snapshot
        self._snapshot = Snapshot(dict(files), old.generation + new_generation, old.problems, old.failed, True)
        return self._snapshot

    def _send(self, name: str, data: object) -> None:
        message = _event(name, data)
        for events in self._clients:
            events.put(message)
        self.on_message()


def _head(page: bytes) -> bytes:
    """Return an HTML page up to its ``</head>`` (the whole page if it has none)."""
    end = page.find(b"</head>")
    return page if end < 0 else page[:end]


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def content_type(path: str) -> str:
    """Return the ``Content-Type`` of an output path."""
    extension = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def inject(page: bytes, snippet: bytes) -> bytes:
    """Return an HTML page with ``snippet`` inserted before ``</body>`` (or at the end)."""
    position = page.lower().rfind(b"</body>")
    return page + snippet if position < 0 else page[:position] + snippet + page[position:]


def client_snippet(site: LiveSite, snapshot: Snapshot, keys: Sequence[str] | None) -> bytes:
    """Return the live-reload script for a page made from these output paths."""
    settings = {"events": EVENTS_PATH, "boot": site.boot, "generation": snapshot.generation, "keys": keys}
    attribute = html.escape(json.dumps(settings), quote=True)
    return f'<script data-sitegen="{attribute}" src="{SCRIPT_PATH}"></script>\n'.encode()


class BadRequest(ValueError):
    """A request path that is not a path inside the site."""


def split_target(target: str) -> tuple[str, str]:
    """Return the path (still percent-encoded) and the query of a request target."""
    if target.startswith("/"):  # origin form; urlsplit would read "//a/b" as host "a"
        path, _, query = target.partition("?")
        return path.partition("#")[0], query.partition("#")[0]
    parts = urlsplit(target)  # absolute form: http://host/path
    return parts.path, parts.query


def request_path(target: str) -> str:
    """Return the decoded path of a request target; refuse any that could climb out.

    ``%2e%2e`` is decoded before the check, so it is refused like ``..``.
    """
    path = unquote(split_target(target)[0], errors="strict")
    if not path.startswith("/") or "\x00" in path or "\\" in path or ".." in path.split("/"):
        raise BadRequest(path)
    return path


def find(files: Mapping[str, bytes], mount: str, path: str) -> tuple[str | None, str | None]:
    """Return the output path serving a URL path, or the path to redirect to (with a ``/``)."""
    if not path.startswith(mount):
        return None, mount if path + "/" == mount else None
    rest = path[len(mount) :]
    key = rest + "index.html" if rest == "" or rest.endswith("/") else rest
    if key in files:
        return key, None
    if rest and not rest.endswith("/") and f"{rest}/index.html" in files:
        return None, f"{mount}{rest}/"
    return None, None


def host_allowed(header: str | None, allowed: frozenset[str], any_address: bool = False) -> bool:
    """Return whether a ``Host`` header names this server: one of ``allowed`` (lower case,
    IPv6 without brackets), with any port; any IP address too when ``any_address`` (a
    server listening on every interface: an address is never a rebound name)."""
    if header is None:
        return True  # HTTP/1.0 without Host: no browser sends that
    host = header.strip().lower()
    if host.startswith("["):
        name, bracket, port = host[1:].partition("]")
        if not bracket:
            return False
        port = port.removeprefix(":") if port.startswith(":") else port
    else:
        name, _colon, port = host.partition(":")
    if port and not port.isdigit():
        return False
    name = name.rstrip(".")
    if name in allowed:
        return True
    if any_address:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


class _Server(socketserver.TCPServer):
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], site: LiveSite, headers: Mapping[str, str]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.site = site
        self.headers = {"X-Content-Type-Options": "nosniff", **headers}
        host = address[0].strip("[]").lower()
        self.allowed_hosts = LOCAL_HOSTS | {host}
        self.any_address = host in ("", "0.0.0.0", "::")
        self.keeper = Keeper()
        self.hub = EventHub()
        site.on_message = self.hub.wake
        site.on_urgent = self.hub.flush
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        # the connection waits in the keeper until a request arrives, then a worker answers it
        assert isinstance(request, socket.socket)
        self.keeper.add(_Connection(self, request, client_address))

    def close_connections(self) -> None:
        """Close idle connections and event streams; stop the workers."""
        self.keeper.close()
        self.hub.close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks the resolver for the host's full name, which can
        # stall for seconds on a machine without network; the name is not needed here
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Connection:
    """One client connection: a handler made once, then asked for one request at a time."""

    def __init__(self, server: _Server, sock: socket.socket, address: tuple[str, int]) -> None:
        self.socket = sock
        self.detached = False
        """Handed to the event hub: no longer the pool's to close."""
        handler = _Handler.__new__(_Handler)
        handler.request, handler.client_address, handler.server = sock, address, server
        handler.owner = self
        handler.setup()
        self.handler = handler

    def answer(self) -> bool:
        """Read and answer one request; return whether the connection stays open."""
        handler = self.handler
        handler.close_connection = True
        handler.handle_one_request()
        if self.detached:
            handler.finish()  # the stream's socket lives on in the hub; its file objects do not
            return False
        return not handler.close_connection

    def pending(self) -> bool:
        """Return whether the next request's bytes are already read into the handler's buffer."""
        try:
            self.socket.settimeout(0.0)
            return bool(self.handler.rfile.peek(1))  # type: ignore[attr-defined]
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                self.socket.settimeout(REQUEST_SECONDS)

    def close(self) -> None:
        if self.detached:
            return
        with contextlib.suppress(OSError):
            self.handler.finish()
        self.handler.server.shutdown_request(self.socket)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    owner: _Connection
    protocol_version = "HTTP/1.1"
    timeout = REQUEST_SECONDS  # for the rest of a request once it has started
    server_version = "sitegen"
    # headers and body go out in two writes: with Nagle's algorithm the body waits for
    # the browser's delayed ACK of the headers, 40 ms on Linux, on every keep-alive request
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _respond(self, head: bool) -> None:
        site = self.server.site
        host = self.headers.get("Host")
        if not host_allowed(host, self.server.allowed_hosts, self.server.any_address):
            text = f"Host {host!r} is not this preview's: it answers to localhost, 127.0.0.1 and [::1] (and its --host)\n"
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", text.encode(), head)
            return
        try:
            path = request_path(self.path)
        except (BadRequest, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", b"Bad request path\n", head)
            return
        if path == EVENTS_PATH and not head:
            page = parse_qs(split_target(self.path)[1]).get("page", [None])[0]
            self._stream_events(site, page)
            return
        if path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, CONTENT_TYPES[".js"], CLIENT_SCRIPT.encode(), head)
            return
        snapshot = site.snapshot
        if not snapshot.built:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, CONTENT_TYPES[".html"], self._error_page(site, snapshot), head)
            return
        key, redirect = find(snapshot.files, site.mount, path)
        if redirect is not None:
            query = split_target(self.path)[1]
            location = quote(redirect) + (f"?{query}" if query else "")
            self._send(HTTPStatus.FOUND, "text/plain; charset=utf-8", b"", head, {"Location": location})
        elif key is not None:
            body = snapshot.files[key]
            if key.endswith(".html"):
                body = inject(body, client_snippet(site, snapshot, [key]))
            self._send(HTTPStatus.OK, content_type(key), body, head)
        elif NOT_FOUND_PAGE in snapshot.files:
            relative = path[len(site.mount) :] if path.startswith(site.mount) else path
            keys = [NOT_FOUND_PAGE, relative.rstrip("/") + "/index.html", relative]
            body = inject(snapshot.files[NOT_FOUND_PAGE], client_snippet(site, snapshot, keys))
            self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], body, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _error_page(self, site: LiveSite, snapshot: Snapshot) -> bytes:
        """Return the page shown until a first build succeeds."""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in snapshot.problems) or "<li>Building...</li>"
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Build failed</title>\n</head>\n<body>\n'
            f"<h1>The site could not be built</h1>\n<ul>{items}</ul>\n"
            "<p>This page reloads by itself when the next build succeeds.</p>\n</body>\n</html>\n"
        ).encode()
        return inject(page, client_snippet(site, snapshot, None))

    def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in {**self.server.headers, **(headers or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser went away (a reload, a closed tab)

    def _stream_events(self, site: LiveSite, page: str | None) -> None:
        """Send the stream's headers, then hand its socket to the event hub; ``page``: the
        output path of the page listening, sent its new HTML with the reload events."""
        self.close_connection = True
        if self.server.hub.full():
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", b"Too many open pages\n", head=False)
            return
        events = site.subscribe(page)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
        except OSError:
            site.unsubscribe(events)
            return
        self.owner.detached = True
        self.server.hub.add(Stream(self.connection, events, lambda: site.unsubscribe(events)))


class PreviewServer:
    """Serves a :class:`LiveSite` on ``host:port`` from a background thread; ``headers`` go
    with every response (the site's Content-Security-Policy)."""

    def __init__(self, site: LiveSite, host: str = "127.0.0.1", port: int = 8000, headers: Mapping[str, str] | None = None) -> None:
        self.site = site
        self._server = _Server((host, port), site, headers or {})
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="sitegen-http", daemon=True)

    @property
    def url(self) -> str:
        """Return the URL of the site's home: ``http://127.0.0.1:8000/``."""
        host, port = self._server.server_name, self._server.server_port
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self.site.mount}"

    def start(self) -> None:
        """Start answering requests."""
        self._thread.start()

    def close(self) -> None:
        """Stop answering, end the event streams, and release the port."""
        self.site.disconnect_all()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._server.close_connections()
