"""Cache of the statistics records, beside the store: ``<store>/cache/stats-records.json``.

Reading 50,000 dossier files and evaluating the orientation of each takes tens of seconds; the
statistics must take under two. Each record is kept with the signature of the dossier file it was
built from (every write replaces the file: new inode, size, mtime), so a changed dossier is
rebuilt and a deleted one (forget, purge) disappears from the cache at the next run. The policy
files are fingerprinted too: a new parameter file rebuilds every record. Records hold no name.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

from intake_assistant.orientation.policy import Policy
from intake_assistant.store.errors import CorruptDossierError
from intake_assistant.store.location import ensure_private_dir
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb.atomic_storage import dumps, remove_orphan_temps, write_atomic
from intake_assistant.store.tinydb.dossier_file import parse_document, signature

from .records import build_record

FORMAT = 1
CACHE_NAME = "stats-records.json"

Progress = Callable[[int, int], None]


def policy_fingerprint(policy: Policy) -> str:
    digest = hashlib.sha256(f"records-{FORMAT}".encode())
    for key in sorted(policy.paths):
        with suppress(OSError):
            digest.update(Path(policy.paths[key]).read_bytes())
    digest.update(",".join(aid.id for aid in policy.aids).encode())
    return digest.hexdigest()[:16]


def cache_path(store: Store) -> Path:
    return store.root / "cache" / CACHE_NAME


def _load(path: Path, fingerprint: str) -> dict[str, list[Any]]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("policy") != fingerprint:
        return {}
    entries = doc.get("records")
    return entries if isinstance(entries, dict) else {}


def store_records(store: Store, policy: Policy, progress: Progress | None = None
                  ) -> list[dict[str, Any]]:
    """One record per readable dossier of the store, rebuilding only what changed."""
    path = cache_path(store)
    ensure_private_dir(path.parent)
    remove_orphan_temps(path.parent)
    fingerprint = policy_fingerprint(policy)
    cached = _load(path, fingerprint)
    files = list(store.index.scan_files())
    fresh: dict[str, list[Any]] = {}
    misses: list[tuple[str, str]] = []
    for dossier_id, file_path, entry in files:
        try:
            sig = list(signature(entry.stat()))
        except FileNotFoundError:
            continue  # forgotten meanwhile
        hit = cached.get(dossier_id)
        if hit is not None and hit[0] == sig:
            fresh[dossier_id] = hit
        else:
            misses.append((dossier_id, str(file_path)))
    for done, (dossier_id, sig, record) in enumerate(_build(misses, policy), start=1):
        fresh[dossier_id] = [sig, record]
        if progress is not None and done % 500 == 0:
            progress(len(files) - len(misses) + done, len(files))
    if misses or len(cached) != len(fresh):
        body = {"format": FORMAT, "policy": fingerprint, "records": fresh}
        write_atomic(path, dumps(body), durable=False)  # a cache: losing it costs only time
    return [item[1] for item in fresh.values()]


# A first run over years of dossiers is CPU-bound (one orientation each): above this many
# records to build, the work is shared by worker processes, one per core.
PARALLEL_FROM = 2000
_CHUNK = 500


def _build(misses: list[tuple[str, str]], policy: Policy) -> Iterator[tuple[str, list, dict]]:
    cores = os.cpu_count() or 1
    if len(misses) < PARALLEL_FROM or cores < 2:
        yield from _build_chunk(misses, policy)
        return
    chunks = [misses[i:i + _CHUNK] for i in range(0, len(misses), _CHUNK)]
    # "spawn": the caller may be a thread of the TUI, and forking a threaded process is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(cores, 4), mp_context=context,
                             initializer=_init_worker, initargs=(dict(policy.paths),)) as pool:
        for results in pool.map(_worker_chunk, chunks):
            yield from results


def _build_chunk(misses: list[tuple[str, str]], policy: Policy
                 ) -> Iterator[tuple[str, list, dict]]:
    for dossier_id, file_path in misses:
        try:
            with open(file_path, "rb") as handle:
                raw = handle.read()
                sig = list(signature(os.fstat(handle.fileno())))  # of exactly the bytes read
            record = build_record(parse_document(raw, Path(file_path)), policy)
        except FileNotFoundError:
            continue
        except (CorruptDossierError, OSError, KeyError, TypeError, ValueError):
            continue  # unreadable dossiers are the store's to report (`corrupt_files`)
        yield dossier_id, sig, record


_WORKER_POLICY: Policy | None = None


def _init_worker(paths: dict[str, str]) -> None:
    global _WORKER_POLICY
    from intake_assistant.orientation.build import load_policy

    _WORKER_POLICY = load_policy(paths.get("parametres"), paths.get("aides"), paths.get("calculs"))


def _worker_chunk(misses: list[tuple[str, str]]) -> list[tuple[str, list, dict]]:
    assert _WORKER_POLICY is not None
    return list(_build_chunk(misses, _WORKER_POLICY))
