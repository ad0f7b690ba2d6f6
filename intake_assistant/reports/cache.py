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
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from intake_assistant.orientation.policy import Policy
from intake_assistant.store import Store
from intake_assistant.store.atomic_storage import dumps, remove_orphan_temps, write_atomic
from intake_assistant.store.dossier_file import parse_document, signature
from intake_assistant.store.errors import CorruptDossierError
from intake_assistant.store.location import ensure_private_dir

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
    changed = len(cached) != len(files)
    for done, (dossier_id, file_path, entry) in enumerate(files, start=1):
        try:
            sig = list(signature(entry.stat()))
        except FileNotFoundError:
            continue  # forgotten meanwhile
        hit = cached.get(dossier_id)
        if hit is not None and hit[0] == sig:
            fresh[dossier_id] = hit
            continue
        changed = True
        try:
            with open(file_path, "rb") as handle:
                raw = handle.read()
                sig = list(signature(os.fstat(handle.fileno())))  # of exactly the bytes read
            record = build_record(parse_document(raw, Path(file_path)), policy)
        except FileNotFoundError:
            continue
        except (CorruptDossierError, OSError, KeyError, TypeError, ValueError):
            continue  # unreadable dossiers are the store's to report (`corrupt_files`)
        fresh[dossier_id] = [sig, record]
        if progress is not None and done % 500 == 0:
            progress(done, len(files))
    if changed:
        body = {"format": FORMAT, "policy": fingerprint, "records": fresh}
        write_atomic(path, dumps(body), durable=False)  # a cache: losing it costs only time
    return [item[1] for item in fresh.values()]
