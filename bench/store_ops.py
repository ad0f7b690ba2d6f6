"""The store through its contract, each operation interleaved with its baselines, in one process.

Per store size, ``runs`` runs of ``ops`` operations each; one run's figure is the median of its
operations. Every operation of the subject is followed (in an order that rotates) by:
- SQLite, WAL + synchronous=FULL, on an equivalent NARROW table: one row per dossier with the index
  fields (what a list or a search needs), not the 8 KB document; one transaction per operation;
- for the answer save, the physical floor: the same bytes as the saved dossier written to a temp
  file + fsync + rename + fsync of the folder, in the folder of the dossier's file (the ratio
  read against the target), and again in an empty folder of the same file system.
Saves go to full-sized demo dossiers imported for the benchmark (erased at the end with the ones
created), so the cached store does not drift from run to run.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.figures import Figure, Row
from bench.screen import fold
from bench.stores import BENCH_AGENT, NOW, cleanup
from intake_assistant.store import DossierStore, IndexEntry, open_store
from intake_assistant.store.demo_data import generate_dossiers

FIELDS = ("id", "nom", "prenom", "telephone", "commune", "status", "agent", "created_at",
          "updated_at", "last_contact", "type_projet", "montant_demande")


def digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


class NarrowSqlite:
    """The baseline table: the index fields of every dossier, a search key, WAL, FULL sync."""

    def __init__(self, path: Path, entries: list[IndexEntry]) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        cols = ", ".join(f"{name} {'TEXT PRIMARY KEY' if name == 'id' else ''}"
                         for name in FIELDS)
        self.db.execute(f"CREATE TABLE dossiers ({cols}, search TEXT, phone TEXT)")
        self.db.execute("CREATE INDEX by_status ON dossiers(status)")
        self.db.execute("CREATE INDEX by_contact ON dossiers(last_contact)")
        self.db.execute("BEGIN")
        self.db.executemany(
            f"INSERT INTO dossiers VALUES ({', '.join('?' * (len(FIELDS) + 2))})",
            (self._row(e) for e in entries))
        self.db.execute("COMMIT")
        self.serial = 0

    @staticmethod
    def _row(e: IndexEntry) -> tuple:
        values = tuple(getattr(e, name) for name in FIELDS)
        return (*values, fold(f"{e.nom or ''} {e.prenom or ''} {e.id}"), digits(e.telephone))

    def save(self, dossier_id: str) -> None:
        with self.db:  # BEGIN … COMMIT: durable at commit (synchronous=FULL)
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE dossiers SET updated_at = ?, last_contact = ? WHERE id = ?",
                            (time.strftime("%Y-%m-%dT%H:%M:%S"), time.strftime("%Y-%m-%d"),
                             dossier_id))

    def create(self) -> str:
        self.serial += 1
        dossier_id = f"B-9999-{self.serial:06d}"
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.db.execute(
            f"INSERT INTO dossiers VALUES ({', '.join('?' * (len(FIELDS) + 2))})",
            (dossier_id, "Banc", "Essai", "06 00 00 00 00", None, "premier_contact",
             BENCH_AGENT, now, now, now[:10], None, None, "banc essai", "0600000000"))
        return dossier_id

    def status(self, dossier_id: str) -> None:
        self.db.execute("UPDATE dossiers SET status = 'en_evaluation' WHERE id = ?",
                        (dossier_id,))

    def search(self, text: str) -> list[tuple]:
        number = digits(text)
        if number and len(number) == len("".join(text.split())):
            where, args = "phone LIKE ?", [f"%{number}%"]
        else:
            words = fold(text).split()
            where = " AND ".join("search LIKE ?" for _ in words)
            args = [f"%{w}%" for w in words]
        return self.db.execute(f"SELECT id, nom, prenom, status FROM dossiers WHERE {where} "
                               "ORDER BY last_contact DESC", args).fetchall()


def fsync_floor(folder: Path, data: bytes, name: str = "floor") -> None:
    """Temp file + fsync + rename + fsync of the folder: what any durable file write costs."""
    target = folder / f"{name}.bin"
    tmp = folder / f"{name}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# The floor is also measured in the folder the dossier file lives in (one folder a year: 15,000
# files at 50,000 dossiers, 60,000 at 200,000): a rename and a folder fsync cost more there than
# in an empty folder, for any program writing that file. Names no dossier file can have (not
# `.json`), removed at the end.
FLOOR_NAME = "bench-floor"


def dossier_folder(db: Path, dossier_id: str) -> Path | None:
    """The folder of a dossier's file in the TinyDB layout (dossiers/<year>/ for D-<year>-…), if
    it is one (else, another store: the floor is measured in the empty folder)."""
    folder = db / "dossiers" / dossier_id[2:6]
    return folder if folder.is_dir() else None


def _search_texts(entries: list[IndexEntry], rng: random.Random, count: int) -> tuple[list, list]:
    named = [e for e in entries if e.nom and e.prenom]
    phoned = [e for e in entries if e.telephone]
    return ([f"{e.nom} {e.prenom}" for e in rng.sample(named, min(count, len(named)))],
            [e.telephone for e in rng.sample(phoned, min(count, len(phoned)))])


def _measure(k: int, batch: dict[str, list[float]],
             group: list[tuple[str, Callable[[], object]]]) -> list[object]:
    """Each operation of ``group`` once, timed, in an order rotating with k."""
    turn = k % len(group)
    results: dict[str, object] = {}
    for label, func in group[turn:] + group[:turn]:
        start = time.perf_counter()
        results[label] = func()
        batch[label].append(time.perf_counter() - start)
    return [results[label] for label, _ in group]


def _save_round(k: int, store: DossierStore, sqlite: NarrowSqlite, folder: Path, target: str,
                saved_bytes: dict[str, bytes], floors: dict[str, Path], value: int,
                batch: dict[str, list[float]]) -> None:
    """One durable save of an answer next to its baselines. Saves follow saves, as in an
    interview: a save timed just after a search of the whole index (the other rounds) paid for
    the caches that scan emptied (~0.6 ms at 200,000, every phase of the save slower, the
    physical floor not), a cost no interview has — the TUI searches in memory, the CLI in
    another process."""
    _measure(k, batch, [
        ("save", partial(store.save_answer, target, "loyer", value, agent=BENCH_AGENT,
                         raw=str(value))),
        ("save_floor", partial(fsync_floor, floors.get(target, folder), saved_bytes[target],
                               FLOOR_NAME)),
        ("save_floor_empty", partial(fsync_floor, folder, saved_bytes[target])),
        ("save_sqlite", partial(sqlite.save, target)),
    ])


def _other_round(k: int, store: DossierStore, sqlite: NarrowSqlite, name: str, phone: str,
                 batch: dict[str, list[float]]) -> None:
    """A creation, a status change and two searches, each next to its baseline."""
    created, created_sqlite = _measure(k, batch, [
        ("create", partial(store.create_dossier, agent=BENCH_AGENT,
                           questionnaire="accueil_telephonique",
                           answers={"nom": "Banc", "prenom": "Essai",
                                    "telephone": "06 00 00 00 00"})),
        ("create_sqlite", sqlite.create),
    ])
    _measure(k, batch, [
        ("status", partial(store.set_status, created["id"], "en_evaluation",
                           agent=BENCH_AGENT)),
        ("status_sqlite", partial(sqlite.status, created_sqlite)),
    ])
    _measure(k, batch, [("search_name", partial(store.list, search=name)),
             ("search_name_sqlite", partial(sqlite.search, name))])
    _measure(k, batch, [("search_phone", partial(store.list, search=phone)),
             ("search_phone_sqlite", partial(sqlite.search, phone))])


def bench_store(db: Path, size: int, runs: int, ops: int, log: Callable[[str], None]
                ) -> list[Row]:
    rng = random.Random(size)
    store: DossierStore = open_store(db)
    figs = {name: Figure(name) for name in (
        "save", "save_floor", "save_floor_empty", "save_sqlite", "create", "create_sqlite",
        "status", "status_sqlite", "search_name", "search_name_sqlite", "search_phone",
        "search_phone_sqlite")}
    docs = list(generate_dossiers(ops, seed=size + 7, now=NOW))
    for doc in docs:
        doc["agent"] = BENCH_AGENT  # erased by cleanup() at the end
    targets = store.import_dossiers(docs, durable=True)
    entries = store.list()
    saved_bytes = {i: json.dumps(store.load(i), ensure_ascii=False, indent=1).encode()
                   for i in targets}
    floors = {i: f for i in targets if (f := dossier_folder(db, i)) is not None}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-", dir=db.parent) as tmp:
            folder = Path(tmp)
            sqlite = NarrowSqlite(folder / "narrow.sqlite", entries)
            for run in range(runs):
                batch: dict[str, list[float]] = {name: [] for name in figs}
                names, phones = _search_texts(entries, rng, ops)
                for k in range(ops):
                    _save_round(k, store, sqlite, folder, targets[k % len(targets)],
                                saved_bytes, floors, 300 + rng.randrange(500), batch)
                for k in range(ops):
                    _other_round(k, store, sqlite, names[k % len(names)],
                                 phones[k % len(phones)], batch)
                for name, samples in batch.items():
                    figs[name].add(statistics.median(samples))
                log(f"  stockage {size} dossiers : exécution {run + 1}/{runs} faite")
            sqlite.db.close()
    finally:
        for place in set(floors.values()):
            for leftover in (place / f"{FLOOR_NAME}.bin", place / f"{FLOOR_NAME}.part"):
                leftover.unlink(missing_ok=True)
        cleanup(store)
    sq = "SQLite WAL+FULL, table étroite"
    f = figs
    return [
        Row("stockage", "enregistrement durable d'une réponse", size, f["save"],
            f["save_floor"], "plancher fsync (mêmes octets, même répertoire)"),
        Row("stockage", "  (même opération, plancher dans un répertoire vide)", size, f["save"],
            f["save_floor_empty"], "plancher fsync (mêmes octets)"),
        Row("stockage", "  (même opération, référence SQLite)", size, f["save"],
            f["save_sqlite"], sq),
        Row("stockage", "création d'un dossier", size, f["create"], f["create_sqlite"], sq),
        Row("stockage", "changement de statut", size, f["status"], f["status_sqlite"], sq),
        Row("stockage", "recherche par nom (list)", size, f["search_name"],
            f["search_name_sqlite"], sq + " (LIKE)"),
        Row("stockage", "recherche par téléphone (list)", size, f["search_phone"],
            f["search_phone_sqlite"], sq + " (LIKE)"),
    ]
