"""The preview server's connections: a bounded pool of workers, idle connections waited
on by one thread, event streams written by another.

A thread per connection (``ThreadingHTTPServer``) lets a thousand idle sockets hold a
thousand threads. Here a connection holds a worker only while one request is read and
answered: between requests a keep-alive connection waits in a selector (:class:`Keeper`)
and is closed after :data:`IDLE_SECONDS`; an event stream, once its headers are sent, is
written by one thread for all pages (:class:`EventHub`). Threads: the acceptor, the
keeper, the hub and :data:`WORKERS` workers, however many clients there are.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

WORKERS = 16
"""Requests answered at once; more wait for a worker (each answer takes a millisecond or so)."""
BACKLOG = 1024
"""Connections the kernel queues before ``accept`` (capped by ``net.core.somaxconn``)."""
REQUEST_SECONDS = 10.0
"""How long a worker waits for the rest of a request that has started to arrive."""
IDLE_SECONDS = 15.0
"""How long a keep-alive connection may wait for its next request."""
MAX_IDLE = 512
"""Idle connections kept at most; past that the oldest are closed."""
MAX_STREAMS = 256
"""Open event streams (pages) at most."""
PING_SECONDS = 15.0
"""A comment line this often tells a dead event stream from a quiet one."""
FLUSH_SECONDS = 0.05
"""How long :meth:`EventHub.flush` waits at most for the writer."""


class Connection(Protocol):
    """One client connection as the pool sees it: answer one request, then say if the
    connection stays open for another."""

    socket: socket.socket

    def answer(self) -> bool:
        """Read and answer one request; return whether the connection is kept open."""
        ...

    def pending(self) -> bool:
        """Return whether the next request's bytes are already read (pipelined)."""
        ...

    def close(self) -> None: ...


class Keeper:
    """Waits on idle connections with one selector; hands each to the pool once it has
    something to read; closes those idle too long, or in excess."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sitegen-http")
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._incoming: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        self._idle: dict[Connection, float] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="sitegen-keeper", daemon=True)
        self._thread.start()

    def add(self, connection: Connection) -> None:
        """Wait for ``connection`` to send a request (a new one, or a kept-alive one)."""
        if self._closed:
            connection.close()
            return
        self._incoming.put(connection)
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def _run(self) -> None:
        while not self._closed:
            for key, _events in self._selector.select(timeout=1.0):
                if key.fileobj is self._wake_reader:
                    with contextlib.suppress(OSError):
                        self._wake_reader.recv(4096)
                    continue
                connection: Connection = key.data
                self._selector.unregister(connection.socket)
                self._idle.pop(connection, None)
                self._pool.submit(self._serve, connection)
            self._take_incoming()
            self._close_idle()

    def _take_incoming(self) -> None:
        while True:
            try:
                connection = self._incoming.get_nowait()
            except queue.Empty:
                return
            try:
                self._selector.register(connection.socket, selectors.EVENT_READ, connection)
            except (ValueError, OSError):  # closed meanwhile
                connection.close()
                continue
            self._idle[connection] = time.monotonic()

    def _close_idle(self) -> None:
        deadline = time.monotonic() - IDLE_SECONDS
        excess = len(self._idle) - MAX_IDLE
        for connection, since in list(self._idle.items()):  # oldest first
            if since < deadline or excess > 0:
                excess -= 1
                self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        self._idle.pop(connection, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(connection.socket)
        connection.close()

    def _serve(self, connection: Connection) -> None:
        """In a worker: answer requests while they are already there, then wait again."""
        try:
            while connection.answer():
                if not connection.pending():
                    self.add(connection)
                    return
        except Exception:  # a bug must not take a worker down with it
            log.exception("request failed")
        connection.close()

    def close(self) -> None:
        """Close every idle connection and stop; requests being answered finish."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")
        self._thread.join()
        self._take_incoming()
        for connection in list(self._idle):
            self._drop(connection)
        self._pool.shutdown(wait=True)
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()


class Stream:
    """An open event stream: its socket and the messages waiting for it."""

    def __init__(self, sock: socket.socket, messages: queue.SimpleQueue[str | None], gone: Callable[[], None]) -> None:
        self.socket = sock
        self.messages = messages
        self.gone = gone
        """Called once the stream is closed (unsubscribes the page)."""


