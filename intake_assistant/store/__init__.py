"""Dossier store: the contract (`api`), its backends (one folder each) and `open_store`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def is_database_url(db: str | Path | None) -> bool:
    """True for a PostgreSQL URL (``postgresql://user@host/base``), given or in the environment."""
    text = str(db) if db else os.environ.get(ENV_VAR, "")
    return text.startswith(("postgresql://", "postgres://"))


def open_store(db: str | Path | None = None, *, lock_timeout: float = 10.0) -> DossierStore:
    """The store named by --db, else $INTAKE_ASSISTANT_DB, else the user data folder: a
    ``postgresql://`` URL opens the PostgreSQL backend, anything else a TinyDB folder.

    The one way to open a store; `open_store(store.location)` opens the same store again (worker
    processes). Errors are StoreError with a French message (an unusable folder...)."""
    if is_database_url(db):
        return _open_postgres(str(db) if db else os.environ[ENV_VAR], lock_timeout)
    from .tinydb import TinyDBStore

    return TinyDBStore(resolve_root(db), lock_timeout=lock_timeout)


def _open_postgres(url: str, lock_timeout: float) -> DossierStore:
    try:
        from .postgres import PostgresStore  # psycopg is imported only here, and only when used
    except ImportError as exc:
        if "psycopg" not in str(exc):
            raise
        raise StoreError(
            "Le pilote PostgreSQL n'est pas installé sur ce poste : "
            "python3 -m pip install 'intake-assistant[postgresql]'"
        ) from None
    return PostgresStore(url, lock_timeout=lock_timeout)


def open_database_admin(url: str) -> Any:
    """The administration of a PostgreSQL store (schema, group and login roles): `db init`,
    `db upgrade`, `db copy` (see store/postgres/admin.py)."""
    if not is_database_url(url):
        raise StoreError(
            f"« {url} » n'est pas l'adresse d'une base PostgreSQL "
            "(attendu : postgresql://utilisateur@serveur/base)."
        )
    try:
        from .postgres.admin import DatabaseAdmin
    except ImportError as exc:
        if "psycopg" not in str(exc):
            raise
        raise StoreError(
            "Le pilote PostgreSQL n'est pas installé sur ce poste : "
            "python3 -m pip install 'intake-assistant[postgresql]'"
        ) from None
    return DatabaseAdmin(url)


__all__ = [
    "AuditRow", "ConflictError", "CorruptDossierError", "DateField", "Decision", "Dossier",
    "DossierLease", "DossierLockedError", "DossierNotFoundError", "DossierStore", "Draft",
    "ENV_VAR", "Erasure", "ExportRecord", "IndexEntry", "InterruptedInterview", "InterviewEvent",
    "InterviewMarker", "InvalidTransitionError", "InvalidValueError", "JSONObject", "JSONValue",
    "LeaseInfo", "Meeting", "Note", "RecordNotFoundError", "StatusChange", "StoreError",
    "StoreUnavailableError", "StoredRecord", "TableRow", "dossier_version", "is_database_url",
    "open_database_admin", "open_store",
    "resolve_root",
]
