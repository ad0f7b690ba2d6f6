"""New dossiers: one created by an agent, or whole documents imported (demo data, `db copy`).
Numbers come from one sequence per year (D-2026-000001...), never handed out twice."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import psycopg

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now, parse_day

from ..api import Dossier
from ..audit import answer_changes
from ..document import shape_error, with_defaults
from ..errors import InvalidValueError
from ..index_entry import entry_from_document
from .checks import check_json, check_status, parse_id
from .connection import AccessDeniedError, Connection, read_reception_fields
from .documents import (
    ROW_TABLES,
    TABLE_PREFIX,
    amount,
    dumps,
    free_fields,
    index_columns,
    split_answers,
)

_BATCH = 500
_HEAD_COLUMNS = ("id, rev, created_at, updated_at, created_by, agent, status, status_history, "
                 "questionnaires, answers, unknown, commission, nom, prenom, telephone, commune, "
                 "type_projet, montant_demande, last_contact, search_text, search_compact, "
                 "search_digits")


class Creation(Connection):
    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Dossier:
        """Create a dossier in status `premier_contact`; committed before returning."""
        moment = local_now(now)
        at = iso(moment)
        answers = dict(answers or {})
        check_json(answers, "les réponses")
        doc = {
            "id": "", "rev": 1, "created_at": at, "updated_at": at, "created_by": agent,
            "agent": agent, "status": lifecycle.INITIAL_STATUS,
            "status_history": [{"status": lifecycle.INITIAL_STATUS, "at": at, "agent": agent}],
            "questionnaires": [questionnaire] if questionnaire else [],
            "answers": answers, "unknown": [], "events": [],
            "audit": answer_changes({}, [], answers, [], agent=agent, at=at),
            "rencontres": [], "commission": None, "notes": [], "evaluation_sociale": None,
            "tables": {}, "exports": [], "draft": None, "interview": None,
        }
        with self._tx() as conn:
            self._insert(conn, [doc], keep_ids=False)
        return cast(Dossier, doc)

    def import_dossiers(self, docs: Iterable[dict[str, Any]], *, durable: bool = True,
                        keep_ids: bool = False) -> builtins.list[str]:
        """Add complete dossier documents (demo data, `db copy`): numbered here, or with their
        own numbers (`keep_ids`, the year's sequence then continues after them). Each batch of
        documents is one transaction; `durable` is accepted for the contract (a commit is
        always durable)."""
        ids: builtins.list[str] = []
        chunk: builtins.list[dict[str, Any]] = []

        def flush() -> None:
            if chunk:
                with self._tx() as conn:
                    ids.extend(self._insert(conn, chunk, keep_ids=keep_ids))
                chunk.clear()

        for given in docs:
            doc = with_defaults(given)
            if not keep_ids:
                doc["id"] = "D-0000-000000"  # numbered at insertion
            problem = shape_error(doc)
            if problem is not None:
                raise InvalidValueError(f"Dossier importé invalide : {problem}.")
            check_json(doc, "le dossier importé")
            check_status(doc["status"])
            chunk.append(doc)
            if len(chunk) >= _BATCH:
                flush()
        flush()
        return ids

    def _insert(self, conn: psycopg.Connection[Any], docs: builtins.list[dict[str, Any]], *,
                keep_ids: bool) -> builtins.list[str]:
        """Insert whole documents (numbered here unless `keep_ids`) in the open transaction."""
        reception = read_reception_fields(conn)
        if keep_ids:
            highest: dict[int, int] = {}
            for doc in docs:
                year, number = parse_id(doc["id"])
                highest[year] = max(highest.get(year, 0), number)
            for year, number in highest.items():
                conn.execute("SELECT intake.reserve_dossier_numbers(%s, %s)", (year, number))
        else:
            years = [parse_day(doc["created_at"]).year for doc in docs]
            for year in sorted(set(years)):
                numbers = iter(int(r["n"]) for r in conn.execute(
                    "SELECT intake.next_dossier_number(%s) AS n FROM generate_series(1, %s)",
                    (year, years.count(year))).fetchall())
                for doc, doc_year in zip(docs, years, strict=True):
                    if doc_year == year:
                        doc["id"] = f"D-{year:04d}-{next(numbers):06d}"
        heads, privates, rows = [], [], []
        markers: builtins.list[tuple[str, dict[str, Any]]] = []
        drafts: builtins.list[tuple[str, str]] = []
        for doc in docs:
            public_a, private_a = split_answers(doc.get("answers") or {}, reception)
            fields = free_fields(doc)
            fields.setdefault("evaluation_sociale", None)
            has_private = bool(private_a or any(v is not None for v in fields.values()))
            if has_private and not self._sees_private:
                raise AccessDeniedError(
                    "Votre rôle ne permet pas d'enregistrer les réponses de l'évaluation."
                )
            entry = entry_from_document(doc)
            index = index_columns(doc, entry)
            heads.append((
                doc["id"], doc["rev"], doc["created_at"], doc.get("updated_at") or
                doc["created_at"], doc.get("created_by"), doc.get("agent"), doc["status"],
                dumps(doc.get("status_history") or []), dumps(doc.get("questionnaires") or []),
                dumps(public_a), dumps(doc.get("unknown") or []),
                None if doc.get("commission") is None else dumps(doc["commission"]),
                index["nom"], index["prenom"], index["telephone"], index["commune"],
                index["type_projet"], amount(index["montant_demande"]), index["last_contact"],
                index["search_text"], index["search_compact"], index["search_digits"]))
            if has_private or self._sees_private:
                privates.append((doc["id"], dumps(private_a), dumps(fields)))
            for name in ROW_TABLES:
                rows += [(doc["id"], name, dumps(body)) for body in doc.get(name) or []]
            for table, bodies in sorted((doc.get("tables") or {}).items()):
                rows += [(doc["id"], TABLE_PREFIX + table, dumps(body)) for body in bodies]
            if doc.get("interview"):
                markers.append((doc["id"], doc["interview"]))
            if doc.get("draft"):
                drafts.append((doc["id"], dumps(doc["draft"])))
        try:
            with conn.cursor() as cur:
                if self._bulk_copy and len(docs) > 1:
                    _copy(cur, heads, privates, rows)
                else:  # COPY is not allowed under row-level security
                    cur.executemany(
                        f"INSERT INTO intake.dossiers ({_HEAD_COLUMNS}) VALUES "
                        f"({', '.join(['%s'] * len(heads[0]))})", heads)
                    if privates:
                        cur.executemany("INSERT INTO intake.dossier_private (dossier_id, "
                                        "answers, fields) VALUES (%s, %s, %s)", privates)
                    if rows:
                        cur.executemany("INSERT INTO intake.dossier_rows (dossier_id, tbl, "
                                        "body) VALUES (%s, %s, %s)", rows)
                if markers:
                    cur.executemany(
                        "INSERT INTO intake.interviews (dossier_id, questionnaire, agent, host, "
                        "since) VALUES (%s, %s, %s, %s, %s)",
                        [(i, m["questionnaire"], m["agent"], m["host"], m["since"])
                         for i, m in markers])
                if drafts:
                    cur.executemany("INSERT INTO intake.drafts (dossier_id, draft) "
                                    "VALUES (%s, %s)", drafts)
        except psycopg.errors.UniqueViolation:
            raise InvalidValueError(
                "Un dossier de même numéro existe déjà dans la base : rien n'a été ajouté."
            ) from None
        return [doc["id"] for doc in docs]


def _copy(cur: psycopg.Cursor[Any], heads: builtins.list[tuple[Any, ...]],
          privates: builtins.list[tuple[Any, ...]], rows: builtins.list[tuple[Any, ...]]) -> None:
    """The same rows written by COPY (a bulk copy by a role that row-level security spares)."""
    with cur.copy(f"COPY intake.dossiers ({_HEAD_COLUMNS}) FROM STDIN") as copy:
        for head in heads:
            copy.write_row(head)
    if privates:
        with cur.copy("COPY intake.dossier_private (dossier_id, answers, fields) "
                      "FROM STDIN") as copy:
            for private in privates:
                copy.write_row(private)
    if rows:
        with cur.copy("COPY intake.dossier_rows (dossier_id, tbl, body) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
