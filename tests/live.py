"""A preview running on a project, and its clients: plain HTTP requests and the event stream."""

from __future__ import annotations

import contextlib
import http.client
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sitegen.config import load_config
from sitegen.live.preview import Preview
from sitegen.live.serve import EVENTS_PATH
from sitegen.site.model import Problem


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """Talks to one running server, sending request paths exactly as given."""

    def __init__(self, url: str) -> None:
        self.host, port = urlsplit(url).netloc.rsplit(":", 1)
        self.port = int(port)

    def request(self, target: str, method: str = "GET") -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=20)
        try:
            connection.request(method, target)
            response = connection.getresponse()
            body = response.read()
            return Response(response.status, {name.lower(): value for name, value in response.getheaders()}, body)
        finally:
            connection.close()


def without_script(body: bytes) -> bytes:
    """Return an HTML page without the injected live-reload script."""
    start = body.index(b"<script data-sitegen=")
    end = body.index(b"</script>\n", start) + len(b"</script>\n")
    return body[:start] + body[end:]


class EventStream:
    """A client of ``/__sitegen/events`` that reads one event at a time."""

    def __init__(self, client: Client, page: str | None = None) -> None:
        """``page``: the output path of the page listening, as the live-reload script says it."""
        self.connection = http.client.HTTPConnection(client.host, client.port, timeout=20)
        self.connection.request("GET", EVENTS_PATH + (f"?page={quote(page, safe='')}" if page else ""))
        self.socket = self.connection.sock  # the connection lets go of it once the response has it
        assert self.socket is not None
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("content-type") == "text/event-stream"
        self.seen: list[tuple[str, Any]] = []
        """Every event read so far."""

    def next(self, timeout: float = 20.0) -> tuple[str, Any]:
        """Return the next event's name and data; skip comments (pings) and the retry field."""
        deadline = time.monotonic() + timeout
        name, data = "", ""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no event within {timeout:.0f} s; seen so far: {self.seen}")
            self.socket.settimeout(remaining)
            line = self.response.fp.readline().decode()
            if not line:
                raise EOFError("the server ended the stream")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif line == "" and name:
                self.seen.append((name, json.loads(data)))
                return self.seen[-1]

    def wait(self, name: str, check: Callable[[Any], bool] = lambda data: True, timeout: float = 20.0) -> Any:
        """Return the data of the next ``name`` event that passes ``check``; skip the others."""
        deadline = time.monotonic() + timeout
        while True:
            event, data = self.next(max(deadline - time.monotonic(), 0.001))
            if event == name and check(data):
                return data

    def close(self) -> None:
        self.response.close()
        self.connection.close()


BROKEN_FRONT_MATTER = ("---\n", "---\nbroken: [unclosed\nnext: line\n")
"""An edit (old, new) that breaks a page's front matter whatever the page says."""
BROKEN_FRONT_MATTER_ERROR = (
    "3: a '[' or '{' list is not closed before this line, or one of its items holds ': ' (close it, or quote the item)"
    "\n    YAML says: expected ',' or ']', but got ':'"
)
"""What the loader says about it, after ``path:``."""


def line_of(path: Path, text: str) -> int:
    """Return the number of the first line of a file that contains ``text``."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


class Running:
    """A preview running on a project, with what it printed."""

    def __init__(self, root: Path, **options: object) -> None:
        config, problems = load_config(root)
        assert config is not None, problems
        self.root = root
        self.said: list[str] = []
        self.reported: list[list[Problem]] = []
        self.preview = Preview(
            config,
            report=lambda problems: self.reported.append(list(problems)),
            say=self.said.append,
            **{"port": 0, **options},  # type: ignore[arg-type]
        )
        self.preview.start()
        self.client = Client(self.preview.url)

    def page(self, path: str) -> bytes:
        response = self.client.request(path)
        assert response.status == 200, (path, response.status)
        return without_script(response.body)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    def line(self, relative: str, text: str) -> int:
        """Return the line of ``relative`` that contains ``text``."""
        return line_of(self.root / relative, text)

    def reported_lines(self) -> list[str]:
        return [problem.format() for problem in self.reported[-1]] if self.reported else []


@contextlib.contextmanager
def running(root: Path, **options: object) -> Iterator[Running]:
    preview = Running(root, **options)
    try:
        yield preview
    finally:
        preview.preview.close()
