"""Dossier store: one atomic TinyDB file per dossier, a rebuildable index, locks and leases."""

from .errors import (
    ConflictError,
    CorruptDossierError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
    StoreError,
)
from .index import IndexEntry
from .lifecycle import DECISIONS, STATUSES, allowed_next, delays
from .location import ENV_VAR, resolve_root
from .store import DossierSession, Store

__all__ = [
    "Store", "DossierSession", "IndexEntry", "StoreError", "DossierNotFoundError",
    "CorruptDossierError", "DossierLockedError", "InvalidTransitionError", "InvalidValueError",
    "ConflictError", "STATUSES", "DECISIONS", "allowed_next", "delays", "ENV_VAR", "resolve_root",
]
