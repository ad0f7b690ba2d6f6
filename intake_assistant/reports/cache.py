"""Cache of the statistics records, in the store's folder for derived data (`derived_dir`).

Reading 50,000 dossiers and evaluating the orientation of each takes tens of seconds; the
statistics must take under two. Each record is kept with the dossier's change token
(`DossierStore.versions()`: revision and update time, not tied to files or inodes, so a copy or a
restore of the store keeps the cache warm): a changed dossier is rebuilt, a deleted one disappears
at the next run, and `drop_records` takes an erased person's records out at once (app/privacy.py).
The policy files are fingerprinted too: a new parameter file rebuilds every record. Records hold
no name. The cache is only a cache: on a read-only store it is used but not rewritten.

It is one SQLite file (standard library): a run compares the tokens (one narrow query) and
reads only the records of the period asked (ten years of dossiers, one year of statistics), so a
warm run does not parse 200,000 records; an erasure deletes rows in place (`secure_delete`, and
the write-ahead log emptied), leaving no copy of the erased id.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from intake_assistant.orientation.policy import Policy
from intake_assistant.store.api import (
    CorruptDossierError,
    DossierNotFoundError,
    DossierStore,
    StoreError,
    dossier_version,
)

from .records import RECORD_FIELDS, build_record

# 5: SQLite, one row per record, one column per field of RECORD_FIELDS; 6: per-aid decisions
FORMAT = "6"
CACHE_FOLDER = "stats"
CACHE_NAME = "records.sqlite3"
_OLD_NAMES = ("records.json", "../stats-records.json")  # earlier formats (they name ids)
_COLUMNS = ", ".join(f"r_{name}" for name in RECORD_FIELDS)
JSON_FIELDS = frozenset({"aids"})  # lists, kept as JSON text (stats.aid_rows reads them)
_NAMED = ", ".join(f"r_{name} AS {name}" for name in RECORD_FIELDS)

Progress = Callable[[int, int], None]
Built = tuple[Any, ...]  # a row of the records table: dossier id, change token, the fields
_SCHEMA = ("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, token TEXT NOT NULL, "
           f"{_COLUMNS})",
           "CREATE INDEX IF NOT EXISTS records_created ON records (r_created)")


def policy_fingerprint(policy: Policy) -> str:
    digest = hashlib.sha256(f"records-{FORMAT}".encode())
    for key in sorted(policy.paths):
        with suppress(OSError):
            digest.update(Path(policy.paths[key]).read_bytes())
    digest.update(",".join(aid.id for aid in policy.aids).encode())
    return digest.hexdigest()[:16]


def cache_path(store: DossierStore) -> Path:
    return store.derived_dir(CACHE_FOLDER) / CACHE_NAME


class _Cache:
    """The records table; in memory when the file cannot be written (read-only store, disk
    full): the statistics still come out, only the next run is cold again."""

    def __init__(self, path: Path, synchronous: str = "OFF") -> None:
        self.path = path
        self.synchronous = synchronous
        self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open_file()
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):  # not an SQLite file, or damaged: it is only a cache
                for suffix in ("", "-wal", "-shm"):
                    with suppress(OSError):
                        os.unlink(f"{self.path}{suffix}")
                with suppress(sqlite3.Error):
                    return self._open_file()
            return self._in_memory()  # read-only store, disk full, busy for too long

    def _open_file(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            with suppress(OSError):
                os.chmod(self.path, 0o600)
            db.execute("PRAGMA journal_mode=WAL")
            # Losing it costs only time; NORMAL (a save's refresh) keeps the file whole on a
            # power cut, without an fsync per commit in write-ahead-log mode.
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            db.execute("PRAGMA secure_delete=ON")  # an erased id's bytes are overwritten
            self._schema(db)
            for suffix in ("-wal", "-shm"):
                with suppress(OSError):
                    os.chmod(f"{self.path}{suffix}", 0o600)
        except BaseException:
            db.close()
            raise
        return db

    def _schema(self, db: sqlite3.Connection) -> None:
        for statement in _SCHEMA:
            db.execute(statement)
        known = self._meta(db, "format")
        if known != FORMAT:
            if known is not None:  # another format of the same file name: start again
                db.execute("DROP TABLE records")
                db.execute("DELETE FROM meta")
                for statement in _SCHEMA:
                    db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))

    def _in_memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None)
        if self.path.exists():
            with suppress(sqlite3.Error), closing(sqlite3.connect(
                    f"file:{self.path}?mode=ro&immutable=1", uri=True)) as source:
                source.backup(db)
        with suppress(sqlite3.Error):
            self._schema(db)
        return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def write(self, statements: Callable[[sqlite3.Connection], None]) -> None:
        """One transaction; moved to memory if the file refuses it (read-only, disk full)."""
        for attempt in (1, 2):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    statements(self.db)
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise
                return
            except sqlite3.OperationalError:
                if attempt == 2:
                    raise
                self.db.close()
                self.db = self._in_memory()

    def close(self) -> None:
        self.db.close()


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc)
    return "not a database" in text or "malformed" in text or "file is encrypted" in text


def _remove_old_caches(folder: Path) -> None:
    for name in _OLD_NAMES:
        with suppress(OSError):
            os.unlink(folder / name)
    with suppress(OSError):
        for entry in os.scandir(folder):  # temp files of the JSON cache of earlier versions
            if entry.name.startswith(".~") and entry.name.endswith(".tmp"):
                with suppress(OSError):
                    os.unlink(entry.path)


def store_records(store: DossierStore, policy: Policy, progress: Progress | None = None, *,
                  created_from: str | None = None, created_to: str | None = None
                  ) -> list[Any]:
    """One record per readable dossier of the store (first contact within [created_from,
    created_to] when given, ISO days), rebuilding only what changed. Records are read by field
    name (``record["status"]``) like those of ``build_record``."""
    return records_and_days(store, policy, progress, created_from=created_from,
                            created_to=created_to, named=True)[0]


def records_and_days(store: DossierStore, policy: Policy, progress: Progress | None = None, *,
                     created_from: str | None = None, created_to: str | None = None,
                     whole_from: str | None = None, named: bool = False
                     ) -> tuple[list[Any], list[str]]:
    """`store_records`, but whole records only from `whole_from` on (the period of the
    statistics), and the first-contact days of every record in [created_from, created_to]
    (the year before needs only those): half the rows of a year's statistics are not read.
    Records are tuples in RECORD_FIELDS order unless `named` (what `stats.aggregate` reads)."""
    path = cache_path(store)
    _remove_old_caches(path.parent)
    cache = _Cache(path)
    try:
        return _records(cache, store, policy, progress, created_from, created_to, whole_from,
                        named)
    finally:
        cache.close()


def _records(cache: _Cache, store: DossierStore, policy: Policy, progress: Progress | None,
             created_from: str | None, created_to: str | None, whole_from: str | None,
             named: bool) -> tuple[list[Any], list[str]]:
    fingerprint = policy_fingerprint(policy)
    if cache._meta(cache.db, "policy") != fingerprint:  # new parameters: every record anew
        cache.write(lambda db: (db.execute("DELETE FROM records"), db.execute(
            "DELETE FROM meta WHERE key = 'store_mark'"), db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('policy', ?)", (fingerprint,))))
    # The store's mark when the records were last brought up to date: the dossiers changed
    # since are the only ones compared (a warm run does not fetch 200,000 tokens twice).
    mark, changed = store.changes_since(cache._meta(cache.db, "store_mark"))
    ids: Collection[str] | None
    if changed is None:  # every token compared, as sets of (id, token) pairs: C loops
        cached = dict(cache.db.execute("SELECT id, token FROM records"))
        versions = ids = store.versions()
    else:  # every record is current but those of `changed`
        cached = _tokens(cache.db, changed)
        versions, ids = store.versions(changed), None
    gone = [(i,) for i in cached.keys() - versions.keys()]
    misses = sorted(i for i, _ in versions.items() - cached.items())
    total = len(versions)
    rows: list[tuple[Any, ...]] = []

    def flush(db: sqlite3.Connection) -> None:
        if gone:
            db.executemany("DELETE FROM records WHERE id = ?", gone)
        db.executemany(_INSERT, rows)

    def build(ids: list[str], *, count: bool) -> None:
        nonlocal rows, gone
        for done, row in enumerate(_build(store, ids, policy), 1):
            rows.append(row)
            if count and progress is not None and done % 500 == 0:
                progress(total - len(ids) + done, total)
            if len(rows) >= 5000:  # bounded memory on a first run over years of dossiers
                cache.write(flush)
                rows, gone = [], []
        if rows or gone:
            cache.write(flush)
            rows, gone = [], []

    build(misses, count=True)
    if mark and mark != cache._meta(cache.db, "store_mark"):  # after the records it covers
        cache.write(lambda db: db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('store_mark', ?)", (mark,)))
    whole = whole_from if whole_from is not None and whole_from > (created_from or "") else None
    found, damaged = _read(cache.db, ids, whole or created_from, created_to, named)
    days, bad_days = _days(cache.db, ids, created_from, created_to)
    if damaged or bad_days:  # rows of the wrong shape in the file: rebuilt, not trusted
        again = set(damaged) | set(bad_days)
        build(sorted(again), count=False)
        found += _read(cache.db, again, whole or created_from, created_to, named)[0]
        found.sort(key=lambda record: record[_ID])
        days = _days(cache.db, ids, created_from, created_to)[0]
    return found, days


def _tokens(db: sqlite3.Connection, dossier_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(dossier_ids), 900):  # under SQLite's bound-parameter limit
        part = dossier_ids[start:start + 900]
        found.update(db.execute("SELECT id, token FROM records WHERE id IN "
                                f"({','.join('?' for _ in part)})", part))
    return found


def _days(db: sqlite3.Connection, ids: Collection[str] | None, low: str | None,
          high: str | None) -> tuple[list[str], list[str]]:
    """The first-contact day of every record (of `ids` when given) created in [low, high],
    and the ids whose row has no day (of those SQL would find in the range: a day that is not
    text is out of any range, as SQLite compares it)."""
    ranged = low is not None or high is not None
    where = " WHERE r_created >= ? AND r_created <= ?" if ranged else ""
    params = (low or "", high or "9999") if ranged else ()
    if ids is None and ranged:  # only the days of the range leave SQLite (its index on them)
        return [day for (day,) in db.execute(f"SELECT r_created FROM records{where}",
                                             params)], []
    rows = db.execute(f"SELECT id, r_created FROM records{where}", params).fetchall()
    days = [day for dossier_id, day in rows if ids is None or dossier_id in ids]
    if not ranged:
        damaged = [str(i) for i, day in rows
                   if not isinstance(day, str) and (ids is None or i in ids)]
        if damaged:
            days = [day for day in days if isinstance(day, str)]
        return days, damaged
    return days, []


_INSERT = (f"INSERT OR REPLACE INTO records (id, token, {_COLUMNS}) VALUES "
           f"({', '.join('?' for _ in range(len(RECORD_FIELDS) + 2))})")


def _row(dossier_id: str, token: str, record: dict[str, Any]) -> tuple[Any, ...]:
    return (dossier_id, token, *(
        _encode(record[name]) if name in JSON_FIELDS else record[name]
        for name in RECORD_FIELDS))


# json.dumps(value, ensure_ascii=False, separators=(",", ":")), without a new encoder per call
# (json.dumps builds one whenever an option is given: half its time on a record's short list).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def refresh_records(store: DossierStore, policy: Policy, dossier_ids: Collection[str], *,
                    fingerprint: str | None = None) -> int:
    """Bring the records of these dossiers up to date after they were saved (app/
    records_upkeep.py): each is read and its record written with its new change token, all in
    one transaction, so the next run finds them current. Nothing is written when there is no
    cache yet, when it was built from other policy files (the next run rebuilds every record
    anyway) or when the store or the cache cannot be written. A dossier gone meanwhile (forgotten)
    loses its record, as `drop_records` does. How many records were written."""
    if not dossier_ids or store.read_only:
        return 0
    path = cache_path(store)
    if not path.exists():
        return 0
    cache = _Cache(path, synchronous="NORMAL")
    try:
        if cache.db.execute("PRAGMA database_list").fetchone()[2] == "":
            return 0  # the file could not be opened for writing: an in-memory copy
        if cache._meta(cache.db, "policy") != (fingerprint or policy_fingerprint(policy)):
            return 0
        rows, gone = [], []
        rows.extend(_refreshed(store, sorted(dossier_ids), policy, gone=gone))

        def write(db: sqlite3.Connection) -> None:
            db.executemany(_INSERT, rows)

        if rows:
            cache.write(write)
    finally:
        cache.close()
    if gone:  # forgotten meanwhile: erased as an erasure erases (bytes and log)
        drop_records(store, gone)
    # An erasure that ran while these records were built finds them written, or has already
    # dropped its own: its dossier is read again, and its record goes if it is gone.
    late = [i for i, *_ in rows if not _exists(store, i)]
    if late:
        drop_records(store, late)
    return len(rows) - len(late)


def _exists(store: DossierStore, dossier_id: str) -> bool:
    try:
        store.load(dossier_id)
    except DossierNotFoundError:
        return False
    except (StoreError, OSError):
        return True  # unreadable, not erased: the next run decides
    return True


def _read(db: sqlite3.Connection, ids: Collection[str] | None, low: str | None,
          high: str | None, named: bool) -> tuple[list[Any], list[str]]:
    """The records (of `ids` when given) created in [low, high] (rows read by field name, as
    the record dicts are, when `named`, else tuples in RECORD_FIELDS order; the booleans as 0
    or 1), and the ids whose row is unusable."""
    sql, params = f"SELECT {_NAMED} FROM records", []
    if low is not None or high is not None:
        sql += " WHERE r_created >= ? AND r_created <= ?"
        params = [low or "", high or "9999"]
    if named:
        db.row_factory = sqlite3.Row  # no dict built per record: 200,000 of them cost a second
    try:
        rows = db.execute(sql + " ORDER BY id", params).fetchall()
    finally:
        db.row_factory = None
    out, damaged = [], []
    for row in rows:
        if ids is not None and row[_ID] not in ids:
            continue  # unreadable now (its build failed): not counted, as before
        if isinstance(row[_CREATED], str) and _lists(row):
            out.append(row)
        else:  # a first contact is a day, decisions a JSON list: this row is not a record
            damaged.append(str(row[_ID]))
    return out, damaged


_ID, _CREATED = RECORD_FIELDS.index("id"), RECORD_FIELDS.index("created")
_JSON_AT = tuple(RECORD_FIELDS.index(name) for name in sorted(JSON_FIELDS))


def _lists(row: Any) -> bool:
    for at in _JSON_AT:
        text = row[at]
        if text == "[]":
            continue
        try:
            if not isinstance(text, str) or not isinstance(json.loads(text), list):
                return False
        except ValueError:
            return False
    return True


def drop_records(store: DossierStore, dossier_ids: Collection[str]) -> int:
    """Take the records of erased dossiers out of the cache (and nothing else); how many.
    Their bytes are overwritten and the write-ahead log emptied: no copy of the id remains."""
    if not dossier_ids:
        return 0
    path = cache_path(store)
    _remove_old_caches(path.parent)
    if not path.exists():
        return 0
    cache = _Cache(path)
    try:
        ids = [(i,) for i in dossier_ids]
        present = sum(1 for (i,) in ids if cache.db.execute(
            "SELECT 1 FROM records WHERE id = ?", (i,)).fetchone())
        if present:
            cache.write(lambda db: db.executemany("DELETE FROM records WHERE id = ?", ids))
        for _ in range(50):
            if not cache.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                break
            time.sleep(0.05)  # another run is reading
        return present
    finally:
        cache.close()


# A first run over years of dossiers is CPU-bound (one orientation each): above this many
# records to build, the work is shared by worker processes, one per core.
PARALLEL_FROM = 2000
_CHUNK = 500
_TAIL = 100  # the last chunks: the workers end within ~30 ms of each other, not ~150


def _chunks(ids: list[str], workers: int) -> list[list[str]]:
    """The ids in chunks of _CHUNK, those of the last `workers` chunks in chunks of _TAIL: the
    first worker to run out of chunks waits for the others' last one (a core idle meanwhile)."""
    head = max(len(ids) - workers * _CHUNK, 0) // _CHUNK * _CHUNK
    return ([ids[i:i + _CHUNK] for i in range(0, head, _CHUNK)]
            + [ids[i:i + _TAIL] for i in range(head, len(ids), _TAIL)])