class EventHub:
    """Writes every event stream from one thread: messages as they come, a ping when quiet;
    a page that closes or stops reading is dropped (it reconnects by itself)."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._incoming: queue.SimpleQueue[Stream] = queue.SimpleQueue()
        self._streams: set[Stream] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._rounds = threading.Condition()
        self._started = 0
        """Rounds of writing started (each after the writer woke)."""
        self._done = 0
        """The last round of writing finished."""
        self._thread = threading.Thread(target=self._run, name="sitegen-events", daemon=True)
        self._thread.start()

    def full(self) -> bool:
        """Return whether no more streams may open."""
        with self._lock:
            return len(self._streams) + self._incoming.qsize() >= MAX_STREAMS

    def add(self, stream: Stream) -> None:
        """Write ``stream`` from now on (its headers are sent)."""
        self._incoming.put(stream)
        self.wake()

    def wake(self) -> None:
        """Look for new messages now (called whenever one is queued)."""
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def flush(self, timeout: float = FLUSH_SECONDS) -> None:
        """Wake the writer and wait until it has written the messages queued so far (at
        most ``timeout``). For a message that must not wait for the thread that queued it
        to let go of the interpreter: a build holds it, and would let the writer run only
        after a switch interval (5 ms) or more."""
        with self._rounds:
            target = self._started + 1  # a round that starts from now on sees every message queued
        self.wake()
        with self._rounds:
            self._rounds.wait_for(lambda: self._done >= target or self._closed, timeout)

    def _run(self) -> None:
        last_ping = time.monotonic()
        while not self._closed:
            ready = self._selector.select(timeout=max(0.0, last_ping + PING_SECONDS - time.monotonic()))
            with self._rounds:
                self._started += 1
                round_number = self._started
            for key, _events in ready:
                if key.fileobj is self._wake_reader:
                    with contextlib.suppress(OSError):
                        self._wake_reader.recv(4096)
                else:
                    self._drop(key.data)  # a page never sends on its stream: it closed it
            self._take_incoming()
            ping = time.monotonic() - last_ping >= PING_SECONDS
            if ping:
                last_ping = time.monotonic()
            for stream in list(self._streams):
                self._flush(stream, ping)
            with self._rounds:
                self._done = round_number
                self._rounds.notify_all()

    def _take_incoming(self) -> None:
        while True:
            try:
                stream = self._incoming.get_nowait()
            except queue.Empty:
                return
            try:
                stream.socket.setblocking(False)
                self._selector.register(stream.socket, selectors.EVENT_READ, stream)
            except (ValueError, OSError):
                self._close(stream)
                continue
            with self._lock:
                self._streams.add(stream)

    def _flush(self, stream: Stream, ping: bool) -> None:
        parts: list[str] = []
        while True:
            try:
                message = stream.messages.get_nowait()
            except queue.Empty:
                break
            if message is None:  # the server is stopping
                self._send(stream, "".join(parts).encode())
                self._drop(stream)
                return
            parts.append(message)
        if not parts and ping:
            parts.append(": ping\n\n")
        if parts:
            self._send(stream, "".join(parts).encode())

    def _send(self, stream: Stream, data: bytes) -> None:
        if not data:
            return
        try:
            sent = stream.socket.send(data)
        except OSError:
            sent = -1
        if sent != len(data):  # gone, or not reading: a partial event cannot be finished later
            self._drop(stream)

    def _drop(self, stream: Stream) -> None:
        with self._lock:
            if stream not in self._streams:
                return
            self._streams.discard(stream)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(stream.socket)
        self._close(stream)

    @staticmethod
    def _close(stream: Stream) -> None:
        with contextlib.suppress(OSError):
            stream.socket.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            stream.socket.close()
        stream.gone()

    def close(self) -> None:
        """Flush what is queued (the servers's goodbye), close every stream and stop."""
        self._closed = True
        self.wake()
        self._thread.join()
        with self._rounds:
            self._rounds.notify_all()
        self._take_incoming()
        for stream in list(self._streams):
            self._flush(stream, ping=False)
            self._drop(stream)
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()
