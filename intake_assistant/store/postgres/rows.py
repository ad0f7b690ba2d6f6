"""Per-dossier row tables (appointments, documents, repayments...): rows of
`intake.dossier_rows` whose `tbl` is "rows." + the table's name, erased with the dossier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from intake_assistant.core.timeutil import iso, local_now

from ..api import Dossier
from ..audit import same_value
from ..errors import RecordNotFoundError
from .checks import check_json, check_table, parse_id
from .connection import lock_dossier
from .documents import TABLE_PREFIX, to_json
from .writing import Change, Writing, touch


class Rows(Writing):
    def append_rows(
        self,
        dossier_id: str,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        check_table(table)
        data = [dict(row) for row in rows]
        check_json(data, f"la table « {table} »")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at, expected_rev)
            if not data:
                return {}, {}
            start = len(doc["tables"].get(table, []))
            new_rows = [{"id": str(start + i), "at": at, "agent": agent, "data": row}
                        for i, row in enumerate(data, start=1)]
            return meta, {TABLE_PREFIX + table: new_rows}

        return self._update(dossier_id, build)

    def update_row(
        self,
        dossier_id: str,
        table: str,
        row_id: str,
        changes: Mapping[str, Any],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        check_table(table)
        updates = dict(changes)
        check_json(updates, f"la table « {table} »")
        at = iso(local_now(now))
        parse_id(dossier_id)
        with self._tx() as conn:
            lock_dossier(conn, dossier_id)
            self._refuse_if_open_elsewhere(conn, dossier_id)
            doc = self._load_in(conn, dossier_id)
            meta = touch(doc, at, expected_rev)
            rows = doc["tables"].get(table, [])
            row = next((r for r in rows if r["id"] == row_id), None)
            if row is None:
                raise RecordNotFoundError(
                    f"La ligne {row_id} de « {table} » n'existe pas dans le dossier {dossier_id}."
                )
            old = row["data"]
            audit = [{"at": at, "agent": agent, "id": f"{table}[{row_id}].{key}",
                      "old": old.get(key), "new": value, "table": table}
                     for key, value in updates.items()
                     if key not in old or not same_value(old[key], value)]
            if not audit:
                return cast(Dossier, doc)
            stored = {**row, "data": {**old, **updates}, "updated_at": at, "updated_by": agent}
            conn.execute("UPDATE intake.dossier_rows SET body = %s WHERE dossier_id = %s "
                         "AND tbl = %s AND body ->> 'id' = %s",
                         (to_json(stored), dossier_id, TABLE_PREFIX + table, row_id))
            doc["tables"] = {**doc["tables"],
                             table: [stored if r["id"] == row_id else r for r in rows]}
            return cast(Dossier, self._apply(conn, doc, meta, {"audit": audit}))
