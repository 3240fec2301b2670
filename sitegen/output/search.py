"""Search: a Pagefind index per language, made from the built pages.

Pagefind (the ``pagefind`` package on PyPI ships its binary) runs as a service: ``pagefind
--service`` reads pages on its standard input and answers with the bundle's files, so pages
are handed over as the output stage makes them and indexed on another core while the build
goes on, and the bundle becomes part of the build's files, written with the rest of the
site in the same atomic swap. Only pages that mark their text with ``data-pagefind-body``
(the ``<article>`` of a code's page) are indexed. Each language of the site is its own
index (:class:`Service`, one index per language), so that a change re-indexes its language
only; their bundles are merged (:func:`merge_bundles`), which is what Pagefind makes of
all the languages at once: ``pagefind.js`` loads the index of the page's ``<html lang>``.

The bundle's scripts need ``script-src 'self' 'wasm-unsafe-eval'`` and ``worker-src 'self'``
in a Content-Security-Policy (WebAssembly, and a worker from the same folder).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.config import CONFIG_FILE
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

log = logging.getLogger(__name__)

SEARCH_FOLDER = "pagefind"
"""Where the bundle goes in the site: ``/pagefind/pagefind.js``."""
INDEXED_MARK = b"data-pagefind-body"
"""Pages holding this attribute are indexed; the others are not read by Pagefind at all."""
INDEX_CONFIG = {"exclude_selectors": [".header-anchor"]}
"""What every index leaves out: the "#" link after each heading, which excerpts showed
("Comportement des clients # Le client ne")."""
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/")
"""Parts of the bundle the site does not use: Pagefind's own interfaces (the site has its own)."""
TIMEOUT = 300
"""Seconds the indexer may take before the build gives up on it."""
QUEUED = 256
"""Requests waiting for the service at most (about 10 MB of pages): past them, the build waits."""


def find_pagefind() -> Path | None:
    """Return the Pagefind binary: ``$PAGEFIND_BINARY_PATH``, the one the ``pagefind[bin]``
    package ships, or one on the ``PATH``."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return Path(override)
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return Path(get_executable())


def indexed_part(page: bytes) -> bytes:
    """Return what Pagefind needs of a page: its head and its element marked with
    ``data-pagefind-body``, without the rest of the body (menus, footer, scripts), about
    half of a code's page. Pagefind reads nothing else of a page that marks its text: the
    bundle is the same (``tests/test_search.py``), made in less time. The page is given
    whole where the cut is not plain: no ``<body>``, the mark twice, another
    ``data-pagefind-`` attribute outside the element, or the element's name found in it."""
    mark = page.find(INDEXED_MARK)
    body = page.find(b"<body")
    start = page.rfind(b"<", 0, mark)
    if mark < 0 or body < 0 or start < body or page.find(INDEXED_MARK, mark + 1) >= 0:
        return page
    name_end = start + 1
    while name_end < mark and page[name_end : name_end + 1].isalnum():
        name_end += 1
    name = page[start + 1 : name_end]
    close = b"</" + name + b">"
    end = page.find(close, mark)
    if not name or end < 0 or page.find(b"<" + name, name_end, end) >= 0:
        return page
    end += len(close)
    head = page[: page.index(b">", body) + 1]
    if b"data-pagefind-" in page[len(head) : start] or b"data-pagefind-" in page[end:]:
        return page
    return head + page[start:end] + b"</body></html>"


def indexed_pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return the pages Pagefind reads: those that mark their text for it."""
    return {path: data for path, data in files.items() if path.endswith(".html") and INDEXED_MARK in data}


def index_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the search bundle made from the site's ``files`` (keyed ``pagefind/...``), and
    a problem if it could not be made: the pages of each language (the first part of their
    path) in one index, in the order given, as a build makes it.

    ``files`` may be ``(path, bytes)`` pairs read one at a time: each page is handed to
    Pagefind as it comes and let go, so a large site's pages are never all in memory.
    """
    service = Service()
    indexes: dict[str, int | None] = {}
    try:
        for path, data in files.items() if isinstance(files, Mapping) else files:
            if path.endswith(".html") and INDEXED_MARK in data:
                group = path.split("/", 1)[0]
                if group not in indexes:
                    indexes[group] = service.new_index()
                service.add(indexes[group], path, data)
        bundles = [service.files(service.ask_files(index)) for index in indexes.values()]
    finally:
        service.close()
    if service.problem is not None:
        return {}, [service.problem]
    return merge_bundles([bundle for bundle in bundles if bundle is not None])


HINT = "pip install 'pagefind[bin]', or turn search off: [features] search = false in sitegen.toml"


