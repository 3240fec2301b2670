"""Clients of a running preview: plain HTTP requests and the live-reload event stream."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sitegen.serve import EVENTS_PATH


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

    def __init__(self, client: Client) -> None:
        self.connection = http.client.HTTPConnection(client.host, client.port, timeout=20)
        self.connection.request("GET", EVENTS_PATH)
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
