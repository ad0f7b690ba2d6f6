"""One dossier = one small TinyDB file, written atomically.

File layout (TinyDB tables): `dossier` holds one document with the metadata, the current answers,
the draft and the interview marker; `events`, `audit`, `rencontres`, `notes` and `exports` hold one
document per row, so that appending a row is a table insert; each per-dossier row table of the
contract (`append_rows`) is a TinyDB table named `rows.<name>` whose TinyDB ids are the row ids.
`document_from_tables` assembles the dossier document of ARCHITECTURE.md and checks its shape
(store/document.py): a file of valid JSON but of the wrong shape is reported as damaged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from ..document import DEFAULTS, ID_PATTERN, shape_error
from ..errors import CorruptDossierError, DossierNotFoundError, InvalidValueError
from .atomic_storage import AtomicJSONStorage, write_atomic
from .json_codec import dumps, loads

META_TABLE = "dossier"
ROW_TABLES = ("events", "audit", "rencontres", "notes", "exports")
USER_TABLE_PREFIX = "rows."
# Key order of the dossier document (ARCHITECTURE.md); other metadata keys follow.
_HEAD_KEYS = ("id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
              "status_history", "questionnaires", "answers", "unknown")

Signature = tuple[int, int, int, int]


class Change:
    """What one write does, decided from the current document: metadata keys to set, rows to
    append per table (TinyDB table names), and row updates per table ({row id: new row})."""

    __slots__ = ("appends", "meta", "updates")

    def __init__(self, meta: dict[str, Any] | None = None,
                 appends: dict[str, list[dict[str, Any]]] | None = None,
                 updates: dict[str, dict[int, dict[str, Any]]] | None = None) -> None:
        self.meta = meta or {}
        self.appends = appends or {}
        self.updates = updates or {}

    def __bool__(self) -> bool:
        return bool(self.meta or any(self.appends.values()) or any(self.updates.values()))


def parse_id(dossier_id: str) -> tuple[int, int]:
    """(year, sequence) of a dossier id; the strict pattern also keeps ids out of other folders."""
    match = ID_PATTERN.match(dossier_id) if isinstance(dossier_id, str) else None
    if match is None:
        raise InvalidValueError(
            f"Identifiant de dossier invalide : « {dossier_id} » (attendu : D-AAAA-NNNNNN)."
        )
    return int(match.group(1)), int(match.group(2))


def format_id(year: int, sequence: int) -> str:
    return f"D-{year:04d}-{sequence:06d}"


def dossier_path(dossiers_dir: Path, dossier_id: str) -> Path:
    return Path(dossier_file_name(str(dossiers_dir), dossier_id))


def dossier_file_name(dossiers_dir: str, dossier_id: str) -> str:
    """Where a dossier's file is (a folder per year), as one string: a bulk read names tens of
    thousands without Path joins. InvalidValueError for an id that is not one."""
    year, _ = parse_id(dossier_id)
    return os.path.join(dossiers_dir, f"{year:04d}", f"{dossier_id}.json")


def signature(st: os.stat_result) -> Signature:
    """What identifies one version of a file without reading it (every write makes a new inode)."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class ShapeError(ValueError):
    """The file is JSON but not a dossier document (the reason names the bad key)."""


def document_from_tables(tables: dict[str, Any]) -> dict[str, Any]:
    meta = tables[META_TABLE]["1"]
    if not isinstance(meta, dict) or "id" not in meta:
        raise ShapeError("métadonnées du dossier absentes")
    rows = {name: _ordered_rows(tables.get(name, {})) for name in ROW_TABLES}
    doc: dict[str, Any] = {key: meta[key] for key in _HEAD_KEYS if key in meta}
    doc["events"] = rows["events"]
    doc["audit"] = rows["audit"]
    doc["rencontres"] = rows["rencontres"]
    doc["commission"] = meta.get("commission")
    doc["notes"] = rows["notes"]
    doc["evaluation_sociale"] = meta.get("evaluation_sociale")
    for key, value in meta.items():
        if key not in doc and key not in DEFAULTS:
            doc[key] = value
    doc["tables"] = {
        name[len(USER_TABLE_PREFIX):]: _user_rows(table)
        for name, table in sorted(tables.items()) if name.startswith(USER_TABLE_PREFIX)
    }
    doc["exports"] = rows["exports"]
    doc["draft"] = meta.get("draft")
    doc["interview"] = meta.get("interview")
    problem = shape_error(doc)
    if problem is not None:
        raise ShapeError(problem)
    return doc


