"""The store contract: what every dossier store backend offers, typed.

Callers (the application layer, reports, the CLI through the application layer) are typed against
`DossierStore` and never against a backend class. A backend lives in its own folder (`tinydb/`)
and is chosen by `intake_assistant.store.open_store`. The contract test suite
(`tests/store/contract/`) is what a backend must pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .errors import (
    ConflictError,
    CorruptDossierError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
    StoreError,
)
from .index_entry import IndexEntry

# A dossier document as described in docs/ARCHITECTURE.md (plain JSON values).
Dossier = dict[str, Any]
# Another process's lease on a dossier: agent, host, since.
LeaseInfo = dict[str, Any]


@runtime_checkable
class DossierLease(Protocol):
    """A dossier open for editing by this process; released by `close()`."""

    dossier_id: str
    agent: str

    def renew(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> DossierLease: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class DossierStore(Protocol):
    """Every dossier of the service: read, list and search, durable changes, leases, RGPD."""

    # -- where it is (shown to staff) ----------------------------------------------------------
    @property
    def location(self) -> str: ...

    # -- leases --------------------------------------------------------------------------------
    def session(self, dossier_id: str, *, agent: str) -> DossierLease: ...

    def open_by(self, dossier_id: str) -> LeaseInfo | None: ...

    # -- reading -------------------------------------------------------------------------------
    def load(self, dossier_id: str) -> Dossier: ...

    def iter_dossiers(self) -> Iterator[Dossier]: ...

    def corrupt_files(self) -> dict[str, Path]: ...

    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
    ) -> list[IndexEntry]: ...

    def reindex(self) -> None: ...

    # -- writing -------------------------------------------------------------------------------
    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Dossier: ...

    def import_dossiers(self, docs: Iterable[Dossier], *, durable: bool = True) -> list[str]: ...

    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: dict[str, Any],
        unknown: list[str],
        events: list[dict[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier: ...

    def save_answer(
        self,
        dossier_id: str,
        answer_id: str,
        value: Any = None,
        *,
        agent: str,
        raw: str | None = None,
        questionnaire: str | None = None,
        unknown: bool = False,
        now: datetime | None = None,
    ) -> Dossier: ...

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None,
    ) -> Dossier: ...

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None,
    ) -> Dossier: ...

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
    ) -> Dossier: ...

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None
    ) -> Dossier: ...

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None, **fields: Any
    ) -> Dossier: ...

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None
    ) -> Dossier: ...

    # -- RGPD ----------------------------------------------------------------------------------
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> list[IndexEntry]: ...

    def forget(self, dossier_id: str) -> None: ...

    def export(self, dossier_id: str, today: date | None = None) -> dict[str, Any]: ...


__all__ = [
    "ConflictError", "CorruptDossierError", "Dossier", "DossierLease", "DossierLockedError",
    "DossierNotFoundError", "DossierStore", "IndexEntry", "InvalidTransitionError",
    "InvalidValueError", "LeaseInfo", "StoreError",
]