def _build(store: DossierStore, misses: list[str], policy: Policy) -> Iterator[Built]:
    cores = os.cpu_count() or 1
    if len(misses) < PARALLEL_FROM or cores < 2:
        yield from _build_chunk(store, misses, policy)
        return
    workers = min(cores, 4)
    chunks = _chunks(misses, workers)
    global _INHERITED
    forked = _may_fork()
    # A forked worker starts at once with the policy already built (a spawned one imports the
    # package and builds the policy again: ~1 s before its first record). Forking a process
    # with threads (the TUI) is unsafe: then workers are spawned. The parent's SQLite
    # connections are copied, never used (a worker opens its own store) nor closed: a forked
    # worker leaves by os._exit, without finalizers that would close them under the parent.
    context = multiprocessing.get_context("fork" if forked else "spawn")
    _INHERITED = policy if forked else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_init_worker,
                                 initargs=(dict(policy.paths), store.location,
                                           os.getpid())) as pool:
            for results in pool.map(_worker_chunk, chunks):
                yield from results
    finally:
        _INHERITED = None


# Threads that may run beside a fork: the TinyDB store's removal of orphan temp files (asleep
# at first, then only listing and unlinking files; it holds no lock a worker takes).
_FORK_SAFE_THREADS = frozenset({"orphan-temps"})


