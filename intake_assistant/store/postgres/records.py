"""Store-wide records (`intake.records`): agents, commission sessions, the access log... by kind
and id, with a revision; a record attached to a dossier is erased with it (a foreign key)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, cast

import psycopg
from psycopg import sql

from intake_assistant.core.timeutil import iso, local_now

from ..api import StoredRecord
from ..errors import ConflictError, RecordNotFoundError
from .checks import check_json, check_kind, check_record_id, parse_id
from .connection import Connection, lock_dossier
from .documents import to_json


def _record_conflict(kind: str, record_id: str, rev: int, expected: int) -> str:
    state = "n'existe pas" if rev == 0 else f"est en version {rev}"
    return (f"L'enregistrement {kind} « {record_id} » {state} (attendu : version {expected}) : "
            "il a été modifié entre-temps, rien n'a été écrasé.")


class Records(Connection):
    def put_record(self, kind: str, record_id: str, doc: Mapping[str, Any], *,
                   dossier_id: str | None = None, expected_rev: int | None = None
                   ) -> StoredRecord:
        check_kind(kind)
        check_record_id(record_id)
        body = dict(doc)
        check_json(body, f"l'enregistrement {kind}")
        if dossier_id is not None:
            parse_id(dossier_id)
        at = iso(local_now())
        with self._tx() as conn:
            if dossier_id is not None:
                lock_dossier(conn, dossier_id)
            current = conn.execute("SELECT rev, dossier_id FROM intake.records WHERE kind = %s "
                                   "AND id = %s FOR UPDATE", (kind, record_id)).fetchone()
            rev = int(current["rev"]) if current else 0
            if expected_rev is not None and expected_rev != rev:
                raise ConflictError(_record_conflict(kind, record_id, rev, expected_rev))
            if current is None:
                try:
                    with conn.transaction():
                        conn.execute(
                            "INSERT INTO intake.records (kind, id, rev, updated_at, dossier_id, "
                            "doc) VALUES (%s, %s, 1, %s, %s, %s)",
                            (kind, record_id, at, dossier_id, to_json(body)))
                except psycopg.errors.UniqueViolation:  # created meanwhile by another session
                    raise ConflictError(_record_conflict(kind, record_id, 1, 0)) from None
            else:
                conn.execute("UPDATE intake.records SET rev = rev + 1, updated_at = %s, "
                             "dossier_id = %s, doc = %s WHERE kind = %s AND id = %s",
                             (at, dossier_id, to_json(body), kind, record_id))
        return {"kind": kind, "id": record_id, "rev": rev + 1, "updated_at": at,
                "dossier_id": dossier_id, "doc": body}

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        check_kind(kind)
        check_record_id(record_id)
        with self._db() as conn:
            row = conn.execute("SELECT kind, id, rev, updated_at, dossier_id, doc "
                               "FROM intake.records WHERE kind = %s AND id = %s",
                               (kind, record_id)).fetchone()
        return cast("StoredRecord | None", dict(row) if row else None)

    def list_records(self, kind: str | None = None, *, dossier_id: str | None = None
                     ) -> builtins.list[StoredRecord]:
        where: builtins.list[sql.Composable] = [sql.SQL("true")]
        params: builtins.list[Any] = []
        if kind is not None:
            check_kind(kind)
            where.append(sql.SQL("kind = %s"))
            params.append(kind)
        if dossier_id is not None:
            parse_id(dossier_id)
            where.append(sql.SQL("dossier_id = %s"))
            params.append(dossier_id)
        with self._db() as conn:
            rows = conn.execute(sql.SQL(
                "SELECT kind, id, rev, updated_at, dossier_id, doc FROM intake.records "
                "WHERE {} ORDER BY kind, id").format(sql.SQL(" AND ").join(where)),
                params).fetchall()
        return [cast(StoredRecord, dict(r)) for r in rows]

    def delete_record(self, kind: str, record_id: str, *, expected_rev: int | None = None
                      ) -> None:
        check_kind(kind)
        check_record_id(record_id)
        with self._tx() as conn:
            current = conn.execute("SELECT rev FROM intake.records WHERE kind = %s AND id = %s "
                                   "FOR UPDATE", (kind, record_id)).fetchone()
            if current is None:
                raise RecordNotFoundError(
                    f"L'enregistrement {kind} « {record_id} » n'existe pas.")
            if expected_rev is not None and expected_rev != current["rev"]:
                raise ConflictError(_record_conflict(kind, record_id, current["rev"],
                                                     expected_rev))
            conn.execute("DELETE FROM intake.records WHERE kind = %s AND id = %s",
                         (kind, record_id))
