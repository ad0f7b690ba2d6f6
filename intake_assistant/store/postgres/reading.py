"""Reading whole dossiers: the document put back together from its rows (documents.assemble),
one at a time or every dossier in batches, its shape checked. A dossier written around the
application with the wrong shape is damaged: named by `load` (CorruptDossierError), skipped by
`iter_dossiers`, left out of listings and counts (`_damaged`), never overwritten."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from typing import Any, cast

import psycopg
from psycopg import sql

from ..api import Dossier
from ..errors import CorruptDossierError, DossierNotFoundError
from .checks import parse_id
from .connection import Connection
from .documents import ROW_TABLES, TABLE_PREFIX, ShapeError, assemble

_BATCH = 500
_LOAD_HEAD = sql.SQL(
    "d.id, d.rev, d.created_at, d.updated_at, d.created_by, d.agent, d.status, "
    "d.status_history, d.questionnaires, d.answers, d.unknown, d.commission"
)


class Reading(Connection):
    def _select(self, where: sql.Composable) -> sql.Composed:
        rows = sql.SQL(", ").join(
            sql.SQL("(SELECT json_agg(r.body ORDER BY r.n) FROM intake.dossier_rows r "
                    "WHERE r.dossier_id = d.id AND r.tbl = {}) AS {}").format(
                sql.Literal(t), sql.Identifier(t))
            for t in ROW_TABLES)
        extra = sql.SQL(
            "(SELECT json_object_agg(x.t, x.rs) FROM (SELECT substr(r.tbl, 6) AS t, "
            "json_agg(r.body ORDER BY r.n) AS rs FROM intake.dossier_rows r "
            "WHERE r.dossier_id = d.id AND r.tbl LIKE 'rows.%%' GROUP BY r.tbl) x) AS tables, "
            "(SELECT json_build_object('questionnaire', i.questionnaire, 'agent', i.agent, "
            "'host', i.host, 'since', i.since) FROM intake.interviews i "
            "WHERE i.dossier_id = d.id) AS interview, "
            "(SELECT f.draft FROM intake.drafts f WHERE f.dossier_id = d.id) AS draft")
        if self._sees_private:
            private = sql.SQL("p.answers AS private_answers, p.fields AS fields")
            join = sql.SQL("LEFT JOIN intake.dossier_private p ON p.dossier_id = d.id")
        else:
            private = sql.SQL("NULL::json AS private_answers, NULL::json AS fields")
            join = sql.SQL("")
        return sql.SQL("SELECT {}, {}, {}, {} FROM intake.dossiers d {} WHERE {}").format(
            _LOAD_HEAD, private, rows, extra, join, where)

    def _load_in(self, conn: psycopg.Connection[Any], dossier_id: str) -> dict[str, Any]:
        row = conn.execute(self._select(sql.SQL("d.id = %s")), (dossier_id,)).fetchone()
        if row is None:
            raise DossierNotFoundError(dossier_id)
        try:
            return assemble(row)
        except ShapeError as exc:
            raise CorruptDossierError(self._location, f"structure inattendue : {exc}",
                                      dossier_id=dossier_id) from None

    def _damaged(self, conn: psycopg.Connection[Any]) -> dict[str, str]:
        """The damaged dossiers (id -> why), found among those written around the application
        (marked `checked = false` by the database's triggers): each is read and checked."""
        found: dict[str, str] = {}
        for row in conn.execute("SELECT id FROM intake.dossiers WHERE NOT checked "
                                "ORDER BY id").fetchall():
            try:
                self._load_in(conn, row["id"])
            except CorruptDossierError as exc:
                found[row["id"]] = exc.reason
            except DossierNotFoundError:
                continue  # erased meanwhile
        return found

    def load(self, dossier_id: str) -> Dossier:
        parse_id(dossier_id)
        with self._db() as conn:
            return cast(Dossier, self._load_in(conn, dossier_id))

    def iter_dossiers(self) -> Iterator[Dossier]:
        """Every dossier, in id order (read in batches, each batch one consistent snapshot)."""
        last: str | None = ""
        while last is not None:
            with self._db() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                batch, last = self._batch(conn, last)
            yield from (cast(Dossier, doc) for doc in batch)

    def read_many(self, dossier_ids: Iterable[str]) -> Iterator[Dossier]:
        """Batches of ids, each read in four queries (one consistent snapshot per batch)."""
        wanted = builtins.list(dossier_ids)
        for dossier_id in wanted:
            parse_id(dossier_id)
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start:start + _BATCH]
            with self._db() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                heads = conn.execute(
                    sql.SQL("SELECT {}{} WHERE d.id = ANY(%s)").format(
                        _LOAD_HEAD, self._head_source()), (chunk,)).fetchall()
                found = {doc["id"]: doc for doc in self._assembled(conn, heads)}
            yield from (cast(Dossier, found[i]) for i in chunk if i in found)

    def _head_source(self) -> sql.Composable:
        return (sql.SQL(", p.answers AS private_answers, p.fields AS fields "
                        "FROM intake.dossiers d LEFT JOIN intake.dossier_private p "
                        "ON p.dossier_id = d.id")
                if self._sees_private else
                sql.SQL(", NULL::json AS private_answers, NULL::json AS fields "
                        "FROM intake.dossiers d"))

    def _batch(self, conn: psycopg.Connection[Any], after: str
               ) -> tuple[builtins.list[dict[str, Any]], str | None]:
        """The well-shaped dossiers of the next batch after id `after`, and the batch's last id
        (None at the end)."""
        heads = conn.execute(
            sql.SQL("SELECT {}{} WHERE d.id > %s ORDER BY d.id LIMIT %s").format(
                _LOAD_HEAD, self._head_source()), (after, _BATCH)).fetchall()
        if not heads:
            return [], None
        return self._assembled(conn, heads), heads[-1]["id"]

    def _assembled(self, conn: psycopg.Connection[Any], heads: builtins.list[Any]
                   ) -> builtins.list[dict[str, Any]]:
        """The well-shaped dossiers of these head rows, with their rows, interview and draft."""
        if not heads:
            return []
        ids = [h["id"] for h in heads]
        parts: dict[str, dict[str, Any]] = {
            i: {**{t: [] for t in ROW_TABLES}, "tables": {}, "interview": None, "draft": None}
            for i in ids}
        for row in conn.execute(
                "SELECT dossier_id, tbl, body FROM intake.dossier_rows WHERE dossier_id = ANY(%s) "
                "ORDER BY dossier_id, tbl, n", (ids,)):
            per = parts[row["dossier_id"]]
            tbl = row["tbl"]
            if tbl in ROW_TABLES:
                per[tbl].append(row["body"])
            elif tbl.startswith(TABLE_PREFIX):
                per["tables"].setdefault(tbl[len(TABLE_PREFIX):], []).append(row["body"])
        for row in conn.execute(
                "SELECT dossier_id, questionnaire, agent, host, since FROM intake.interviews "
                "WHERE dossier_id = ANY(%s)", (ids,)):
            marker = dict(row)
            parts[marker.pop("dossier_id")]["interview"] = marker
        for row in conn.execute("SELECT dossier_id, draft FROM intake.drafts "
                                "WHERE dossier_id = ANY(%s)", (ids,)):
            parts[row["dossier_id"]]["draft"] = row["draft"]
        docs = []
        for head in heads:
            try:
                docs.append(assemble({**head, **parts[head["id"]]}))
            except ShapeError:
                continue  # damaged: reported by corrupt_files()
        return docs

    def corrupt_files(self) -> dict[str, str]:
        """The damaged dossiers (id -> where they are, and why)."""
        with self._db() as conn:
            damaged = self._damaged(conn)
        return {i: f"{self._location}, {why}" for i, why in damaged.items()}