def _may_fork() -> bool:
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return (sys.platform.startswith("linux") and threading.current_thread() is
            threading.main_thread() and all(t.name in _FORK_SAFE_THREADS for t in others)
            and "fork" in multiprocessing.get_all_start_methods())


def _build_chunk(store: DossierStore, misses: list[str], policy: Policy) -> Iterator[Built]:
    """The records of these dossiers, read in bulk (`read_many`: a first run reads thousands)."""
    for doc in store.read_many(misses):
        try:
            record = build_record(doc, policy)
        except (KeyError, TypeError, ValueError):
            continue
        yield _row(doc["id"], dossier_version(doc), record)  # encoded where it is built


def _refreshed(store: DossierStore, dossier_ids: list[str], policy: Policy, *,
               gone: list[str]) -> Iterator[Built]:
    """The records of dossiers just saved, each read on its own: one erased meanwhile is
    named in `gone` (its record is dropped as an erasure drops it)."""
    for dossier_id in dossier_ids:
        try:
            doc = store.load(dossier_id)
            record = build_record(doc, policy)
        except DossierNotFoundError:
            gone.append(dossier_id)
            continue  # forgotten meanwhile
        except CorruptDossierError:
            continue  # unreadable: the store reports it (corrupt_files)
        except (StoreError, OSError, KeyError, TypeError, ValueError):
            continue
        yield _row(dossier_id, dossier_version(doc), record)  # encoded where it is built


