"""Listing, searching and counting dossiers from the index columns of `intake.dossiers` (kept by
the writes), answered by the server's indexes: the same search as the TinyDB backend (accents and
case ignored, phone digits, every word must match) through trigram indexes. Damaged dossiers are
left out (reading._damaged)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from ..errors import InvalidValueError
from ..index_entry import IndexEntry, Query, normalize
from .checks import check_status
from .documents import number
from .reading import Reading


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def entries(conn: psycopg.Connection[Any], condition: sql.Composable,
            params: builtins.list[Any], order: sql.Composable) -> builtins.list[IndexEntry]:
    """The index entries of the dossiers matching `condition`, in `order`."""
    cur = conn.execute(sql.SQL(
        "SELECT id, nom, prenom, telephone, commune, status, d.agent, created_at, "
        "updated_at, last_contact, type_projet, montant_demande, rev, "
        "i.agent AS interview_agent FROM intake.dossiers d "
        "LEFT JOIN intake.interviews i ON i.dossier_id = d.id "
        "WHERE {} ORDER BY {}").format(condition, order), params)
    return [IndexEntry(
        id=r["id"], nom=r["nom"], prenom=r["prenom"], telephone=r["telephone"],
        commune=r["commune"], status=r["status"], agent=r["agent"],
        created_at=r["created_at"], updated_at=r["updated_at"],
        last_contact=r["last_contact"].isoformat(), type_projet=r["type_projet"],
        montant_demande=number(r["montant_demande"]), rev=r["rev"],
        interview_agent=r["interview_agent"]) for r in cur]


def _search_conditions(search: str | None, where: builtins.list[sql.Composable],
                       params: builtins.list[Any]) -> None:
    """The conditions of a search (every word, or the phone / id digits), appended."""
    if not (search and search.strip()):
        return
    query = Query(search)
    if query.digits is not None:
        where.append(sql.SQL("(search_digits LIKE %s OR search_compact LIKE %s)"))
        params += [_like(query.digits)] * 2
    else:
        for word in query.words:
            where.append(sql.SQL("search_text LIKE %s"))
            params.append(_like(word))


class Search(Reading):
    def _sound(self, conn: psycopg.Connection[Any]) -> tuple[sql.Composable, builtins.list[Any]]:
        """The condition (and its parameters) that leaves the damaged dossiers out."""
        damaged = builtins.list(self._damaged(conn))
        if not damaged:
            return sql.SQL("true"), []
        return sql.SQL("NOT (d.id = ANY(%s))"), [damaged]

    def versions(self, dossier_ids: Iterable[str] | None = None) -> dict[str, str]:
        ids = None if dossier_ids is None else builtins.list(dossier_ids)
        with self._db() as conn:
            sound, params = self._sound(conn)
            return {r["id"]: f"{r['rev']}:{r['updated_at']}" for r in conn.execute(
                sql.SQL("SELECT id, rev, updated_at FROM intake.dossiers d WHERE {} AND "
                        "(%s::text[] IS NULL OR d.id = ANY(%s::text[]))").format(sound),
                [*params, ids, ids])}

    def changes_since(self, mark: str | None) -> tuple[str, builtins.list[str] | None]:
        # No log of changes is kept here: derived data compares every version.
        return "", None

    def count(self, *, status: str | None = None) -> int:
        if status is not None:
            check_status(status)
        with self._db() as conn:
            sound, params = self._sound(conn)
            row = conn.execute(sql.SQL(
                "SELECT count(*) AS n FROM intake.dossiers d WHERE {} AND "
                "(%s::text IS NULL OR status = %s)").format(sound),
                [*params, status, status]).fetchone()
        return int(row["n"]) if row else 0

    def count_by_status(self, *, search: str | None = None) -> dict[str, int]:
        with self._db() as conn:
            sound, params = self._sound(conn)
            where: builtins.list[sql.Composable] = [sound]
            _search_conditions(search, where, params)
            return {r["status"]: int(r["n"]) for r in conn.execute(sql.SQL(
                "SELECT status, count(*) AS n FROM intake.dossiers d WHERE {} "
                "GROUP BY status").format(sql.SQL(" AND ").join(where)), params)}

    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
        limit: int | None = None,
    ) -> builtins.list[IndexEntry]:
        """Matching dossiers, most recently updated first; the same search as the TinyDB
        backend (accents and case ignored, phone digits, every word must match), answered by
        trigram indexes."""
        if status is not None:
            check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        where: builtins.list[sql.Composable] = []
        params: builtins.list[Any] = []
        if status is not None:
            where.append(sql.SQL("status = %s"))
            params.append(status)
        with self._db() as conn:
            sound, sound_params = self._sound(conn)
            where.append(sound)
            params += sound_params
            if agent:
                key = normalize(agent)
                names = [r["agent"] for r in conn.execute(
                    "SELECT DISTINCT agent FROM intake.dossiers WHERE agent IS NOT NULL")
                    if normalize(r["agent"]) == key]
                where.append(sql.SQL("d.agent = ANY(%s)"))
                params.append(names)
            column = sql.Identifier(date_field)
            day = (sql.SQL("last_contact::text") if date_field == "last_contact"
                   else sql.SQL("left({}, 10)").format(column))
            if date_from:
                where.append(sql.SQL("{} >= %s").format(day))
                params.append(date_from.isoformat())
            if date_to:
                where.append(sql.SQL("{} <= %s").format(day))
                params.append(date_to.isoformat())
            _search_conditions(search, where, params)
            condition = sql.SQL(" AND ").join(where)
            order: sql.Composable = sql.SQL("updated_at DESC, id DESC")
            if limit is not None:
                order = sql.SQL("{} LIMIT {}").format(order, sql.Literal(max(int(limit), 0)))
            return entries(conn, condition, params, order)

    def iter_list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
    ) -> Iterator[IndexEntry]:
        """`list()` one entry at a time. The rows come in one answer of the server (the
        narrow index columns: ~60 MB at 200,000 dossiers); a server-side cursor would keep a
        transaction open while the caller consumes them."""
        yield from self.list(status=status, search=search, agent=agent, date_from=date_from,
                             date_to=date_to, date_field=date_field)
