"""The preview server: a site served from memory over HTTP, with live reload.

It knows nothing about sitegen. It serves whatever a :class:`LiveSite` holds, a mapping
of output path to bytes replaced in one step (a request sees the old site or the new
one, never a mix), and tells open pages over server-sent events (``/__sitegen/events``)
when to reload, swap a stylesheet, or show and hide the build's problems.
"""

from __future__ import annotations

import html
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

log = logging.getLogger(__name__)

EVENTS_PATH = "/__sitegen/events"
SCRIPT_PATH = "/__sitegen/live.js"
"""The live-reload script, a file: the pages' Content-Security-Policy allows no inline script."""
PING_SECONDS = 15.0
"""A comment line this often tells a dead connection from a quiet one."""
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
        self._clients: set[queue.SimpleQueue[str | None]] = set()
        self._closed = False

    @property
    def snapshot(self) -> Snapshot:
        """Return what is served now."""
        return self._snapshot

    def publish(self, files: Mapping[str, bytes], changed: Iterable[str], *, reload_all: bool = False) -> None:
        """Serve ``files`` from now on; open pages among ``changed`` (or all) reload."""
        with self._lock:
            snapshot = self._replace(files, new_generation=True)
            self._send("reload", {"paths": sorted(changed), "all": reload_all, "generation": snapshot.generation})

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

    def subscribe(self) -> queue.SimpleQueue[str | None]:
        """Return a queue of events for a new page, starting with ``hello`` and any problems."""
        events: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        with self._lock:
            snapshot = self._snapshot
            events.put(f"retry: {RETRY_MILLISECONDS}\n" + _event("hello", {"boot": self.boot, "generation": snapshot.generation}))
            if snapshot.problems:
                events.put(_event("problems", {"lines": list(snapshot.problems), "failed": snapshot.failed}))
            if self._closed:
                events.put(None)
            else:
                self._clients.add(events)
        return events

    def unsubscribe(self, events: queue.SimpleQueue[str | None]) -> None:
        """Forget a page that went away."""
        with self._lock:
            self._clients.discard(events)

    def disconnect_all(self) -> None:
        """End every open event stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            for events in self._clients:
                events.put(None)
            self._clients.clear()

    def _replace(self, files: Mapping[str, bytes], new_generation: bool) -> Snapshot:
        old = self._snapshot
        self._snapshot = Snapshot(dict(files), old.generation + new_generation, old.problems, old.failed, True)
        return self._snapshot

    def _send(self, name: str, data: object) -> None:
        message = _event(name, data)
        for events in self._clients:
            events.put(message)


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: LiveSite, headers: Mapping[str, str]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.site = site
        self.headers = dict(headers)
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks the resolver for the host's full name, which can
        # stall for seconds on a machine without network; the name is not needed here
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
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
        try:
            path = request_path(self.path)
        except (BadRequest, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", b"Bad request path\n", head)
            return
        if path == EVENTS_PATH and not head:
            self._stream_events(site)
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
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in {**self.server.headers, **(headers or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser went away (a reload, a closed tab)

    def _stream_events(self, site: LiveSite) -> None:
        events = site.subscribe()
        self.close_connection = True
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            while True:
                try:
                    message = events.get(timeout=PING_SECONDS)
                except queue.Empty:
                    message = ": ping\n\n"
                if message is None:
                    break
                self.wfile.write(message.encode())
        except OSError:
            pass  # the page went away
        finally:
            site.unsubscribe(events)


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
