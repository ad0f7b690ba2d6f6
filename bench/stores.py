"""Benchmark stores: built once per size with the non-durable bulk import, cached between runs.

A store lives in ``bench/tmp-stores/<size>-<stamp>/``. The stamp hashes the store package (the
backend, its format and the demo-data generator), so a change of format or of demo data rebuilds
it and an old one is removed. Building uses the contract's ``import_dossiers(durable=False)`` (no
fsync per file, one sync at the end): setup only; every measured write is the durable path.

What the benchmarks create in a cached store is erased at the end (agent ``BENCH_AGENT``); answer
saves on existing dossiers change only the value of one answer.
"""

from __future__ import annotations

import getpass
import hashlib
import shutil
import time
from datetime import datetime
from pathlib import Path

from intake_assistant.store import DossierNotFoundError, DossierStore, open_store
from intake_assistant.store.demo_data import generate_dossiers

REPO = Path(__file__).resolve().parents[1]
STORES = REPO / "bench" / "tmp-stores"
BENCH_AGENT = "Banc d'essai"
NOW = datetime(2026, 11, 26, 12, 0).astimezone()  # demo data dated as of this day
LAYOUT = 1  # bump when this module changes how stores are built


# What decides the bytes of the dossier files (their format and the demo generator). The index
# is derived data: a change of its code re-indexes the cached store (`_index_stamp`), it does not
# rebuild the dossiers (building 200,000 of them takes many minutes on this machine).
_DOSSIER_FORMAT = ("demo_data.py", "document.py", "index_entry.py", "tinydb/dossier_file.py",
                   "tinydb/atomic_storage.py")
_INDEX_CODE = ("tinydb/index.py", "tinydb/sqlite_index.py")


def _digest(names: tuple[str, ...], seed: str) -> str:
    digest = hashlib.sha256(seed.encode())
    package = REPO / "intake_assistant" / "store"
    for name in names:
        path = package / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def stamp() -> str:
    """Fingerprint of what decides a store's dossier files, and this module's layout."""
    return _digest(_DOSSIER_FORMAT, f"bench-store-{LAYOUT}")


def _index_stamp() -> str:
    return _digest(_INDEX_CODE, "bench-index")


def store_path(size: int, root: Path = STORES) -> Path:
    return root / f"{size}-{stamp()}"


def ensure_store(size: int, log=print, root: Path = STORES) -> Path:
    """The cached store of ``size`` demo dossiers, built if missing or of another format."""
    path = store_path(size, root)
    ready = path / ".bench-ready"
    if ready.exists():
        indexed = path / ".bench-indexed"
        if not indexed.exists() or indexed.read_text(encoding="ascii") != _index_stamp():
            log(f"réindexation du stockage de {size} dossiers (code de l'index changé)…")
            started = time.perf_counter()
            open_store(path).reindex()
            indexed.write_text(_index_stamp(), encoding="ascii")
            log(f"  réindexé en {time.perf_counter() - started:.0f} s")
        return path
    for old in root.glob(f"{size}-*"):  # another stamp, or a build cut short
        shutil.rmtree(old, ignore_errors=True)
    log(f"construction d'un stockage de {size} dossiers ({path.name})…")
    started = time.perf_counter()
    store = open_store(path)
    store.import_dossiers(generate_dossiers(size, seed=size, now=NOW), durable=False)
    store.reindex()
    ready.write_text(f"{size}\n", encoding="ascii")
    (path / ".bench-indexed").write_text(_index_stamp(), encoding="ascii")
    log(f"  construit en {time.perf_counter() - started:.0f} s")
    return path


def bench_login() -> str:
    """The OS login the benchmarked TUI signs in as (identity comes from authentication)."""
    return getpass.getuser()


def register_bench_agent(db: Path, role: str = "accueil") -> None:
    """Identity comes from authentication: register the OS login as BENCH_AGENT in ``role`` —
    reception for the TUI's phone intake, the responsable for `stats` (its dossiers are recorded
    under that login)."""
    from intake_assistant.app.agents import add_agent

    add_agent(open_store(db), bench_login(), BENCH_AGENT, role)


def cleanup(store: DossierStore) -> int:
    """Erase every dossier the benchmarks created (agent BENCH_AGENT, or the OS login the TUI
    signs in as: demo data is written by fictitious agents only)."""
    count = 0
    created = [*store.list(agent=BENCH_AGENT), *store.list(agent=bench_login())]
    for entry in created:
        try:
            store.forget(entry.id)
            count += 1
        except DossierNotFoundError:
            pass
    return count