_WORKER: tuple[DossierStore, Policy] | None = None
_INHERITED: Policy | None = None  # the parent's policy, for workers it forks


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (killed `stats`, closed terminal) stops at once instead of
    living on, holding the caller's pipe."""
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(0.2)


def _init_worker(paths: dict[str, str], location: str, parent: int) -> None:
    global _WORKER
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    from intake_assistant.orientation.build import load_policy
    from intake_assistant.store import open_store

    policy = _INHERITED or load_policy(paths.get("parametres"), paths.get("aides"),
                                       paths.get("calculs"))
    _WORKER = (open_store(location), policy)  # its own connections: none crosses a fork
    # What the worker holds from now on (the parent's heap, the policy) is never garbage: out
    # of the collector's sight, its passes stay short and leave the pages shared with the parent.
    gc.freeze()
    gc.enable()  # a forked worker inherits a parent's collector turned off (the stats command)


def _worker_chunk(misses: list[str]) -> list[Built]:
    """The records of a chunk, the cycle collector paused meanwhile: parsing a dossier makes
    hundreds of containers, which would start a pass every few dossiers, and building its
    record leaves no reference cycle (records.orientation_statuses breaks its env's), so
    reference counting frees it all (the first pass once it is enabled finds anything left)."""
    assert _WORKER is not None
    store, policy = _WORKER
    gc.disable()  # the worker's own thread: nothing else of the worker allocates meanwhile
    try:
        return list(_build_chunk(store, misses, policy))
    finally:
        gc.enable()
