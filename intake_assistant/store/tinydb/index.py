"""The index: one row per dossier (name, status, dates, agent...) for listing and searching.

It is only a cache of the dossier files, kept in one SQLite file (`index/index.sqlite3`, standard
library, WAL): opening it costs a few milliseconds whatever the number of dossiers, the home list
is an indexed query (the 300 most recent rows, no sort of 200,000), a search scans one narrow
table in C (~20 ms at 200,000), and erasing a person deletes one row in place — no snapshot to
rewrite, nothing to compact on the UI thread. FTS5 is not used: its segments keep a deleted
name's trigrams until a full `optimize` (an erasure would again rewrite the whole index), and a
substring scan of the narrow table is already within the search target.

How it stays true to the files without reading them at each start:
- before a dossier write, the writer commits an *intent* row (id, token); the write's index row
  and the removal of the intent are one transaction after it. A writer killed in between leaves
  its intent: whoever queries next re-reads that one file;
- commits are not fsynced (`synchronous=NORMAL`: a process kill loses nothing, a power cut may
  lose the last ones), so the index remembers the machine's boot id: after a reboot, and after a
  copy or restore (another folder), the files are checked in the background (a stat each; a file
  whose size and modification time are those recorded is not re-read);
- a dossier read that disagrees with its row (a file restored or damaged by hand) fixes the row;
- `verify()` (reindex, purge, a missing or damaged index) checks every file at once.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CorruptDossierError, DossierLockedError
from ..index_entry import (
    ENTRY_FIELDS,
    IndexEntry,
    Query,
    entry_from_document,
    normalize,
    search_key,
)
from .atomic_storage import is_temp_name
from .change_log import CHANGE_LOG, LOG_KEPT
from .dossier_file import ID_PATTERN, parse_document

if TYPE_CHECKING:  # the search table is imported when a search first needs it: the app's
    # start (the store opened beside the first screen) does without its ~1.6 ms of import
    from .search_table import Found, SearchTable

_FORMAT = "6"
DB_NAME = "index.sqlite3"
_OLD_FILES = ("snapshot.json", "journal.jsonl")  # the JSON index of earlier versions
_STALE_INTENT_S = 30.0  # an intent older than this belongs to a writer that died
_BACKGROUND_DELAY_S = 3.0  # let the first screen paint before checking files

Signature = tuple[int, int]  # size, modification time (ns): kept by copies that keep times

_COLUMNS = (*ENTRY_FIELDS, "agent_key", "search_text", "search_digits", "search_compact",
            "size", "mtime")
# A search scans the matching columns: this covering index holds them (and what a listing sorts
# and counts by) in half the bytes of the table, so a scan of 200,000 rows takes half the time.
_SEARCH_INDEX = ("CREATE INDEX IF NOT EXISTS entries_search ON entries "
                 "(search_text, search_digits, search_compact, status, updated_at, id)")
_SCAN = "entries INDEXED BY entries_search"
# The listing's order, holding the search columns too: the in-memory search table reads them in
# that order from the index alone (~0.1 s at 200,000; through the table's rows, 0.6 s).
_RECENT_COLUMNS = ("updated_at", "id", "status", "search_text", "search_digits",
                   "search_compact")
_RECENT_INDEX = (f"CREATE INDEX IF NOT EXISTS entries_recent ON entries "
                 f"({', '.join(_RECENT_COLUMNS)})")
_MATCHES_KEPT = 5000  # a search matching more is counted and sorted by SQL, not kept
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries ({", ".join(
    f"{name} {'TEXT PRIMARY KEY' if name == 'id' else ''}".strip() for name in _COLUMNS)});
{_RECENT_INDEX};
CREATE INDEX IF NOT EXISTS entries_status ON entries (status);
{_SEARCH_INDEX};
CREATE TABLE IF NOT EXISTS pending (id TEXT NOT NULL, token TEXT NOT NULL, at REAL NOT NULL,
                                    PRIMARY KEY (id, token));
CREATE TABLE IF NOT EXISTS corrupt (id TEXT PRIMARY KEY, path TEXT NOT NULL);
"""
_ENTRY_SQL = ", ".join(ENTRY_FIELDS)
_UPSERT = (f"INSERT OR REPLACE INTO entries ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in _COLUMNS)})")
# The row of a dossier written again, changed in place: REPLACE deletes the row and inserts it
# under a new rowid, so every index of the table is rewritten (~13 pages to the write-ahead log
# a save, and a checkpoint every ~75 saves; in place ~9). The same trigger logs the change.
_UPDATE = (f"UPDATE entries SET {', '.join(f'{name} = ?' for name in _COLUMNS[1:])} "
           "WHERE id = ?")


