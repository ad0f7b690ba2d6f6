"""RGPD: the purge of inactive dossiers and the erasure of one person (forget). Deleting the
dossier's row deletes everything held on the person with it (foreign keys ON DELETE CASCADE):
private part, rows, draft, interview marker, lease, attached records."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta
from typing import Any, cast

import psycopg
from psycopg import sql

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import local_now

from ..api import Erasure, ExportRecord
from ..errors import CorruptDossierError, DossierLockedError, DossierNotFoundError
from .checks import parse_id
from .connection import AccessDeniedError, lock_dossier
from .leases import locked_message
from .search import Search, entries
from .writing import Writing


def _readable_exports(conn: psycopg.Connection[Any], dossier_id: str
                      ) -> tuple[ExportRecord, ...]:
    """The export register's rows of a damaged dossier that are still export records."""
    rows = conn.execute("SELECT body FROM intake.dossier_rows WHERE dossier_id = %s "
                        "AND tbl = 'exports' ORDER BY n", (dossier_id,)).fetchall()
    return tuple(cast(ExportRecord, r["body"]) for r in rows
                 if isinstance(r["body"], dict) and isinstance(r["body"].get("at"), str))


class Erasing(Writing, Search):
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> builtins.list[Erasure]:
        """Erase dossiers without contact for `inactive_days` (CNIL: 2 years), in id order;
        those open in another session or contacted since the check are skipped."""
        cutoff = local_now(now).date() - timedelta(days=inactive_days)
        with self._db() as conn:
            sound, params = self._sound(conn)  # a damaged dossier is never purged
            candidates = entries(conn, sql.SQL("last_contact < %s AND {}").format(sound),
                                 [cutoff, *params], sql.SQL("id"))
        if dry_run:
            return [Erasure(e.id, e, self._exports_of(e.id)) for e in candidates]
        purged: builtins.list[Erasure] = []
        for entry in candidates:
            with self._tx() as conn:
                try:
                    lock_dossier(conn, entry.id)
                except DossierNotFoundError:
                    continue
                if self._live_lease_elsewhere(conn, entry.id) is not None:
                    continue
                try:
                    doc = self._load_in(conn, entry.id)
                except CorruptDossierError:
                    continue  # damaged since the list was read
                if lifecycle.last_contact(doc) >= cutoff:
                    continue  # contacted since the list was read
                self._erase(conn, entry.id)
                purged.append(Erasure(entry.id, entry, tuple(doc["exports"])))
        return purged

    def _exports_of(self, dossier_id: str) -> tuple[ExportRecord, ...]:
        try:
            return tuple(self.load(dossier_id)["exports"])
        except (DossierNotFoundError, CorruptDossierError):
            return ()

    def forget(self, dossier_id: str) -> Erasure:
        """Erase everything held on one person in one transaction: the dossier row, its private
        part, every row (events, audit, meetings, notes, tables, exports register), the draft,
        the interview marker, the attached records and the lease. A damaged dossier too: then
        without its index entry, with the export rows that can still be read."""
        parse_id(dossier_id)
        with self._tx() as conn:
            lock_dossier(conn, dossier_id)
            holder = self._live_lease_elsewhere(conn, dossier_id)
            if holder is not None:
                raise DossierLockedError(locked_message(dossier_id, holder))
            try:
                exports = tuple(self._load_in(conn, dossier_id)["exports"])
                found = entries(conn, sql.SQL("id = %s"), [dossier_id], sql.SQL("id"))
            except CorruptDossierError:
                exports, found = _readable_exports(conn, dossier_id), []
            self._erase(conn, dossier_id)
        return Erasure(dossier_id, found[0] if found else None, exports)

    def _erase(self, conn: psycopg.Connection[Any], dossier_id: str) -> None:
        cur = conn.execute("DELETE FROM intake.dossiers WHERE id = %s", (dossier_id,))
        if cur.rowcount != 1:
            raise AccessDeniedError(
                f"Votre rôle ne permet pas d'effacer le dossier {dossier_id} (l'effacement est "
                "réservé au responsable)."
            )
        self._held.pop(dossier_id, None)

    def export(self, dossier_id: str, today: date | None = None) -> dict[str, Any]:
        """All that is held on one person (right of access): the dossier and its derived delays."""
        doc = self.load(dossier_id)
        return {"dossier": doc, "delais": lifecycle.delays(dict(doc),
                                                           today or local_now().date())}
