"""Whether a phone intake was finished, kept per dossier version in the store's folder for derived
data (`derived_dir`), so that a dossier is replayed once per version, not at every launch.

Replaying one intake costs ~10 ms (every computed value at every event of its history): the 80
intakes a first list shows took ~0.9 s of the interpreter right after the list appeared, while
the agent starts typing. The file holds dossier ids, versions and a yes/no, no name; an erasure
takes its id out at once (`drop`, from app/privacy.py and the erasure of an empty intake), bytes
overwritten (`secure_delete`) and the write-ahead log emptied, as the statistics cache does.
It is only a cache: unreadable, read-only or busy, it is left aside and the intakes replayed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Mapping
from contextlib import closing, suppress
from pathlib import Path

from intake_assistant.store import DossierStore, StoreError

FOLDER = "intakes"
NAME = "finished.sqlite3"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS finished (id TEXT PRIMARY KEY, version TEXT NOT NULL, "
           "done INTEGER NOT NULL)")


def _path(store: DossierStore) -> Path | None:
    try:
        return store.derived_dir(FOLDER) / NAME
    except (StoreError, OSError):
        return None


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
    try:
        with suppress(OSError):
            os.chmod(path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # losing it costs replays, never a wrong answer
        db.execute("PRAGMA secure_delete=ON")
        db.execute(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def known(store: DossierStore, versions: Mapping[str, str]) -> dict[str, bool]:
    """The intakes of ``versions`` (id -> version) already told, at that very version."""
    path = _path(store)
    if path is None or not versions or not path.exists():
        return {}
    try:
        with closing(_connect(path)) as db:
            ids = list(versions)
            found: dict[str, bool] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                for dossier_id, version, done in db.execute(
                        f"SELECT id, version, done FROM finished WHERE id IN ({marks})", chunk):
                    if versions.get(dossier_id) == version and done in (0, 1):
                        found[dossier_id] = bool(done)
            return found
    except (sqlite3.Error, OSError):
        _reset(path)
        return {}


def remember(store: DossierStore, told: Mapping[str, tuple[str, bool]]) -> None:
    """Keep what was told (id -> (version, finished)); nothing on a read-only store."""
    path = _path(store)
    if path is None or not told or store.read_only:
        return
    rows = [(dossier_id, version, int(done)) for dossier_id, (version, done) in told.items()]
    try:
        with closing(_connect(path)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO finished VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
    except (sqlite3.Error, OSError):
        _reset(path)


def drop(store: DossierStore, dossier_ids: Collection[str]) -> None:
    """Take erased dossiers out (their bytes overwritten, the log emptied)."""
    path = _path(store)
    if path is None or not dossier_ids or not path.exists():
        return
    try:
        with closing(_connect(path)) as db:
            db.executemany("DELETE FROM finished WHERE id = ?", [(i,) for i in dossier_ids])
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except (sqlite3.Error, OSError):
        _reset(path)  # an id that cannot be deleted must not stay: the whole file goes


def _reset(path: Path) -> None:
    """A damaged or unusable file: removed (only replays are lost)."""
    for suffix in ("", "-wal", "-shm"):
        with suppress(OSError):
            os.unlink(f"{path}{suffix}")
