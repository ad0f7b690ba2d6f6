"""One change of a dossier in one transaction: its row locked, refused while another session has
it open, the optimistic revision checked (`touch`), then the new head, the private part, the
appended rows and the index columns written together (`_apply`)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import psycopg
from psycopg import sql

from ..api import Dossier
from ..errors import ConflictError
from ..index_entry import entry_from_document
from .checks import parse_id
from .connection import AccessDeniedError, lock_dossier, read_reception_fields
from .documents import (
    INDEX_SOURCES,
    TABLE_PREFIX,
    amount,
    field_root,
    free_fields,
    index_columns,
    split_answers,
    to_json,
)
from .leases import Leases
from .reading import Reading

# (the head keys to set, the rows to append by table) of one change
Change = tuple[dict[str, Any], dict[str, builtins.list[dict[str, Any]]]]


def touch(doc: dict[str, Any], at: str, expected_rev: int | None = None) -> dict[str, Any]:
    """The head keys every content change sets (next revision, update time); ConflictError
    when the caller built its change from another revision than `expected_rev`."""
    rev = int(doc.get("rev") or 0)
    if expected_rev is not None and rev != expected_rev:
        raise ConflictError(
            f"Le dossier {doc['id']} a été modifié sur un autre poste entre-temps "
            f"(version {rev}, attendue {expected_rev}) ; rechargez-le avant d'enregistrer : "
            "rien n'a été écrasé."
        )
    return {"updated_at": at, "rev": rev + 1}


def index_sets(doc: dict[str, Any], *, visible: frozenset[str], grow_only: bool
               ) -> tuple[builtins.list[sql.Composable], builtins.list[Any]]:
    """The SET clauses of the index columns (those this connection may compute)."""
    columns = index_columns(doc, entry_from_document(doc))
    sets: builtins.list[sql.Composable] = []
    params: builtins.list[Any] = []
    for key, value in columns.items():
        if key in INDEX_SOURCES and key not in visible:
            continue
        if key in ("search_text", "search_compact") and "nom" not in visible:
            continue
        if key == "search_digits" and "telephone" not in visible:
            continue
        if key == "last_contact":
            value = date.fromisoformat(value)
        if key == "last_contact" and grow_only:
            sets.append(sql.SQL("last_contact = greatest(last_contact, %s)"))
        else:
            sets.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
        params.append(amount(value) if key == "montant_demande" else value)
    return sets, params


class Writing(Leases, Reading):
    def _update(self, dossier_id: str, build: Callable[[dict[str, Any]], Change], *,
                lease_free: bool = True) -> Dossier:
        """One change in one transaction, the dossier's row locked. `lease_free`: refused while
        another live session has the dossier open (content); False for what a reader or the
        lease holder may always do (export register)."""
        parse_id(dossier_id)
        with self._tx() as conn:
            lock_dossier(conn, dossier_id)
            if lease_free:
                self._refuse_if_open_elsewhere(conn, dossier_id)
            doc = self._load_in(conn, dossier_id)
            meta, appends = build(doc)
            if not meta and not any(appends.values()):
                return cast(Dossier, doc)
            return cast(Dossier, self._apply(conn, doc, meta, appends))

    def _apply(self, conn: psycopg.Connection[Any], doc: dict[str, Any], meta: dict[str, Any],
               appends: dict[str, builtins.list[dict[str, Any]]]) -> dict[str, Any]:
        new = dict(doc)
        new.update(meta)
        for name, rows in appends.items():
            if rows and name.startswith(TABLE_PREFIX):
                table = name[len(TABLE_PREFIX):]
                new["tables"] = {**new["tables"],
                                 table: [*new["tables"].get(table, []), *rows]}
            elif rows:
                new[name] = [*doc.get(name, []), *rows]
        reception = read_reception_fields(conn)
        sets: builtins.list[sql.Composable] = []
        params: builtins.list[Any] = []
        for key in ("rev", "updated_at", "agent", "status"):
            if key in meta:
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
                params.append(meta[key])
        for key in ("status_history", "questionnaires", "commission"):
            if key in meta:
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
                params.append(to_json(meta[key]))
        private_changes: dict[str, Any] = {}
        if "answers" in meta or "unknown" in meta:
            public_a, private_a = split_answers(new["answers"], reception)
            unknown = list(new["unknown"])
            if not self._sees_private:
                if private_a:
                    names = ", ".join(sorted({field_root(k) for k in private_a}))
                    raise AccessDeniedError(
                        f"Votre rôle ne permet pas d'enregistrer ces réponses de l'évaluation : "
                        f"{names}."
                    )
                # the evaluation's « à compléter » are not reception's to drop
                unknown = [u for u in unknown if field_root(u) in reception] + [
                    u for u in doc["unknown"]
                    if field_root(u) not in reception and u not in unknown]
                new["unknown"] = unknown
            sets += [sql.SQL("answers = %s"), sql.SQL("unknown = %s")]
            params += [to_json(public_a), to_json(unknown)]
            if self._sees_private:
                private_changes["answers"] = private_a
        fields = free_fields(meta)
        if fields:
            if not self._sees_private:
                raise AccessDeniedError(
                    "Votre rôle ne permet pas de modifier l'évaluation sociale du dossier."
                )
            private_changes["fields"] = free_fields(new)
        visible = frozenset(k for k, src in INDEX_SOURCES.items()
                            if self._sees_private or src in reception)
        more_sets, more_params = index_sets(new, visible=visible, grow_only=True)
        params += more_params
        params.append(doc["id"])
        conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
            sql.SQL(", ").join([*sets, *more_sets])), params)
        if private_changes:
            self._write_private(conn, new, reception)
        self._write_rows(conn, doc["id"], appends)
        return new

    @staticmethod
    def _write_private(conn: psycopg.Connection[Any], doc: dict[str, Any],
                       reception: frozenset[str]) -> None:
        """The private part of a dossier this connection read whole."""
        fields = free_fields(doc)
        fields.setdefault("evaluation_sociale", None)
        row = {"answers": split_answers(doc["answers"], reception)[1], "fields": fields}
        conn.execute(
            "INSERT INTO intake.dossier_private (dossier_id, answers, fields) "
            "VALUES (%s, %s, %s) ON CONFLICT (dossier_id) DO UPDATE SET "
            "answers = EXCLUDED.answers, fields = EXCLUDED.fields",
            (doc["id"], to_json(row["answers"]), to_json(row["fields"])))

    @staticmethod
    def _write_rows(conn: psycopg.Connection[Any], dossier_id: str,
                    appends: dict[str, builtins.list[dict[str, Any]]]) -> None:
        rows = [(dossier_id, name, to_json(body)) for name, bodies in appends.items()
                for body in bodies]
        if rows:
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO intake.dossier_rows (dossier_id, tbl, body) "
                                "VALUES (%s, %s, %s)", rows)

    def reindex(self) -> None:
        """Rebuild the index columns of every dossier from the dossiers themselves. A role that
        reads every part of every dossier also marks the well-shaped ones written around the
        application as checked (listings then stop checking them)."""
        checked = [sql.SQL("checked = true")] if self._sees_everything else []
        for doc in self.iter_dossiers():
            with self._tx() as conn:
                sets, params = index_sets(dict(doc), visible=frozenset(INDEX_SOURCES),
                                          grow_only=False)
                conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
                    sql.SQL(", ").join([*sets, *checked])), [*params, doc["id"]])
