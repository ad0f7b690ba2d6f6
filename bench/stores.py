"""Benchmark stores: built once per size with the non-durable bulk import, cached between runs.

A store lives in ``bench/tmp-stores/<size>-<stamp>/``. The stamp hashes the store package (the
backend, its format and the demo-data generator), so a change of format or of demo data rebuilds
it (an old one is kept: another checkout may share the folder). Building uses the contract's
``import_dossiers(durable=False)`` (no fsync per file, one sync at the end): setup only; every
measured write is the durable path.

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
# The app signs in as the operating-system user (app/signin): the benchmarks register that login
# as a reception agent named BENCH_AGENT in their cached stores, so the TUI starts on its home
# list (no first-time set-up) and what it creates is recorded under that login.
BENCH_LOGIN = getpass.getuser()
NOW = datetime(2026, 11, 26, 12, 0).astimezone()  # demo data dated as of this day
LAYOUT = 1  # bump when this module changes how stores are built


# What decides the bytes of the dossier files (their format and the demo generator). The index
# is derived data: a change of its code re-indexes the cached store (`_index_stamp`), it does not
# rebuild the dossiers (building 200,000 of them takes many minutes on this machine).
_DOSSIER_FORMAT = ("demo_data.py", "document.py", "index_entry.py", "tinydb/dossier_file.py",
                   "tinydb/atomic_storage.py", "tinydb/json_codec.py")
_INDEX_CODE = ("tinydb/index.py", "tinydb/change_log.py")  # the index schema


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
        _register_agent(path)
        indexed = path / ".bench-indexed"
        if not indexed.exists() or indexed.read_text(encoding="ascii") != _index_stamp():
            log(f"réindexation du stockage de {size} dossiers (code de l'index changé)…")
            started = time.perf_counter()
            open_store(path).reindex()
            indexed.write_text(_index_stamp(), encoding="ascii")
            log(f"  réindexé en {time.perf_counter() - started:.0f} s")
        return path
    shutil.rmtree(path, ignore_errors=True)  # a build of this stamp cut short
    # Stores of another stamp are kept: another checkout sharing this folder may be using one
    # (removing them made two checkouts rebuild and delete each other's stores).
    for other in sorted(root.glob(f"{size}-*")):
        log(f"  (ancien stockage conservé : {other} — à supprimer à la main s'il ne sert plus)")
    log(f"construction d'un stockage de {size} dossiers ({path.name})…")
    started = time.perf_counter()
    store = open_store(path)
    store.import_dossiers(generate_dossiers(size, seed=size, now=NOW), durable=False)
    store.reindex()
    ready.write_text(f"{size}\n", encoding="ascii")
    (path / ".bench-indexed").write_text(_index_stamp(), encoding="ascii")
    _register_agent(path)
    log(f"  construit en {time.perf_counter() - started:.0f} s")
    return path


def _register_agent(path: Path) -> None:
    from intake_assistant.app.agents import add_agent, get_agent

    store = open_store(path)
    agent = get_agent(store, BENCH_LOGIN)
    # A stats bench signs in as « responsable » for its runs; one killed in between (no
    # `finally`) left that role, and the next TUI bench's Ctrl+N no longer began a phone intake.
    if agent is None or (agent.name, agent.role, agent.active) != (BENCH_AGENT, "accueil", True):
        add_agent(store, BENCH_LOGIN, BENCH_AGENT, "accueil")


def cleanup(store: DossierStore) -> int:
    """Erase every dossier the benchmarks created (their agent is BENCH_AGENT, or the login the
    TUI signed in with: demo dossiers are in the names of fictitious agents)."""
    count = 0
    entries = {e.id: e for e in store.list(agent=BENCH_AGENT)}
    entries.update({e.id: e for e in store.list(agent=BENCH_LOGIN)})
    for entry in entries.values():
        try:
            store.forget(entry.id)
            count += 1
        except DossierNotFoundError:
            pass
    return count
