"""RGPD intents: forget one person, purge the inactive dossiers, give a person what is held.

The store erases what it keeps (the dossier, its rows, draft, export register, attached records,
what it keeps to list it); derived data kept elsewhere is this module's to erase: the statistics
records of exactly the erased dossiers (not the whole cache, which would then be cold for
everyone). Files exported earlier (commission summaries) are outside the store: forget lists
them, and deletes those still at their place when asked.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import local_now
from intake_assistant.store import (
    CorruptDossierError,
    Dossier,
    DossierStore,
    Erasure,
    ExportRecord,
    StoredRecord,
)

from . import intake_cache


@dataclass(frozen=True)
class ExportedFile:
    """A file made from an erased dossier: where, and what became of it."""

    record: ExportRecord
    state: str  # "deleted", "present" (to destroy by hand), "absent" (already gone), "stdout"

    @property
    def path(self) -> str | None:
        return self.record["path"]


@dataclass
class ErasureReport:
    """What one forget or purge did, for the person running it."""

    erased: list[Erasure] = field(default_factory=list)
    files: list[ExportedFile] = field(default_factory=list)
    derived_dropped: int = 0

    @property
    def to_destroy(self) -> list[ExportedFile]:
        """Exported files that still hold the person's data and were not deleted here."""
        return [f for f in self.files if f.state in ("present", "stdout")]


def who(store: DossierStore, dossier_id: str) -> str:
    """The person's name for a confirmation prompt ("la personne du dossier illisible" when the
    dossier cannot be read: erasure must stay possible)."""
    try:
        answers = store.load(dossier_id)["answers"]
    except CorruptDossierError:
        return "la personne du dossier illisible"
    return " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k)) or "(sans nom)"


def _exported_file(record: ExportRecord, delete: bool) -> ExportedFile:
    path = record["path"]
    if path is None:
        return ExportedFile(record, "stdout")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ExportedFile(record, "absent")
    except OSError:
        return ExportedFile(record, "present")
    if delete and stat.S_ISREG(st.st_mode):  # never follow a link to delete its target
        try:
            os.unlink(path)
        except OSError:
            return ExportedFile(record, "present")
        return ExportedFile(record, "deleted")
    return ExportedFile(record, "present")


def _finish(store: DossierStore, erased: list[Erasure], delete_exports: bool) -> ErasureReport:
    from intake_assistant.reports.cache import drop_records

    dropped = drop_records(store, [e.dossier_id for e in erased])
    intake_cache.drop(store, [e.dossier_id for e in erased])
    seen: set[str] = set()
    files = []
    for erasure in erased:
        for record in erasure.exports:
            key = str(record["path"])
            if record["path"] is not None and key in seen:
                continue  # one file exported twice is one file to destroy
            seen.add(key)
            files.append(_exported_file(record, delete_exports))
    return ErasureReport(erased, files, dropped)


def forget(store: DossierStore, dossier_id: str, *, delete_exports: bool = False
           ) -> ErasureReport:
    """Erase everything held on one person, then their derived statistics records; with
    `delete_exports`, also the exported files still where they were written."""
    return _finish(store, [store.forget(dossier_id)], delete_exports)


def purge(store: DossierStore, *, inactive_days: int = 730, dry_run: bool = False,
          delete_exports: bool = False, now: datetime | None = None) -> ErasureReport:
    """Erase the dossiers without contact for `inactive_days` (CNIL: two years)."""
    erased = store.purge(inactive_days=inactive_days, dry_run=dry_run, now=now)
    if dry_run:
        files = [ExportedFile(r, "present" if r["path"] and os.path.lexists(r["path"])
                              else "absent" if r["path"] else "stdout")
                 for e in erased for r in e.exports]
        return ErasureReport(erased, files, 0)
    return _finish(store, erased, delete_exports)


@dataclass(frozen=True)
class AccessReport:
    """Right of access: everything held on one person, and the delays derived from it."""

    dossier: Dossier
    delays: dict[str, object]
    records: list[StoredRecord]

    def to_json(self) -> dict[str, object]:
        return {"dossier": self.dossier, "delais": self.delays, "enregistrements": self.records}


def right_of_access(store: DossierStore, dossier_id: str, today: date | None = None
                    ) -> AccessReport:
    doc = store.load(dossier_id)
    day = today or local_now().date()
    return AccessReport(doc, lifecycle.delays(doc, day),
                        store.list_records(dossier_id=dossier_id))