class Answer:
    """The answer to a request, once it comes."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.payload: dict[str, Any] | None = None


class Service:
    """A running ``pagefind --service``, started at the first index asked for.

    Its messages are base64 JSON, each ended by a comma, one request after the other on
    its standard input; it handles them in that order and answers each on its standard
    output (its Python package speaks the same protocol, but reads answers on a 0.1 s
    timer, which would be most of an edit's rebuild). Pages are sent without waiting for
    their answers, by a thread, so that the build goes on while the service reads (it
    takes a page in about as long as the build makes one, but not evenly: a build writing
    into its pipe would wait on it); the first failure is kept in :attr:`problem`, and
    later calls do nothing.
    """

    def __init__(self) -> None:
        self.problem: Problem | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: Any = None
        self._reader: threading.Thread | None = None
        self._writer: threading.Thread | None = None
        self._outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED)
        self._broken = False
        """Whether the service stopped reading (its pipe is closed)."""
        self._lock = threading.Lock()
        self._sent = 0
        self._waiting: dict[int, Answer] = {}
        self._pages: dict[int, str] = {}
        """The page of every message not answered yet (for an error's message)."""

    def _start(self) -> bool:
        if self._process is not None or self.problem is not None:
            return self.problem is None
        binary = find_pagefind()
        if binary is None or not binary.is_file():
            self.problem = Problem(CONFIG_FILE, None, "search: the Pagefind binary was not found", hint=HINT)
            return False
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115  # closed by close(), when the service stops
        try:
            self._process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        except OSError as error:
            self.problem = Problem(CONFIG_FILE, None, f"search: Pagefind could not run: {error}", hint=HINT)
            return False
        self._reader = threading.Thread(target=self._read, name="pagefind-answers", daemon=True)
        self._reader.start()
        self._writer = threading.Thread(target=self._write, name="pagefind-requests", daemon=True)
        self._writer.start()
        return True

    def _write(self) -> None:
        """Hand the requests to the service, in order, as it reads them."""
        assert self._process is not None and self._process.stdin is not None
        stream = self._process.stdin
        while (message := self._outbox.get()) is not None:
            if self._broken:
                continue
            try:
                stream.write(message)
                if self._outbox.empty():
                    stream.flush()
            except OSError:
                self._broken = True
        with contextlib.suppress(OSError):
            stream.close()

    def _read(self) -> None:
        """Take the service's answers as they come (a thread: its output must never fill)."""
        assert self._process is not None and self._process.stdout is not None
        stream, pending = self._process.stdout.fileno(), bytearray()
        while chunk := os.read(stream, 1 << 16):
            start = len(pending)  # what came before holds no comma: every answer in it is taken
            pending += chunk
            end = pending.find(b",", start)
            while end != -1:
                answer = json.loads(base64.b64decode(pending[:end]))
                del pending[: end + 1]
                self._answered(answer.get("message_id"), answer.get("payload") or {})
                end = pending.find(b",")
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for answer in waiting.values():
            answer.event.set()  # the service stopped: nobody waits for ever

    def _answered(self, number: int | None, payload: dict[str, Any]) -> None:
        with self._lock:
            page = self._pages.pop(number, None) if number is not None else None
            waiting = self._waiting.pop(number, None) if number is not None else None
        if payload.get("type") == "GetFiles":
            payload["files"] = _bundle(payload.get("files") or ())  # bytes, not base64 text, while it waits
        if payload.get("type") == "Error" and self.problem is None:
            said = " ".join(str(payload.get("message", "")).split())[:500]
            self.problem = Problem(page or CONFIG_FILE, None, f"search: Pagefind failed: {said}", hint=None if page else HINT)
        if waiting is not None:
            waiting.payload = payload
            waiting.event.set()

    def _send(self, payload: dict[str, Any], page: str | None = None, answer: bool = False) -> Answer | None:
        """Send a request; return where its answer will be if ``answer`` (else errors only
        are kept)."""
        if not self._start():
            return None
        assert self._process is not None and self._process.stdin is not None
        waiting = Answer()
        with self._lock:
            self._sent += 1
            number = self._sent
            if page is not None:
                self._pages[number] = page
            if answer:
                self._waiting[number] = waiting
        if self._broken:
            self._stopped()
            return None
        self._outbox.put(base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode("utf-8")) + b",")
        return waiting if answer else None

    def _wait(self, waiting: Answer) -> dict[str, Any] | None:
        """Return the answer to a request (``None`` if the service failed)."""
        if not waiting.event.wait(TIMEOUT):
            self.problem = self.problem or Problem(CONFIG_FILE, None, f"search: Pagefind gave no answer in {TIMEOUT} s", hint=HINT)
            return None
        if waiting.payload is None:
            self._stopped()
            return None
        return waiting.payload

    def _stopped(self) -> None:
        """Say why the service stopped (what it wrote on its standard error)."""
        if self.problem is not None:
            return
        said = ""
        if self._process is not None:
            code = self._process.wait(TIMEOUT)
            self._errors.seek(0)
            said = f" (exit {code}): " + " ".join(self._errors.read().decode("utf-8", "replace").split())[:500]
        self.problem = Problem(CONFIG_FILE, None, f"search: Pagefind stopped{said}", hint=HINT)

    @property
    def pid(self) -> int | None:
        """The process id of the service (``None`` before it starts and after :meth:`close`;
        a service that died keeps its id until then)."""
        return self._process.pid if self._process is not None else None

    def new_index(self) -> int | None:
        """Start an index; return its number (``None`` if the service failed)."""
        return self.new_indexes(1)[0]

    def new_indexes(self, count: int) -> list[int | None]:
        """Start ``count`` indexes at once; return their numbers (``None`` where the service
        failed). The answer to a request comes after every request sent before it has been
        handled: asking for all indexes together waits for the pages sent so far once."""
        asked = [self._send({"type": "NewIndex", "config": INDEX_CONFIG}, answer=True) for _ in range(count)]
        numbers: list[int | None] = []
        for waiting in asked:
            answer = self._wait(waiting) if waiting is not None else None
            numbers.append(int(answer["index_id"]) if answer and answer.get("type") == "NewIndex" else None)
        return numbers

    def add(self, index: int | None, path: str, data: bytes) -> None:
        """Add the page ``path`` (its URL is made from its path, as Pagefind makes it from a file's)."""
        if index is None or self.problem is not None:
            return
        contents = indexed_part(data).decode("utf-8", "replace")
        self._send({"type": "AddFile", "index_id": index, "file_path": path, "url": None, "file_contents": contents}, page=path)

    def ask_files(self, index: int | None) -> Answer | None:
        """Ask for the bundle of an index, made after the pages sent so far; :meth:`files`
        waits for it."""
        return self._send({"type": "GetFiles", "index_id": index}, answer=True) if index is not None else None

    def delete_index(self, index: int | None) -> None:
        """Drop an index from the service, once its bundle is asked for (the service
        answers in order): Pagefind holds the index of one language at a time, not all."""
        if index is not None:
            self._send({"type": "DeleteIndex", "index_id": index})

    def files(self, answer: Answer | None) -> dict[str, bytes] | None:
        """Return the bundle asked for, keyed by output path (``None`` if it failed)."""
        payload = self._wait(answer) if answer is not None else None
        if not payload or payload.get("type") != "GetFiles" or self.problem is not None:
            return None
        files: dict[str, bytes] = payload["files"]
        return files

    def close(self) -> None:
        """Stop the service."""
        if self._process is None:
            return
        try:
            self._outbox.put(None, timeout=5)
        except queue.Full:  # the service reads no more: the requests left are dropped
            self._process.kill()
        if self._writer is not None:
            self._writer.join(5)
            if self._writer.is_alive():
                self._process.kill()
                self._writer.join()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._reader is not None:
            self._reader.join(5)
        if self._process.stdout is not None:
            self._process.stdout.close()
        if self._errors is not None:
            self._errors.close()
        self._process = None


def _bundle(files: Iterable[dict[str, Any]]) -> dict[str, bytes]:
    """Return the files of a ``GetFiles`` answer, keyed by output path, those the site uses."""
    bundle: dict[str, bytes] = {}
    for file in files:
        relative = str(file["path"]).lstrip("/")
        if not relative.startswith(UNUSED):
            bundle[f"{SEARCH_FOLDER}/{relative}"] = base64.b64decode(file["content"])
    return bundle


ENTRY = f"{SEARCH_FOLDER}/pagefind-entry.json"


def merge_bundles(bundles: Iterable[Mapping[str, bytes]]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return one bundle made of the bundles of several indexes (one language each): their
    files, and one ``pagefind-entry.json`` listing every language, as Pagefind writes it for
    a site of several languages (sorted, so that the same pages always give the same bytes)."""
    files: dict[str, bytes] = {}
    entry: dict[str, Any] = {}
    languages: dict[str, Any] = {}
    problems: list[Problem] = []
    for bundle in bundles:
        for path, data in bundle.items():
            if path != ENTRY:
                files.setdefault(path, data)
                continue
            found = json.loads(data)
            for language, value in (found.get("languages") or {}).items():
                if language in languages:
                    problems.append(
                        Problem(CONFIG_FILE, None, f'search: pages of two languages of the site say <html lang="{language}">', "warning")
                    )
                languages[language] = value
            entry = {**found, **entry}
    if not files:
        return {}, problems
    entry["languages"] = languages
    files[ENTRY] = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    log.debug("search bundle: %d files, %d bytes", len(files), sum(len(data) for data in files.values()))
    return dict(sorted(files.items())), problems
