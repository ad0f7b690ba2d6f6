"""Who is connected and what the database lets each role see: the authenticated identity, the
group roles that grant the application's roles, the agents' rights, and which answers are
reception-level (readable by reception; the others live in `intake.dossier_private`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from .connection import Connection, read_reception_fields
from .documents import to_json
from .schema import group_roles

# Move each answer and unknown to the side of the reception-level fields it now belongs to.
_RESPLIT = (
    """CREATE TEMP TABLE intake_resplit ON COMMIT DROP AS
SELECT d.id, d.answers::jsonb || coalesce(p.answers::jsonb, '{}'::jsonb) AS a,
       coalesce(p.fields, '{"evaluation_sociale": null}'::json) AS f
FROM intake.dossiers d LEFT JOIN intake.dossier_private p ON p.dossier_id = d.id""",
    """UPDATE intake.dossiers d SET
    answers = coalesce((SELECT jsonb_object_agg(k, v) FROM jsonb_each(m.a) AS e(k, v)
                        WHERE intake.field_root(k) = ANY(%(f)s)), '{}'::jsonb)::json
FROM intake_resplit m WHERE m.id = d.id""",
    """INSERT INTO intake.dossier_private (dossier_id, answers, fields)
SELECT m.id,
       coalesce((SELECT jsonb_object_agg(k, v) FROM jsonb_each(m.a) AS e(k, v)
                 WHERE NOT intake.field_root(k) = ANY(%(f)s)), '{}'::jsonb)::json,
       m.f
FROM intake_resplit m
ON CONFLICT (dossier_id) DO UPDATE SET answers = EXCLUDED.answers""",
)


class Roles(Connection):
    def identity(self) -> str:
        """Who the store authenticated: the PostgreSQL role connected (`current_user`)."""
        with self._db() as conn:
            row = conn.execute("SELECT current_user AS who").fetchone()
        return str(row["who"]) if row else self.login

    def group_roles(self) -> dict[str, str]:
        """role -> the database's group role that grants it (`<base>_accueil`...)."""
        with self._db() as conn:
            return group_roles(conn)

    def role_memberships(self) -> builtins.list[str]:
        """The application roles the connected database role belongs to."""
        with self._db() as conn:
            row = conn.execute("SELECT intake.current_groups() AS g").fetchone()
        return list(row["g"]) if row else []

    def is_administrator(self) -> bool:
        """Superuser, or owner of the schema (the role that ran `db init`)."""
        with self._db() as conn:
            row = conn.execute(
                "SELECT r.rolsuper OR pg_has_role(current_user, n.nspowner, 'MEMBER') AS admin "
                "FROM pg_roles r, pg_namespace n WHERE r.rolname = current_user "
                "AND n.nspname = 'intake'"
            ).fetchone()
        return bool(row and row["admin"])

    def grant_role(self, login: str, role: str) -> bool:
        """Give the database role `login` the rights of `role` in this database (creating the
        login role when missing); True if it was created."""
        from .admin import DatabaseAdmin

        with self._db() as conn:
            return DatabaseAdmin(self.url, conn).grant(login, role)

    def revoke_roles(self, login: str) -> None:
        from .admin import DatabaseAdmin

        with self._db() as conn:
            DatabaseAdmin(self.url, conn).revoke_all(login)

    def reception_fields(self) -> frozenset[str]:
        with self._db() as conn:
            return read_reception_fields(conn)

    def set_reception_fields(self, fields: Iterable[str]) -> bool:
        """Set which answers reception may read (the phone intake's questions) and move every
        stored answer, event and audit row to the side it now belongs to. False if unchanged."""
        wanted = sorted(set(fields))
        with self._tx() as conn:
            conn.execute("LOCK TABLE intake.settings IN EXCLUSIVE MODE")
            if sorted(read_reception_fields(conn)) == wanted:
                return False
            conn.execute("UPDATE intake.settings SET value = %s WHERE key = 'reception_fields'",
                         (to_json(wanted),))
            conn.execute("LOCK TABLE intake.dossiers IN SHARE ROW EXCLUSIVE MODE")
            conn.execute(_RESPLIT[0])
            for statement in _RESPLIT[1:]:
                conn.execute(statement, {"f": wanted})
            conn.execute("UPDATE intake.dossier_rows SET private = "
                         "intake.row_is_private(tbl, body) WHERE tbl IN ('events', 'audit')")
        return True