def boot_id() -> str:
    """Which boot of the machine this is (Linux); empty elsewhere (then every start checks)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _identity(folder: Path) -> str:
    """Which folder this is (device, inode): another one after a copy or a restore."""
    try:
        st = os.stat(folder)
    except OSError:
        return "0:0"
    return f"{st.st_dev}:{st.st_ino}"


def signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns)


def _row(entry: IndexEntry, sig: Signature) -> tuple[Any, ...]:
    text, digits = search_key(entry)
    return (*(getattr(entry, name) for name in ENTRY_FIELDS), normalize(entry.agent or ""),
            text, digits, text.replace(" ", ""), sig[0], sig[1])


def _put(db: sqlite3.Connection, row: tuple[Any, ...]) -> None:
    """Write one dossier's row: changed in place if it exists, else inserted."""
    if db.execute(_UPDATE, (*row[1:], row[0])).rowcount == 0:
        db.execute(_UPSERT, row)


class Index:
    def __init__(self, index_dir: Path, dossiers_dir: Path, *, lock_timeout: float = 10.0,
                 read_only: bool = False) -> None:
        self.dir = index_dir
        self.dossiers_dir = dossiers_dir
        self.path = index_dir / DB_NAME
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()  # one connection shared by the process's threads
        # The rows a search matched (`_matches`), kept until the index changes: the home list
        # counts a search's matches per status, then lists its first rows — one scan, not two.
        self._matched: tuple[Any, list[tuple[str, str, str]] | None] | None = None
        self._counted: tuple[Any, dict[str | None, int]] = (None, {})
        # The search columns in memory (search_table.py), once `prepare_search` asked for them
        # (a process that searches often: the TUI); until built, searches scan SQLite.
        self._table: SearchTable | None = None
        self._table_wanted = False
        self._builder: threading.Thread | None = None
        self._found: tuple[Any, Found] | None = None  # the last search of the table, its key
        self._checked = False  # this process has processed intents and the start checks
        self._background: threading.Thread | None = None
        self.needs_verify = False  # an index write failed: check the files at the next query

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        with self._lock:
            if self._db is None:
                try:
                    self._db = self._open()
                except sqlite3.Error as exc:
                    raise translate(exc) from exc
            return self._db

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            return self._open_in_memory()
        try:
            db = self._open_file()
        except sqlite3.DatabaseError:  # damaged index file: it is only a cache
            self._remove_files()
            db = self._open_file()
        for name in _OLD_FILES:  # an earlier version's index (names of erased people too)
            with suppress(FileNotFoundError):
                os.unlink(self.dir / name)
        return db

    def _open_file(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.lock_timeout, isolation_level=None,
                             check_same_thread=False)
        try:
            with suppress(OSError):
                os.chmod(self.path, 0o600)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA secure_delete=ON")  # an erased row's bytes are overwritten
            if self._meta(db, "format") != _FORMAT or self._meta(db, "fields") != ",".join(
                    _COLUMNS):
                self._create(db)
            db.execute(_SEARCH_INDEX)  # an index of an earlier version: built once (~0.5 s/200k)
            if self._meta(db, "epoch") is None or not self._recent_covers(db):
                with self._write(db):
                    self._add_change_log(db)
            for suffix in ("-wal", "-shm"):
                with suppress(OSError):
                    os.chmod(f"{self.path}{suffix}", 0o600)
        except BaseException:
            db.close()
            raise
        return db

    def _open_in_memory(self) -> sqlite3.Connection:
        """A read-only store: the index file copied into memory (or built there), so checks can
        still fix rows for this process without writing anything."""
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if self.path.exists():
            with suppress(sqlite3.DatabaseError), closing(sqlite3.connect(
                    f"file:{self.path}?mode=ro&immutable=1", uri=True)) as source:
                source.backup(db)
        if self._meta(db, "format") != _FORMAT or self._meta(db, "fields") != ",".join(_COLUMNS):
            self._create(db)
        db.execute(_SEARCH_INDEX)
        self._add_change_log(db)
        return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return row[0] if row else None

    def _create(self, db: sqlite3.Connection) -> None:
        """A new (or other-format) index: empty, then filled from every file (`built` unset)."""
        with self._write(db):
            if self._meta(db, "format") == _FORMAT and self._meta(db, "fields") == ",".join(
                    _COLUMNS):
                return  # another process made it meanwhile
            for table in ("meta", "entries", "pending", "corrupt", "changes"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('format', ?), ('fields', ?)",
                       (_FORMAT, ",".join(_COLUMNS)))
            self._add_change_log(db)

    @classmethod
    def _add_change_log(cls, db: sqlite3.Connection) -> None:
        """The change log and its triggers, the `epoch` that tells this index file from a new
        one (a process's search table is only kept current by the log of the file it was
        built from), and the covering recency index: an index of an earlier version gets them
        at its first open (~0.5 s at 200,000, once)."""
        for statement in CHANGE_LOG:
            db.execute(statement)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (os.urandom(8).hex(),))
        if not cls._recent_covers(db):
            db.execute("DROP INDEX IF EXISTS entries_recent")
            db.execute(_RECENT_INDEX)

    @staticmethod
    def _recent_covers(db: sqlite3.Connection) -> bool:
        columns = [row[2] for row in db.execute("PRAGMA index_info(entries_recent)")]
        return tuple(columns) == _RECENT_COLUMNS

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def _write(self, db: sqlite3.Connection | None = None) -> _Transaction:
        return _Transaction(db or self._connect(), self._lock)

    def close(self) -> None:
        with self._lock:
            self._table, self._found, self._table_wanted = None, None, False
            # kept by a connection's counters: a new connection starts them again
            self._matched, self._counted = None, (None, {})
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- the search table ------------------------------------------------------------------------
    def prepare_search(self) -> None:
        """Build the in-memory search table in the background and keep it from now on (a
        process that will search: the TUI's home list). A read-only store scans SQLite."""
        if self.read_only:
            return
        self._connect()  # the index file exists, in this version's format, before it is read
        with self._lock:
            self._table_wanted = True
            self._start_build()

    def wait_search_table(self, timeout: float | None = None) -> bool:
        """Wait for a build under way (tests, benchmarks); True when the table is ready."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
        return self._table is not None

    def _start_build(self) -> None:
        if self._builder is not None and self._builder.is_alive():
            return
        self._builder = threading.Thread(target=self._build, name="index-search-table",
                                         daemon=True)
        self._builder.start()

    def _build(self) -> None:
        try:
            from .search_table import build_snapshot

            snapshot = build_snapshot(self.path, self.lock_timeout)
        except (sqlite3.Error, OSError):
            return  # busy or unreadable now: the next search tries again
        with self._lock:
            if self._table_wanted:
                from .search_table import SearchTable

                self._table = None if snapshot is None else SearchTable(snapshot)
                self._table_wanted = snapshot is not None  # else ids it cannot hold: SQLite
                self._found = None

    def _current_table(self, db: sqlite3.Connection) -> SearchTable | None:
        """The search table brought up to the index's last commit (the caller holds the
        lock), or None: not built (yet), or inside a write of this process."""
        table = self._table
        if table is None or db.in_transaction:
            if table is None and self._table_wanted:
                self._start_build()  # a build that failed (busy), or dropped by a refresh
            return None
        # Read before the changes: a commit in between is read now and again next time.
        version = (db.total_changes, db.execute("PRAGMA data_version").fetchone()[0])
        if table.version != version:
            if not table.refresh(db):
                # Another file, too far behind, or an erasure (its name leaves memory).
                self._table, self._found = None, None
                self._start_build()
                return None
            table.version = version
            if table.stale:  # many changes to search in Python: a new snapshot
                self._start_build()
        return table

    def _search_table(self, search: str) -> Found | None:
        """What the search table finds for `search` (kept for the listing that follows the
        count, until the index changes), or None to search in SQLite."""
        db = self._connect()
        with self._lock:
            try:
                table = self._current_table(db)
            except sqlite3.Error as exc:
                raise translate(exc) from exc
            if table is None:
                return None
            key = (search, table.version, id(table))
            if self._found is not None and self._found[0] == key:
                return self._found[1]
            found = table.search(Query(search))
            self._found = (key, found)
            return found

    # -- writing -------------------------------------------------------------------------------
    def intend(self, dossier_id: str) -> str | None:
        """Say a write of this dossier is about to happen (before the file is written); the
        token for `record`. None when the index cannot be written (then it is checked later)."""
        token = os.urandom(6).hex()
        try:
            with self._write() as db:
                db.execute("INSERT INTO pending VALUES (?, ?, ?)",
                           (dossier_id, token, time.time()))
        except (OSError, DossierLockedError):
            self.needs_verify = True
            return None
        return token

    def cancel(self, dossier_id: str, token: str | None) -> None:
        """The announced write did not happen (nothing changed, or it failed before writing)."""
        if token is None:
            return
        try:
            with self._write() as db:
                db.execute("DELETE FROM pending WHERE id = ? AND token = ?", (dossier_id, token))
        except (OSError, DossierLockedError):
            self.needs_verify = True

    def record(self, entry: IndexEntry, sig: Signature, token: str | None = None) -> None:
        """The new state of one dossier, just written (callers hold that dossier's lock)."""
        try:
            with self._write() as db:
                _put(db, _row(entry, sig))
                db.execute("DELETE FROM corrupt WHERE id = ?", (entry.id,))
                if token is not None:
                    db.execute("DELETE FROM pending WHERE id = ? AND token = ?",
                               (entry.id, token))
        except (OSError, DossierLockedError):
            self.needs_verify = True
            raise

    def record_many(self, items: Iterable[tuple[IndexEntry, Signature]]) -> None:
        rows = [_row(entry, sig) for entry, sig in items]
        if rows:
            with self._write() as db:
                db.executemany(_UPSERT, rows)

    def forget_entry(self, dossier_id: str) -> None:
        """Drop a row (its file was just erased); `compact()` then clears the write-ahead log."""
        with self._lock:  # no search refreshes the table between the commit and `erased_here`
            with self._write() as db:
                deleted = db.execute("DELETE FROM entries WHERE id = ?", (dossier_id,)).rowcount
                db.execute("DELETE FROM pending WHERE id = ?", (dossier_id,))
                db.execute("DELETE FROM corrupt WHERE id = ?", (dossier_id,))
            # Only once committed (inside a caller's transaction it may yet be rolled back):
            # else the next refresh sees an erasure it cannot place and asks for a snapshot.
            if deleted and self._table is not None and not db.in_transaction:
                self._table.erased_here(dossier_id)

    def compact(self) -> None:
        """Leave no copy of erased rows: deleted bytes are overwritten in place (secure_delete),
        and the write-ahead log, which still holds the old pages, is folded in and emptied."""
        if self.read_only:
            return
        db = self._connect()
        with self._lock:
            for _ in range(50):
                busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return
                time.sleep(0.05)  # another process is reading: its read ends in milliseconds

    # -- checking against the files -------------------------------------------------------------
    def ensure(self, *, background: bool = True) -> None:
        """Before a query: re-read the files of dead writers' intents; at the first query of
        this process, a new index is filled, and after a reboot or a copy the files are checked
        (in the background by default)."""
        db = self._connect()
        try:
            self._ensure(db, background)
        except (OSError, DossierLockedError, sqlite3.Error):
            # The index cannot be written now (disk full, busy): list what it holds; the
            # check is tried again at the next query.
            self.needs_verify = True

    def _ensure(self, db: sqlite3.Connection, background: bool) -> None:
        # Under the lock: another thread's first query waits for a new index to be filled
        # instead of listing it half-built.
        with self._lock:
            if self.needs_verify:
                self.verify()
                return
            self._finish_intents(db)
            if self._checked:
                return
            if self._meta(db, "built") is None or self.read_only:
                # A new index: every file is read once. A read-only store (a backup medium):
                # its index file was copied without its write-ahead log, so files are checked.
                self.verify()
            elif self._meta(db, "checked") != self._check_mark():
                if background and not self.read_only:
                    self._start_background()
                else:
                    self.verify()
            self._checked = True

    def _check_mark(self) -> str:
        return f"{boot_id()}|{_identity(self.dossiers_dir)}"

    def _finish_intents(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT id, token, at FROM pending").fetchall()
        if not rows:
            return
        now = time.time()
        for dossier_id in sorted({r[0] for r in rows}):
            self._reread(dossier_id, self._file(dossier_id))
        stale = [(r[0], r[1]) for r in rows if now - r[2] > _STALE_INTENT_S]
        if stale:
            with suppress(OSError, DossierLockedError), self._write(db) as tx:
                tx.executemany("DELETE FROM pending WHERE id = ? AND token = ?", stale)

    def _start_background(self) -> None:
        def run() -> None:
            time.sleep(_BACKGROUND_DELAY_S)
            with suppress(Exception):  # a cache check: the next start tries again
                self.verify()

        self._background = threading.Thread(target=run, name="index-check", daemon=True)
        self._background.start()

    def wait_background(self, timeout: float | None = None) -> None:
        if self._background is not None:
            self._background.join(timeout)

    def _file(self, dossier_id: str) -> Path:
        return self.dossiers_dir / dossier_id[2:6] / f"{dossier_id}.json"

    def scan_files(self) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
        """(id, path, dir entry) of every dossier file, in id order (str paths: 50,000 Path
        objects would cost more than the scan itself)."""
        for year in self._years():
            yield from self._scan_year(year)

    def _years(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.dossiers_dir) if e.name.isdigit())
        except FileNotFoundError:
            return []

    def _scan_year(self, year: str) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
        try:
            listing = sorted(os.scandir(self.dossiers_dir / year), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in listing:
            name = entry.name
            if is_temp_name(name) or not name.endswith(".json"):
                continue
            dossier_id = name[:-5]
            if ID_PATTERN.match(dossier_id):
                yield dossier_id, entry.path, entry

    def verify(self, progress: Callable[[int], None] | None = None) -> bool:
        """Check every row against its file (a stat each), re-read the changed files, drop the
        rows of missing ones; True if anything changed. A file whose size and modification time
        are those recorded is not re-read (so a copy that keeps times costs no read)."""
        db = self._connect()
        mark = self._check_mark()
        self.needs_verify = False
        with self._lock:
            known = {row[0]: (row[1], row[2]) for row in
                     db.execute("SELECT id, size, mtime FROM entries")}
            damaged = {row[0] for row in db.execute("SELECT id FROM corrupt")}
        changed = False
        seen: set[str] = set()
        for dossier_id, path, dir_entry in self.scan_files():
            seen.add(dossier_id)
            try:
                sig = signature(dir_entry.stat())
            except FileNotFoundError:
                continue
            if known.get(dossier_id) == sig and dossier_id not in damaged:
                continue
            changed = True
            self._reread(dossier_id, Path(path))
            if progress is not None:
                progress(len(seen))
        gone = [(i,) for i in known.keys() - seen] + [(i,) for i in damaged - seen]
        with self._write(db) as tx:
            if gone:
                changed = True
                tx.executemany("DELETE FROM entries WHERE id = ?", gone)
                tx.executemany("DELETE FROM corrupt WHERE id = ?", gone)
            for key, value in (("built", "1"), ("checked", mark)):
                tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self._checked = True
        return changed

    def _reread(self, dossier_id: str, path: Path) -> IndexEntry | None:
        """Index one file as it is now (its row dropped if missing, marked if unreadable)."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # Windows: raw bytes
        except FileNotFoundError:
            self.drop(dossier_id)
            return None
        try:
            st = os.fstat(fd)  # the signature of exactly the bytes read
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(fd)
        try:
            entry = entry_from_document(parse_document(b"".join(chunks), path))
        except (CorruptDossierError, KeyError, TypeError, ValueError):
            self.mark_corrupt(dossier_id, path)
            return None
        with self._write() as db:
            _put(db, _row(entry, signature(st)))
            db.execute("DELETE FROM corrupt WHERE id = ?", (dossier_id,))
        return entry

    def drop(self, dossier_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM entries WHERE id = ?", (dossier_id,))
            db.execute("DELETE FROM corrupt WHERE id = ?", (dossier_id,))

    def mark_corrupt(self, dossier_id: str, path: Path) -> None:
        with self._write() as db:
            db.execute("DELETE FROM entries WHERE id = ?", (dossier_id,))
            db.execute("INSERT OR REPLACE INTO corrupt VALUES (?, ?)", (dossier_id, str(path)))

    def repair(self, dossier_id: str, doc: dict[str, Any], path: Path) -> None:
        """A dossier read by the store: if its row says otherwise (the file was changed around
        the store), the row is fixed from the file."""
        entry = self.get(dossier_id)
        if entry is not None and entry.version == _version(doc) \
                and entry.interview_agent == _interview_agent(doc):
            return
        with suppress(sqlite3.Error, OSError, DossierLockedError):
            self._reread(dossier_id, path)

    def repair_many(self, read: Sequence[tuple[str, dict[str, Any], Path]]) -> None:
        """`repair` for dossiers read in bulk: their rows compared in one query."""
        if not read:
            return
        marks = ", ".join("?" for _ in read)
        known = {row[0]: (f"{row[1]}:{row[2]}", row[3]) for row in self._rows(
            f"SELECT id, rev, updated_at, interview_agent FROM entries WHERE id IN ({marks})",
            [dossier_id for dossier_id, _, _ in read])}
        for dossier_id, doc, path in read:
            if known.get(dossier_id) != (_version(doc), _interview_agent(doc)):
                with suppress(sqlite3.Error, OSError, DossierLockedError):
                    self._reread(dossier_id, path)

    # -- querying ------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        db = self._connect()
        with self._lock:
            try:
                return db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc) from exc

    @property
    def corrupt(self) -> dict[str, Path]:
        return {row[0]: Path(row[1]) for row in self._rows("SELECT id, path FROM corrupt")}

    def get(self, dossier_id: str) -> IndexEntry | None:
        rows = self._rows(f"SELECT {_ENTRY_SQL} FROM entries WHERE id = ?", (dossier_id,))
        return IndexEntry(*rows[0]) if rows else None

    def versions(self, dossier_ids: list[str] | None = None) -> dict[str, str]:
        # The token (IndexEntry.version) is made by SQLite and the dict in C, not through a
        # Python f-string for each of 200,000 rows.
        sql = "SELECT id, CAST(rev AS INTEGER) || ':' || updated_at FROM entries"
        if dossier_ids is None:
            return dict(self._rows(f"{sql} ORDER BY id"))
        found: dict[str, str] = {}
        for start in range(0, len(dossier_ids), 900):  # under SQLite's bound-parameter limit
            part = dossier_ids[start:start + 900]
            found.update(self._rows(f"{sql} WHERE id IN ({','.join('?' for _ in part)})", part))
        return {i: found[i] for i in sorted(found)}

    def changes_since(self, mark: str | None) -> tuple[str, list[str] | None]:
        """The index's mark (its epoch and the last sequence number of its log of changes) and
        the ids logged after `mark`; None when the log cannot tell: another index file (a copy,
        a reindex), rows pruned, or an erasure (logged without its id)."""
        db = self._connect()
        with self._lock:
            try:
                epoch = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
                last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'"
                                  ).fetchone()
                now = f"{epoch[0] if epoch else ''}:{int(last[0]) if last else 0}"
                then_epoch, _, then_seq = (mark or "").rpartition(":")
                if not epoch or not then_seq.isdigit() or then_epoch != epoch[0]:
                    return now, None
                seq, top = int(then_seq), int(last[0]) if last else 0
                if seq > top or top - seq >= LOG_KEPT:  # another log, or pruned past the mark
                    return now, None
                logged = db.execute("SELECT id FROM changes WHERE seq > ? AND seq <= ?",
                                    (seq, top)).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc) from exc
        ids = {str(row[0]) for row in logged}
        return now, None if "" in ids else sorted(ids)

    def count(self, status: str | None = None) -> int:
        """Kept until the index changes, as `_matches` is: every listing of the home screen
        asks for two counts (~3 ms at 200,000 dossiers, each time the search changes)."""
        db = self._connect()
        with self._lock:
            try:
                version = _state(db)
                if version is not None and self._counted[0] == version \
                        and status in self._counted[1]:
                    return self._counted[1][status]
                row = db.execute("SELECT count(*) FROM entries" if status is None else
                                 "SELECT count(*) FROM entries WHERE status = ?",
                                 () if status is None else (status,)).fetchone()
            except sqlite3.Error as exc:
                raise translate(exc) from exc
            if version is not None:
                if self._counted[0] != version:
                    self._counted = (version, {})
                self._counted[1][status] = int(row[0])
            return int(row[0])

    def _matches(self, search: str) -> list[tuple[str, str, str]] | None:
        """(id, status, updated_at) of every entry the search matches, newest first — None
        when more than _MATCHES_KEPT do (then SQL counts and sorts them). Kept until the index
        changes: `total_changes` counts this connection's changes (committed or not), and
        `data_version` other connections' commits."""
        where, params, _ = self._conditions(None, search, None, None, None, "created_at")
        db = self._connect()
        with self._lock:
            try:
                state = _state(db)
                version = None if state is None else (tuple(where), tuple(params), *state)
                if version is not None and self._matched is not None \
                        and self._matched[0] == version:
                    return self._matched[1]
                condition = f" WHERE {' AND '.join(where)}" if where else ""  # « - »: none
                rows = db.execute(
                    f"SELECT id, status, updated_at FROM {_SCAN}{condition} "
                    f"LIMIT {_MATCHES_KEPT + 1}", params).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc) from exc
            found: list[tuple[str, str, str]] | None = None
            if len(rows) <= _MATCHES_KEPT:
                found = sorted(rows, key=lambda r: (r[2] or "", r[0]), reverse=True)
            if version is not None:
                self._matched = (version, found)
            return found

    def count_by_status(self, search: str | None = None) -> dict[str, int]:
        where, params, scan = self._conditions(None, search, None, None, None, "created_at")
        if scan and search is not None:
            table_found = self._search_table(search)
            if table_found is not None and table_found.complete:
                counts: dict[str, int] = {}
                for _, status in (*table_found.base, *table_found.changed):
                    counts[status] = counts.get(status, 0) + 1
                return counts
            if table_found is not None:  # too many to loop over: SQLite counts
                return self._count_scan(where, params)
            found = self._matches(search)
            if found is not None:
                by_status: dict[str, int] = {}
                for _, status, _ in found:
                    by_status[status] = by_status.get(status, 0) + 1
                return by_status
        if scan:
            return self._count_scan(where, params)
        sql = ("SELECT status, count(*) FROM entries"
               + (f" WHERE {' AND '.join(where)}" if where else "") + " GROUP BY status")
        return {str(row[0]): int(row[1]) for row in self._rows(sql, params)}

    def _count_scan(self, where: list[str], params: list[Any]) -> dict[str, int]:
        sql = (f"SELECT status, count(*) FROM {_SCAN}"
               + (f" WHERE {' AND '.join(where)}" if where else "") + " GROUP BY status")
        return {str(row[0]): int(row[1]) for row in self._rows(sql, params)}

    def with_interview_agent(self, agent: str) -> list[str]:
        return [row[0] for row in
                self._rows("SELECT id FROM entries WHERE interview_agent = ?", (agent,))]

    def contacted_before(self, day: str) -> list[IndexEntry]:
        return [IndexEntry(*row) for row in
                self._rows(f"SELECT {_ENTRY_SQL} FROM entries WHERE last_contact < ?", (day,))]

    def select(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
        limit: int | None = None,
    ) -> list[IndexEntry]:
        """Matching entries, most recently updated first. The search follows `Query` exactly
        (substrings of the normalised name, first name and id; phone or id digits)."""
        where, params, scan = self._conditions(status, search, agent, date_from, date_to,
                                               date_field)
        if scan and search is not None and not (agent or date_from or date_to):
            listed = self._select_table(search, status, limit)
            if listed is not None:
                return listed
            found = self._matches(search)  # what `count_by_status` just scanned, as a rule
            if found is not None:
                ids = [r[0] for r in found if status is None or r[1] == status]
                return self._by_ids(ids if limit is None else ids[:max(int(limit), 0)])
        return self._select(where, params, limit, scan=scan)

    def _select_table(self, search: str, status: str | None, limit: int | None
                      ) -> list[IndexEntry] | None:
        """`select` from the search table: the first `limit` of its snapshot's lines (in
        recency order) and the dossiers changed since, read from SQLite and sorted; None when
        the table cannot tell (not built, or too many matches for this status or limit)."""
        found = self._search_table(search)
        if found is None:
            return None
        cut = None if limit is None else max(int(limit), 0)
        if not found.complete and (status is not None or cut is None or cut > len(found.base)):
            return None
        base = [i for i, s in found.base if status is None or s == status]
        changed = [i for i, s in found.changed if status is None or s == status]
        entries = self._by_ids(base[:cut] + changed)
        entries.sort(key=lambda e: (e.updated_at or "", e.id), reverse=True)
        return entries if cut is None else entries[:cut]

    def _by_ids(self, ids: list[str]) -> list[IndexEntry]:
        """The entries of these ids, in this order."""
        rows: dict[str, Any] = {}
        for start in range(0, len(ids), 900):  # within SQLite's count of parameters
            part = ids[start:start + 900]
            marks = ",".join("?" for _ in part)
            rows.update((row[0], row) for row in self._rows(
                f"SELECT {_ENTRY_SQL} FROM entries WHERE id IN ({marks})", part))
        return [IndexEntry(*rows[i]) for i in ids if i in rows]

    def iter_select(self, *, status: str | None = None, search: str | None = None,
                    agent: str | None = None, date_from: date | None = None,
                    date_to: date | None = None, date_field: str = "created_at",
                    page: int = 1000) -> Iterator[IndexEntry]:
        """`select` one page at a time: each page a query of its own that starts after the
        last entry of the previous one (updated_at, id), so nothing stays open between pages."""
        where, params, scan = self._conditions(status, search, agent, date_from, date_to,
                                               date_field)
        if scan:  # a search lists few entries: one scan of the table, not one a page
            yield from self._select(where, params, None, scan=True)
            return
        after: list[Any] = []
        while True:
            more = [*where, "(updated_at, id) < (?, ?)"] if after else where
            rows = self._select(more, [*params, *after], page, scan=False)
            yield from rows
            if len(rows) < page:
                return
            after = [rows[-1].updated_at, rows[-1].id]

    def _conditions(self, status: str | None, search: str | None, agent: str | None,
                    date_from: date | None, date_to: date | None, date_field: str
                    ) -> tuple[list[str], list[Any], bool]:
        """SQL conditions and parameters; True when a search (a scan of the table) is asked."""
        where: list[str] = []
        params: list[Any] = []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if agent:
            where.append("agent_key = ?")
            params.append(normalize(agent))
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise ValueError(date_field)
        if date_from:
            where.append(f"substr({date_field}, 1, 10) >= ?")
            params.append(date_from.isoformat())
        if date_to:
            where.append(f"substr({date_field}, 1, 10) <= ?")
            params.append(date_to.isoformat())
        query = Query(search) if search and search.strip() else None
        if query is not None:
            if query.digits is not None:
                where.append("(instr(search_digits, ?) > 0 OR instr(search_compact, ?) > 0)")
                params += [query.digits, query.digits]
            else:
                for word in query.words:
                    where.append("instr(search_text, ?) > 0")
                    params.append(word)
        return where, params, query is not None

    def _select(self, where: list[str], params: list[Any], limit: int | None, *, scan: bool
                ) -> list[IndexEntry]:
        # A search scans the covering search index (fast, in C) and sorts what matched, then
        # reads the rows kept; otherwise the (updated_at, id) index is walked backwards and
        # stops at `limit`.
        params = list(params)
        order = " ORDER BY updated_at DESC, id DESC"
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        cut = ""
        if limit is not None:
            cut = " LIMIT ?"
            params.append(max(int(limit), 0))
        if scan:
            sql = (f"SELECT {_ENTRY_SQL} FROM entries WHERE id IN "
                   f"(SELECT id FROM {_SCAN}{condition}{order}{cut}){order}")
        else:
            sql = f"SELECT {_ENTRY_SQL} FROM entries{condition}{order}{cut}"
        return [IndexEntry(*row) for row in self._rows(sql, params)]


def _state(db: sqlite3.Connection) -> tuple[int, int] | None:
    """What tells whether the index changed since (this connection's changes, committed or not,
    and other connections' commits); None inside a write, when nothing is kept."""
    if db.in_transaction:
        return None
    return db.total_changes, db.execute("PRAGMA data_version").fetchone()[0]


def _version(doc: dict[str, Any]) -> str:
    return f"{int(doc.get('rev') or 0)}:{doc.get('updated_at') or doc['created_at']}"


def _interview_agent(doc: dict[str, Any]) -> str | None:
    marker = doc.get("interview")
    agent = marker.get("agent") if isinstance(marker, dict) else None
    return None if agent is None or agent == "" else str(agent)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT under the process lock (rolled back on error)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self.db, self.lock = db, lock

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        try:
            if not self.db.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
                self._owner = True
            else:
                self._owner = False
        except BaseException:
            self.lock.release()
            raise
        return self.db

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        try:
            if self._owner:
                if kind is None:
                    try:
                        self.db.execute("COMMIT")
                    except sqlite3.Error as error:
                        exc = error
                if exc is not None and self.db.in_transaction:
                    with suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
        finally:
            self.lock.release()
        if isinstance(exc, sqlite3.Error):
            raise translate(exc) from exc


def translate(exc: sqlite3.Error) -> Exception:
    """An SQLite error as the store's callers know them: busy is a lock held elsewhere, the rest
    an OS-level write failure (reported in French by `faults.writing`)."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return DossierLockedError(
            "L'index des dossiers est occupé par un autre poste ; réessayez dans un instant.")
    if "disk is full" in text or "full" in text:
        return OSError(errno.ENOSPC, "disque plein")
    if "readonly" in text:
        return OSError(errno.EROFS, "lecture seule")
    return OSError(errno.EIO, f"index : {text}")