def _ordered_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(table, dict):
        raise ShapeError("une table du fichier n'est pas un objet")
    keys = list(table)
    if keys == _row_ids(len(keys)):  # as written: "1", "2"… in order (no sort, no int())
        return list(table.values())
    return [table[key] for key in sorted(table, key=int)]


def _user_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """A user table's rows with their ids, in id order: as written, no sort (the statistics
    rebuild reads every dossier; the sort by int() was ~15 % of a bulk read)."""
    keys = list(table)
    if keys != _row_ids(len(keys)):
        keys = sorted(keys, key=int)
    return [{"id": key, **table[key]} for key in keys]


_ROW_IDS: list[str] = []


def _row_ids(count: int) -> list[str]:
    """["1", …, str(count)], from a list replaced by a longer one as longer tables are read
    (replaced whole, never changed in place: threads read it)."""
    global _ROW_IDS
    known = _ROW_IDS
    if count > len(known):
        known = _ROW_IDS = [str(i) for i in range(1, max(count, 2 * len(known)) + 1)]
    return known[:count]


def tables_from_document(doc: dict[str, Any]) -> dict[str, Any]:
    meta = {key: value for key, value in doc.items()
            if key not in ROW_TABLES and key != "tables"}
    tables: dict[str, Any] = {META_TABLE: {"1": meta}}
    for name in ROW_TABLES:
        tables[name] = {str(i): row for i, row in enumerate(doc.get(name) or [], start=1)}
    for name, rows in (doc.get("tables") or {}).items():
        tables[USER_TABLE_PREFIX + name] = {
            str(row["id"]): {k: v for k, v in row.items() if k != "id"} for row in rows
        }
    return tables


def parse_document(raw: bytes, path: Path) -> dict[str, Any]:
    """The dossier document of a file's bytes, or CorruptDossierError naming the file."""
    try:
        tables = loads(raw)
        if not isinstance(tables, dict):
            raise ShapeError("le contenu n'est pas un objet JSON")
        return document_from_tables(tables)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptDossierError(path, _reason(exc), dossier_id=path.stem) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "encodage invalide"
    if isinstance(exc, json.JSONDecodeError):
        return f"JSON invalide, position {exc.pos}"
    if isinstance(exc, ShapeError):
        return f"structure inattendue : {exc}"
    return "structure inattendue"


def read_document(path: Path, dossier_id: str) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DossierNotFoundError(dossier_id) from None
    except OSError as exc:
        raise CorruptDossierError(path, exc.strerror or "lecture impossible",
                                  dossier_id=dossier_id) from exc
    return parse_document(raw, path)


def create_file(path: Path, doc: dict[str, Any], *, durable: bool = True) -> os.stat_result:
    """Write a new dossier file; FileExistsError if the id is taken."""
    return write_atomic(path, dumps(tables_from_document(doc)), exclusive=True, durable=durable)


def update_file(
    path: Path, dossier_id: str, build: Callable[[dict[str, Any]], Change]
) -> tuple[dict[str, Any], os.stat_result | None]:
    """Read the dossier, let `build` decide the change, apply it in one atomic durable write.

    Returns the new document and the new file's stat (None when `build` changed nothing). A file
    that cannot be read raises CorruptDossierError before anything is written.
    """
    if not path.exists():
        raise DossierNotFoundError(dossier_id)
    db = TinyDB(path, storage=AtomicJSONStorage)
    storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
    try:
        try:
            raw = storage.read()
            if raw is None:
                raise DossierNotFoundError(dossier_id)
            doc = document_from_tables(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptDossierError(path, _reason(exc), dossier_id=dossier_id) from exc
        change = build(doc)
        if not change:
            return doc, None
        with storage.batch():
            if change.meta:
                db.table(META_TABLE).update(change.meta, doc_ids=[1])
            for name, rows in change.appends.items():
                if rows:
                    db.table(name).insert_multiple(rows)
            for name, rows_by_id in change.updates.items():
                table = db.table(name)
                for row_id, row in rows_by_id.items():
                    # the row's keys are set (its `data` replaced whole by the caller's merge)
                    table.update(row, doc_ids=[row_id])
        new_raw = storage.read()
        assert new_raw is not None
        return document_from_tables(new_raw), storage.last_stat
    finally:
        db.close()
