"""Dossier store: the contract (`api`), its backends (one folder each) and `open_store`."""

from __future__ import annotations

from pathlib import Path

from .api import (
    AuditRow,
    ConflictError,
    CorruptDossierError,
    DateField,
    Decision,
    Dossier,
    DossierLease,
    DossierLockedError,
    DossierNotFoundError,
    DossierStore,
    Draft,
    Erasure,
    ExportRecord,
    IndexEntry,
    InterruptedInterview,
    InterviewEvent,
    InterviewMarker,
    InvalidTransitionError,
    InvalidValueError,
    JSONObject,
    JSONValue,
    LeaseInfo,
    Meeting,
    Note,
    RecordNotFoundError,
    StatusChange,
    StoredRecord,
    StoreError,
    StoreUnavailableError,
    TableRow,
    dossier_version,
)
from .location import ENV_VAR, resolve_root


def open_store(db: str | Path | None = None, *, lock_timeout: float = 10.0) -> DossierStore:
    """The store named by --db, else $INTAKE_ASSISTANT_DB, else the user data folder.

    The one way to open a store; `open_store(store.location)` opens the same store again (worker
    processes). Errors are StoreError with a French message (an unusable folder...)."""
    from .tinydb import TinyDBStore

    return TinyDBStore(resolve_root(db), lock_timeout=lock_timeout)


__all__ = [
    "AuditRow", "ConflictError", "CorruptDossierError", "DateField", "Decision", "Dossier",
    "DossierLease", "DossierLockedError", "DossierNotFoundError", "DossierStore", "Draft",
    "ENV_VAR", "Erasure", "ExportRecord", "IndexEntry", "InterruptedInterview", "InterviewEvent",
    "InterviewMarker", "InvalidTransitionError", "InvalidValueError", "JSONObject", "JSONValue",
    "LeaseInfo", "Meeting", "Note", "RecordNotFoundError", "StatusChange", "StoreError",
    "StoreUnavailableError", "StoredRecord", "TableRow", "dossier_version", "open_store",
    "resolve_root",
]
