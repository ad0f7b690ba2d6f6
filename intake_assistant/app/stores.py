"""Opening the store and listing its dossiers, for the faces (CLI, TUI) that may not import the
store package: `open_store` is the store's one way in, re-exported here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from intake_assistant.store import (
    DateField,
    DossierStore,
    IndexEntry,
    StoreError,
    open_store,
)


def list_dossiers(
    store: DossierStore,
    *,
    status: str | None = None,
    search: str | None = None,
    agent: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    date_field: DateField = "created_at",
    limit: int | None = None,
) -> list[IndexEntry]:
    """Matching dossiers, most recently updated first (reading only: never writes)."""
    return store.list(status=status, search=search, agent=agent, date_from=date_from,
                      date_to=date_to, date_field=date_field, limit=limit)


def stream_dossiers(
    store: DossierStore,
    *,
    status: str | None = None,
    search: str | None = None,
    agent: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    date_field: DateField = "created_at",
) -> Iterator[IndexEntry]:
    """`list_dossiers` one entry at a time (an export of every dossier in flat memory)."""
    return store.iter_list(status=status, search=search, agent=agent, date_from=date_from,
                           date_to=date_to, date_field=date_field)


def corrupt_dossiers(store: DossierStore) -> dict[str, str]:
    """Dossiers found unreadable or malformed (id -> where), to name in a warning."""
    return store.corrupt_files()


def add_demo_dossiers(store: DossierStore, count: int, *, seed: int = 1,
                      now: datetime | None = None) -> list[str]:
    """Realistic fictitious dossiers (demonstration, training, benchmarks)."""
    from intake_assistant.store.demo_data import generate_dossiers

    moment = now or datetime.now().astimezone()
    ids = store.import_dossiers(generate_dossiers(count, seed=seed, now=moment))
    store.reindex()
    from .followup_index import rebuild_index

    # The agenda and the follow-up read index records; built by the administrator who imported
    # (through the unguarded store: reading the new dossiers is not a consultation to log).
    rebuild_index(getattr(store, "inner", store), ids)
    from .records_upkeep import dossier_saved

    dossier_saved(store, *ids)  # a large import is left to the next statistics run
    return ids


__all__ = ["StoreError", "add_demo_dossiers", "corrupt_dossiers", "list_dossiers", "open_store"]
