"""Cache of the statistics records, in the store's folder for derived data (`derived_dir`).

Reading 50,000 dossiers and evaluating the orientation of each takes tens of seconds; the
statistics must take under two. Each record is kept with the dossier's change token
(`DossierStore.versions()`: revision and update time, not tied to files or inodes, so a copy or a
restore of the store keeps the cache warm): a changed dossier is rebuilt, a deleted one disappears
at the next run, and `drop_records` takes an erased person's records out at once (app/privacy.py).
The policy files are fingerprinted too: a new parameter file rebuilds every record. Records hold
no name. The cache is only a cache: on a read-only store it is used but not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
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

# 3: each record a row of RECORD_FIELDS (no keys repeated 200,000 times); 4: per-aid decisions
FORMAT = 4
CACHE_FOLDER = "stats"
CACHE_NAME = "records.json"
_TEMP_PREFIX = ".~"
_TEMP_MAX_AGE_S = 3600.0

Progress = Callable[[int, int], None]
Built = tuple[str, str, dict[str, Any]]  # dossier id, change token, record


def policy_fingerprint(policy: Policy) -> str:
    digest = hashlib.sha256(f"records-{FORMAT}".encode())
    for key in sorted(policy.paths):
        with suppress(OSError):
            digest.update(Path(policy.paths[key]).read_bytes())
    digest.update(",".join(aid.id for aid in policy.aids).encode())
    return digest.hexdigest()[:16]


def cache_path(store: DossierStore) -> Path:
    return store.derived_dir(CACHE_FOLDER) / CACHE_NAME


def _load(path: Path, fingerprint: str | None) -> dict[str, list[Any]]:
    """{dossier id: [change token, record row]} (rows in RECORD_FIELDS order)."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT \
            or doc.get("fields") != list(RECORD_FIELDS):
        return {}
    if fingerprint is not None and doc.get("policy") != fingerprint:
        return {}
    entries = doc.get("records")
    return entries if isinstance(entries, dict) else {}


def _save(path: Path, fingerprint: str, records: dict[str, list[Any]]) -> None:
    """Atomic replace (temp file + rename), owner-only; no fsync: losing it costs only time."""
    body = {"format": FORMAT, "policy": fingerprint, "fields": list(RECORD_FIELDS),
            "records": records}
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(f"{_TEMP_PREFIX}{path.name}~{os.getpid()}~{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)  # O_BINARY: Windows opens in text mode otherwise
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            os.unlink(tmp)  # read-only store, disk full: the statistics still come out


def _remove_stale_temps(folder: Path) -> None:
    now = time.time()
    with suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(".tmp"):
                with suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > _TEMP_MAX_AGE_S:
                        os.unlink(entry.path)


def store_records(store: DossierStore, policy: Policy, progress: Progress | None = None
                  ) -> list[dict[str, Any]]:
    """One record per readable dossier of the store, rebuilding only what changed."""
    path = cache_path(store)
    _remove_stale_temps(path.parent)
    with suppress(OSError):  # the first version's cache file, keyed on inodes
        os.unlink(path.parent.parent / "stats-records.json")
    fingerprint = policy_fingerprint(policy)
    cached = _load(path, fingerprint)
    versions = store.versions()
    fresh: dict[str, list[Any]] = {}
    misses: list[str] = []
    for dossier_id, token in versions.items():
        hit = cached.get(dossier_id)
        if _usable(hit, token):
            fresh[dossier_id] = hit
        else:
            misses.append(dossier_id)
    total = len(versions)
    for done, (dossier_id, token, record) in enumerate(_build(store, misses, policy), start=1):
        fresh[dossier_id] = [token, [record[name] for name in RECORD_FIELDS]]
        if progress is not None and done % 500 == 0:
            progress(total - len(misses) + done, total)
    if misses or len(cached) != len(fresh):
        _save(path, fingerprint, fresh)
    names = RECORD_FIELDS
    return [dict(zip(names, fresh[dossier_id][1], strict=True)) for dossier_id in sorted(fresh)]


def _usable(hit: Any, token: str) -> bool:
    """A cached [token, row] for this version of the dossier, of the right shape (the cache
    file is only trusted as far as its shape goes)."""
    return (isinstance(hit, list) and len(hit) == 2 and hit[0] == token
            and isinstance(hit[1], list) and len(hit[1]) == len(RECORD_FIELDS))


def drop_records(store: DossierStore, dossier_ids: Collection[str]) -> int:
    """Take the records of erased dossiers out of the cache (and nothing else); how many."""
    if not dossier_ids:
        return 0
    path = cache_path(store)
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return 0
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, dict) or doc.get("format") != FORMAT:
        with suppress(OSError):
            os.unlink(path)  # a cache of another format: nothing worth keeping
        return 0
    gone = [i for i in dossier_ids if i in records]
    if gone:
        for dossier_id in gone:
            del records[dossier_id]
        _save(path, str(doc.get("policy")), records)
    return len(gone)


# A first run over years of dossiers is CPU-bound (one orientation each): above this many
# records to build, the work is shared by worker processes, one per core.
PARALLEL_FROM = 2000
_CHUNK = 500


def _build(store: DossierStore, misses: list[str], policy: Policy) -> Iterator[Built]:
    cores = os.cpu_count() or 1
    if len(misses) < PARALLEL_FROM or cores < 2:
        yield from _build_chunk(store, misses, policy)
        return
    chunks = [misses[i:i + _CHUNK] for i in range(0, len(misses), _CHUNK)]
    # "spawn": the caller may be a thread of the TUI, and forking a threaded process is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(cores, 4), mp_context=context,
                             initializer=_init_worker,
                             initargs=(dict(policy.paths), store.location, os.getpid())) as pool:
        for results in pool.map(_worker_chunk, chunks):
            yield from results


def _build_chunk(store: DossierStore, misses: list[str], policy: Policy) -> Iterator[Built]:
    for dossier_id in misses:
        try:
            doc = store.load(dossier_id)
            record = build_record(doc, policy)
        except (DossierNotFoundError, CorruptDossierError):
            continue  # forgotten meanwhile, or unreadable: the store reports it (corrupt_files)
        except (StoreError, OSError, KeyError, TypeError, ValueError):
            continue
        yield dossier_id, dossier_version(doc), record


_WORKER: tuple[DossierStore, Policy] | None = None


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

    policy = load_policy(paths.get("parametres"), paths.get("aides"), paths.get("calculs"))
    _WORKER = (open_store(location), policy)


def _worker_chunk(misses: list[str]) -> list[Built]:
    assert _WORKER is not None
    store, policy = _WORKER
    return list(_build_chunk(store, misses, policy))
