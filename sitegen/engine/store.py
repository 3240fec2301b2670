"""The persistent cache: one SQLite file of entries, each checked before it is trusted.

The folder is ``.sitegen-cache/`` at the project root (``cache`` in ``[tool.sitegen]``
moves it, ``cache = "xdg"`` puts it in the XDG cache folder). Deleting it is always
safe: the next build is a cold one.

An entry is ``MAGIC + checksum + payload``. A torn entry (a crash, a disk that lied, a
hand edit) or a foreign one (another format) fails the check and is ignored, then
overwritten. A file that SQLite cannot read at all is moved aside and the cache starts
empty: a build never fails because of its cache. Writes are buffered and committed in one
transaction (:meth:`Store.flush`), so a killed build leaves whole entries or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = 1
"""``PRAGMA user_version`` of the file; another value means another layout: start afresh."""
MAGIC = b"sitegen\x01"
CHECKSUM_SIZE = 16
DATABASE = "cache.sqlite"
PENDING_BYTES = 4 << 20
"""New entries held before they are written: a flush holds them twice for a moment (sealed).
32 MB held a 600-page cold build's RSS at 101 MB, 4 MB at 80 MB, in about the same time."""
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# sitegen's build cache: safe to delete (https://bford.info/cachedir/)\n"


def seal(payload: bytes) -> bytes:
    """Return an entry as stored: the payload behind a magic number and its checksum."""
    return MAGIC + hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest() + payload


def unseal(entry: bytes) -> bytes | None:
    """Return the payload of a stored entry, or ``None`` if it is torn or foreign."""
    start = len(MAGIC) + CHECKSUM_SIZE
    if len(entry) < start or not entry.startswith(MAGIC):
        return None
    payload = entry[start:]
    if hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest() != entry[len(MAGIC) : start]:
        return None
    return payload


class Store:
    """Entries on disk, by key; each belongs to a stage (for pruning and the timings)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DATABASE
        self._pending: dict[str, tuple[str, bytes]] = {}
        self._pending_bytes = 0
        self._connection: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self.broken = False
        """Set when the store could not be used at all: the build goes on without it."""

    # -- the connection -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        if self.broken:
            return None
        self._pid = os.getpid()  # a forked worker opens its own connection, never its parent's
        try:
            self._connection = self._open()
        except (sqlite3.Error, OSError) as error:
            log.warning("cache %s is unreadable (%s): starting with an empty cache", self.path, error)
            self._reset()
            try:
                self._connection = self._open()
            except (sqlite3.Error, OSError) as again:
                log.warning("cache %s cannot be used (%s): building without it", self.path, again)
                self.broken = True
                return None
        return self._connection

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG, "utf-8")
            (self.folder / ".gitignore").write_text("# sitegen's build cache: never committed\n*\n", "utf-8")
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA:
                connection.execute("DROP TABLE IF EXISTS entries")
                connection.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, stage TEXT NOT NULL, value BLOB NOT NULL)")
                connection.execute("CREATE INDEX entries_stage ON entries (stage)")
                connection.execute(f"PRAGMA user_version={SCHEMA}")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _reset(self) -> None:
        """Move an unreadable cache file aside (removed), so that a fresh one can be made."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + suffix).unlink()

    def _run(self, action: str, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Run one statement; on a database error, reset the cache and return no rows."""
        connection = self._connect()
        if connection is None:
            return []
        try:
            return connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            log.warning("cache %s failed to %s (%s): starting with an empty cache", self.path, action, error)
            self._reset()
            return []

    def _write(self, action: str, sql: str, rows: list[tuple[object, ...]]) -> None:
        """Run one statement for each row, in one transaction; on an error, reset the cache."""
        connection = self._connect()
        if connection is None or not rows:
            return
        try:
            with connection:  # COMMIT, or ROLLBACK on an error
                connection.execute("BEGIN")
                connection.executemany(sql, rows)
        except sqlite3.Error as error:
            log.warning("cache %s failed to %s (%s): starting with an empty cache", self.path, action, error)
            self._reset()

    # -- entries --------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """Return the payload stored under ``key``, or ``None`` (absent, torn or foreign)."""
        pending = self._pending.get(key)
        if pending is not None:
            return pending[1]
        rows = self._run("read", "SELECT value FROM entries WHERE key = ?", (key,))
        if not rows:
            return None
        value = rows[0][0]
        payload = unseal(value) if isinstance(value, bytes) else None
        if payload is None:
            log.warning("cache entry %s is torn or foreign: ignored", key)
        return payload

    def put(self, stage: str, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` (written by the next :meth:`flush`)."""
        self._pending[key] = (stage, payload)
        self._pending_bytes += len(payload)
        if self._pending_bytes > PENDING_BYTES:  # a large cold build: keep the memory bounded
            self.flush()

    def flush(self) -> None:
        """Write the pending entries, in one transaction."""
        if not self._pending:
            return
        rows: list[tuple[object, ...]] = [(key, stage, seal(payload)) for key, (stage, payload) in self._pending.items()]
        self._pending.clear()
        self._pending_bytes = 0
        self._write("write", "INSERT OR REPLACE INTO entries (key, stage, value) VALUES (?, ?, ?)", rows)

    def prune(self, stage: str, keep: Iterable[str]) -> int:
        """Delete the entries of ``stage`` that are not in ``keep``; return how many."""
        self.flush()
        kept = set(keep)
        stale = [row[0] for row in self._run("list", "SELECT key FROM entries WHERE stage = ?", (stage,)) if row[0] not in kept]
        self._write("prune", "DELETE FROM entries WHERE key = ?", [(key,) for key in stale])
        return len(stale)

    def stages(self) -> dict[str, int]:
        """Return how many entries each stage holds."""
        return {str(stage): int(count) for stage, count in self._run("count", "SELECT stage, count(*) FROM entries GROUP BY stage")}  # type: ignore[call-overload]

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush()
        if self._connection is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None
