"""Dossier store: the contract (`api`), its backends (one folder each) and `open_store`."""

from __future__ import annotations

from pathlib import Path

from .api import (
    ConflictError,
    CorruptDossierError,
    Dossier,
    DossierLease,
    DossierLockedError,
    DossierNotFoundError,
    DossierStore,
    IndexEntry,
    InvalidTransitionError,
    InvalidValueError,
    StoreError,
)
from .location import ENV_VAR, resolve_root


def open_store(db: str | Path | None = None, *, lock_timeout: float = 10.0) -> DossierStore:
    """The store named by --db, else $INTAKE_ASSISTANT_DB, else the user data folder."""
    from .tinydb import TinyDBStore

    return TinyDBStore(resolve_root(db), lock_timeout=lock_timeout)


__all__ = [
    "ConflictError", "CorruptDossierError", "Dossier", "DossierLease", "DossierLockedError",
    "DossierNotFoundError", "DossierStore", "ENV_VAR", "IndexEntry", "InvalidTransitionError",
    "InvalidValueError", "StoreError", "open_store", "resolve_root",
]
