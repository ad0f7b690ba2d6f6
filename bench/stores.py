"""Benchmark stores: built once per size with the non-durable bulk import, cached between runs.

A store lives in ``bench/tmp-stores/<size>-<stamp>/``. The stamp hashes the store package (the
backend, its format and the demo-data generator), so a change of format or of demo data rebuilds
it and an old one is removed. Building uses the contract's ``import_dossiers(durable=False)`` (no
fsync per file, one sync at the end): setup only; every measured write is the durable path.

What the benchmarks create in a cached store is erased at the end (agent ``BENCH_AGENT``); answer
saves on existing dossiers change only the value of one answer.
"""

from __future__ import annotations

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


def stamp() -> str:
    """Fingerprint of what decides a store's bytes: the store package and this module's layout."""
    digest = hashlib.sha256(f"bench-store-{LAYOUT}".encode())
    package = REPO / "intake_assistant" / "store"
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def store_path(size: int, root: Path = STORES) -> Path:
    return root / f"{size}-{stamp()}"


def ensure_store(size: int, log=print, root: Path = STORES) -> Path:
    """The cached store of ``size`` demo dossiers, built if missing or of another format."""
    path = store_path(size, root)
    ready = path / ".bench-ready"
    if ready.exists():
        return path
    for old in root.glob(f"{size}-*"):  # another stamp, or a build cut short
        shutil.rmtree(old, ignore_errors=True)
    log(f"construction d'un stockage de {size} dossiers ({path.name})…")
    started = time.perf_counter()
    store = open_store(path)
    store.import_dossiers(generate_dossiers(size, seed=size, now=NOW), durable=False)
    store.reindex()
    ready.write_text(f"{size}\n", encoding="ascii")
    log(f"  construit en {time.perf_counter() - started:.0f} s")
    return path


def cleanup(store: DossierStore) -> int:
    """Erase every dossier the benchmarks created (their agent is BENCH_AGENT)."""
    count = 0
    for entry in store.list(agent=BENCH_AGENT):
        try:
            store.forget(entry.id)
            count += 1
        except DossierNotFoundError:
            pass
    return count
