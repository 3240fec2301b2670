"""The preview server under load and under attack: DNS rebinding, idle sockets, many pages.

The load test runs ``sitegen serve`` as its own process and drives it with
``SITEGEN_CLIENTS`` concurrent keep-alive clients (default 200) for ``SITEGEN_SECONDS``
(default 10) while a page is saved every 20 ms: every request must be answered with status
200 and the whole page, the server's threads stay bounded and its memory flat.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.live import connections
from sitegen.live.serve import LiveSite, PreviewServer, host_allowed
from tests.conftest import REPO
from tests.live import Client
from tests.polling import wait_for

CLIENTS = int(os.environ.get("SITEGEN_CLIENTS", "200"))
SECONDS = float(os.environ.get("SITEGEN_SECONDS", "10"))
SITE = Path(__file__).parent / "sites" / "multilingual"
PAGE = b'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"></head>\n<body>\n<h1>%s</h1>\n</body>\n</html>\n'


@pytest.fixture
def server() -> Iterator[PreviewServer]:
    site = LiveSite()
    site.publish({"index.html": PAGE % b"Home", "404.html": PAGE % b"Missing"}, ["index.html"])
    running = PreviewServer(site, "127.0.0.1", 0)
    running.start()
    try:
        yield running
    finally:
        running.close()


def raw_request(url: str, request: bytes, until_headers: bool = False) -> bytes:
    """Return what the server answers to ``request``: all of it, or its head only."""
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    with socket.create_connection((host.strip("[]"), int(port)), timeout=20) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if until_headers and b"\r\n\r\n" in received:
                break  # an event stream does not end
    return received


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:8000", 200),
        ("LOCALHOST", 200),
        ("localhost.", 200),
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("evil.example:8000", 403),
        ("127.0.0.1.evil.example", 403),
        ("localhost.evil.example", 403),
        ("10.0.0.7:8000", 403),
        ("localhost:80x", 403),
        ("[::1", 403),
        ("", 403),
    ],
)
def test_only_this_machine_names_are_answered(server: PreviewServer, host: str, status: int) -> None:
    for target in ("/", "/__sitegen/events", "/__sitegen/live.js"):
        request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        response = raw_request(server.url, request, until_headers=True)
        assert response.startswith(f"HTTP/1.1 {status} ".encode()), (target, response[:200])
        if status == 403:
            assert b"Home" not in response and b"event:" not in response


def test_a_request_without_host_is_answered(server: PreviewServer) -> None:
    assert raw_request(server.url, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    ("header", "listening", "allowed"),
    [
        ("192.168.1.5:8000", "192.168.1.5", True),
        ("192.168.1.6:8000", "192.168.1.5", False),
        ("[fe80::1]:8000", "fe80::1", True),
        ("devbox.local:8000", "devbox.local", True),
        ("192.168.1.6:8000", "0.0.0.0", True),
        ("[fe80::2]", "::", True),
        ("rebound.example:8000", "0.0.0.0", False),
    ],
)
def test_the_host_option_is_answered_too(header: str, listening: str, allowed: bool) -> None:
    names = frozenset({"localhost", "127.0.0.1", "::1", listening})
    assert host_allowed(header, names, any_address=listening in ("0.0.0.0", "::")) is allowed


def test_idle_connections_time_out_and_hold_no_thread(server: PreviewServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections, "IDLE_SECONDS", 0.5)
    threads_before = threading.active_count()
    host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    idle = [socket.create_connection((host, int(port)), timeout=20) for _ in range(300)]
    try:
        # 300 sockets that never send a byte: no thread each, and a request still goes through
        assert Client(server.url).request("/").status == 200
        assert threading.active_count() <= threads_before + connections.WORKERS
        for connection in idle:
            assert connection.recv(1) == b""  # closed by the server once idle too long
    finally:
        for connection in idle:
            connection.close()


def test_a_kept_alive_connection_answers_many_requests_and_pipelined_ones(server: PreviewServer) -> None:
    requests = b"".join(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" for _ in range(5))
    response = raw_request(server.url, requests + b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert response.count(b"HTTP/1.1 200 ") == 6
    assert response.count(b"<h1>Home</h1>") == 6


def serve_project(root: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"Serving (http://\S+/)", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise AssertionError("sitegen serve did not start")


def proc_status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text("utf-8").splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "Threads"):
            fields[name] = int(value.split()[0])
    return fields


async def client(host: str, port: int, paths: list[str], until: float, counts: Counter[str], failures: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    index = 0
    try:
        while time.monotonic() < until:
            path = paths[index % len(paths)]
            index += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            status_line = await reader.readline()
            headers: dict[str, str] = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if not status_line.startswith(b"HTTP/1.1 200 "):
                failures.append(f"{path}: {status_line!r}")
            elif path.endswith("/") and not (body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</html>\n")):
                failures.append(f"{path}: a partial page of {len(body)} bytes")
            counts[path] += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


@pytest.mark.timeout(300)
def test_many_clients_while_a_page_is_saved_every_20_ms(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(SITE / "content", root / "content")
    config = (SITE / "pyproject.toml").read_text("utf-8").replace('"../../../', f'"{REPO}/')
    (root / "pyproject.toml").write_text(config, "utf-8")
    page = root / "content" / "en" / "307.md"
    versions = [page.read_text("utf-8"), page.read_text("utf-8").replace("## ", "## Saved: ", 1)]
    process, url = serve_project(root)
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    stop = threading.Event()
    saves = 0

    def save() -> None:
        nonlocal saves
        while not stop.wait(0.02):
            page.write_text(versions[saves % 2], "utf-8")
            saves += 1

    saver = threading.Thread(target=save, daemon=True)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    paths = ["/en/307/", "/fr/307/", "/en/", "/pt-br/308/", "/static/style.css", "/en/3xx/"]
    try:
        wait_for(lambda: Client(url).request("/en/307/").status == 200, "the first build")
        idle_threads = proc_status(process.pid)["Threads"]
        saver.start()

        async def run() -> list[dict[str, int]]:
            until = time.monotonic() + SECONDS
            tasks = [
                asyncio.create_task(client(host, int(port), paths[i % 3 :] + paths[: i % 3], until, counts, failures))
                for i in range(CLIENTS)
            ]
            samples = []
            while not all(task.done() for task in tasks):
                samples.append(proc_status(process.pid))
                await asyncio.wait(tasks, timeout=SECONDS / 10)
            for task in tasks:
                task.result()  # a client that failed to connect or read fails the test
            return samples

        # in a thread of its own: a session's Playwright (browser tests) keeps a loop running in this one
        with concurrent.futures.ThreadPoolExecutor(1) as runner:
            samples = runner.submit(asyncio.run, run()).result()
    finally:
        stop.set()
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    total = sum(counts.values())
    threads = max(sample["Threads"] for sample in samples)
    memory = [sample["VmRSS"] // 1024 for sample in samples]
    print(f"{CLIENTS} clients, {SECONDS:.0f} s, {saves} saves: {total} requests, {len(failures)} failed, threads {threads}, MB {memory}")
    assert failures == []
    assert total >= CLIENTS and saves > SECONDS * 10
    assert threads <= idle_threads + connections.WORKERS  # the pool, not a thread per client
    # flat: what the server holds after the first tenth of the run does not grow with the run
    settled = samples[len(samples) // 4]["VmRSS"]
    assert max(sample["VmRSS"] for sample in samples[len(samples) // 4 :]) < settled * 1.25 + 20 * 1024
