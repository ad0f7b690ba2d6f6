"""Store-wide records: one small JSON file each, `records/<kind>/<id>.json`, written atomically.

A record attached to a dossier also has an empty link file `attachments/<dossier id>/<kind>~<id>`
written *before* the record, so that erasing the dossier finds every attached record by listing
one folder (a crash between the two leaves a link without a record: harmless).
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from intake_assistant.core.timeutil import iso, local_now

from ..checks import KIND, RECORD_ID, check_kind, check_record_id
from ..errors import (
    ConflictError,
    DossierLockedError,
    RecordNotFoundError,
)
from .atomic_storage import fsync_dir, is_temp_name, write_atomic
from .json_codec import dumps, loads
from .locking import DescriptorLock, file_lock

_LINK_SEP = "~"


class Records:
    def __init__(self, root: Path, locks_dir: Path, *, lock_timeout: float,
                 ensure_dir: Any) -> None:
        self.dir = root / "records"
        self.links_dir = root / "attachments"
        self.locks_dir = locks_dir
        self.lock_timeout = lock_timeout
        self._ensure_dir = ensure_dir  # creates private folders (the store's rules)

    def _path(self, kind: str, record_id: str) -> Path:
        return self.dir / kind / f"{record_id}.json"

    def _lock(self, kind: str) -> DescriptorLock:
        return file_lock(self.locks_dir / f"records.{kind}.lock", timeout=self.lock_timeout,
                        mode=0o600)

    def _read(self, path: Path, kind: str) -> dict[str, Any] | None:
        try:
            body = loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged record is treated as absent; it is rewritten by the next put
        if not isinstance(body, dict) or not isinstance(body.get("doc"), dict):
            return None
        return {"kind": kind, "id": path.name[:-5], "rev": int(body.get("rev") or 0),
                "updated_at": str(body.get("updated_at") or ""),
                "dossier_id": body.get("dossier_id"), "doc": body["doc"]}

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        check_kind(kind)
        check_record_id(record_id)
        return self._read(self._path(kind, record_id), kind)

    def put(self, kind: str, record_id: str, doc: dict[str, Any], *, dossier_id: str | None,
            expected_rev: int | None) -> dict[str, Any]:
        check_kind(kind)
        check_record_id(record_id)
        lock = self._lock(kind)
        try:
            lock.acquire()
        except TimeoutError:  # filelock.Timeout
            raise DossierLockedError(
                "Un enregistrement du même type est en cours sur un autre poste ; réessayez."
            ) from None
        try:
            path = self._path(kind, record_id)
            current = self._read(path, kind)
            rev = current["rev"] if current else 0
            if expected_rev is not None and expected_rev != rev:
                raise ConflictError(_conflict(kind, record_id, current))
            self._ensure_dir(path.parent)
            if dossier_id is not None:
                self._link(dossier_id, kind, record_id)
            at = iso(local_now())
            body = {"rev": rev + 1, "updated_at": at, "dossier_id": dossier_id, "doc": doc}
            write_atomic(path, dumps(body))
            old_owner = current["dossier_id"] if current else None
            if old_owner and old_owner != dossier_id:
                self._unlink(old_owner, kind, record_id)
        finally:
            lock.release()
        return {"kind": kind, "id": record_id, "rev": rev + 1, "updated_at": at,
                "dossier_id": dossier_id, "doc": doc}

    def delete(self, kind: str, record_id: str, *, expected_rev: int | None) -> None:
        check_kind(kind)
        check_record_id(record_id)
        lock = self._lock(kind)
        try:
            lock.acquire()
        except TimeoutError:  # filelock.Timeout
            raise DossierLockedError(
                "Un enregistrement du même type est en cours sur un autre poste ; réessayez."
            ) from None
        try:
            path = self._path(kind, record_id)
            current = self._read(path, kind)
            if current is None:
                raise RecordNotFoundError(
                    f"L'enregistrement {kind} « {record_id} » n'existe pas."
                )
            if expected_rev is not None and expected_rev != current["rev"]:
                raise ConflictError(_conflict(kind, record_id, current))
            os.unlink(path)
            fsync_dir(path.parent)
            if current["dossier_id"]:
                self._unlink(current["dossier_id"], kind, record_id)
        finally:
            lock.release()

    def select(self, kind: str | None, dossier_id: str | None) -> list[dict[str, Any]]:
        if kind is not None:
            check_kind(kind)
        if dossier_id is not None:
            found = [self._read(self._path(k, i), k) for k, i in self.attached(dossier_id)
                     if kind is None or k == kind]
            return sorted((r for r in found if r is not None), key=lambda r: (r["kind"], r["id"]))
        kinds = [kind] if kind is not None else sorted(_names(self.dir))
        out = []
        for k in kinds:
            for name in sorted(_names(self.dir / k)):
                if name.endswith(".json") and not is_temp_name(name):
                    record = self._read(self.dir / k / name, k)
                    if record is not None:
                        out.append(record)
        return out

    # -- attachments ---------------------------------------------------------------------------
    def attached(self, dossier_id: str) -> list[tuple[str, str]]:
        pairs = []
        for name in _names(self.links_dir / dossier_id):
            kind, sep, record_id = name.partition(_LINK_SEP)
            if sep and KIND.match(kind) and RECORD_ID.match(record_id):
                pairs.append((kind, record_id))
        return sorted(pairs)

    def _link(self, dossier_id: str, kind: str, record_id: str) -> None:
        folder = self._ensure_dir(self.links_dir / dossier_id)
        path = folder / f"{kind}{_LINK_SEP}{record_id}"
        if not path.exists():
            write_atomic(path, b"")

    def _unlink(self, dossier_id: str, kind: str, record_id: str) -> None:
        with suppress(FileNotFoundError):
            os.unlink(self.links_dir / dossier_id / f"{kind}{_LINK_SEP}{record_id}")

    def erase_attached(self, dossier_id: str) -> None:
        """Delete every record attached to the dossier, then its link folder."""
        for kind, record_id in self.attached(dossier_id):
            path = self._path(kind, record_id)
            with suppress(FileNotFoundError):
                os.unlink(path)
                fsync_dir(path.parent)
        folder = self.links_dir / dossier_id
        for name in _names(folder):
            with suppress(FileNotFoundError):
                os.unlink(folder / name)
        with suppress(FileNotFoundError, OSError):
            os.rmdir(folder)
        with suppress(FileNotFoundError):
            fsync_dir(self.links_dir)


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _conflict(kind: str, record_id: str, current: dict[str, Any] | None) -> str:
    if current is None:
        return f"L'enregistrement {kind} « {record_id} » n'existe plus ou pas encore."
    return (f"L'enregistrement {kind} « {record_id} » a été modifié entre-temps (version "
            f"{current['rev']}) ; rechargez-le avant d'enregistrer.")
