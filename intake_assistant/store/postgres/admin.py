"""Administration of a PostgreSQL store: create and upgrade the schema, the group roles and the
agents' login roles. Run by the database's administrator (its owner, or a role with CREATEROLE).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from ..errors import StoreError
from .messages import first_line as _first_line
from .messages import redact
from .schema import SchemaError, current_version, group_roles, latest_version, upgrade


class DatabaseAdmin:
    def __init__(self, url: str, conn: psycopg.Connection[Any] | None = None) -> None:
        self.url = url
        self.location = redact(url)
        if conn is not None:
            self.conn = conn
            return
        try:
            self.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row,
                                        connect_timeout=10,
                                        application_name="intake-assistant admin")
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"Connexion impossible à la base PostgreSQL {self.location} : {_first_line(exc)}"
            ) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> DatabaseAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------------
    def version(self) -> int | None:
        return current_version(self.conn)

    @staticmethod
    def expected_version() -> int:
        return latest_version()

    def init(self) -> list[str]:
        """Create the schema (every migration); SchemaError if it already exists."""
        version = self.version()
        if version is not None:
            raise SchemaError(
                f"La base {self.location} est déjà initialisée (schéma en version {version}) ; "
                f"pour la mettre à jour : intake-assistant db upgrade --db {self.location}"
            )
        return self.upgrade()

    def upgrade(self) -> list[str]:
        """Apply the missing migrations; the names of those applied."""
        if self.version() is None and not self._may_create_roles():
            raise SchemaError(
                f"Le rôle PostgreSQL « {self.conn.info.user} » ne peut pas créer les groupes de "
                "rôles de l'application : lancez la commande avec le propriétaire de la base "
                "ayant le droit CREATEROLE (ou un superutilisateur)."
            )
        try:
            return [f"{m.version:04d}_{m.name}" for m in upgrade(self.conn)]
        except psycopg.Error as exc:
            raise SchemaError(
                f"La mise à jour du schéma de {self.location} a échoué (rien n'a été modifié "
                f"par l'étape en cours) : {_first_line(exc)}"
            ) from None

    def _may_create_roles(self) -> bool:
        row = self.conn.execute("SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles "
                                "WHERE rolname = current_user").fetchone()
        return bool(row and row["ok"])

    def group_roles(self) -> dict[str, str]:
        return group_roles(self.conn)

    # -- agents' login roles -------------------------------------------------------------------
    def role_exists(self, login: str) -> bool:
        row = self.conn.execute("SELECT 1 AS found FROM pg_roles WHERE rolname = %s",
                                (login,)).fetchone()
        return row is not None

    def grant(self, login: str, role: str, *, create: bool = True) -> bool:
        """Make `login` a member of the group of `role` (and of no other group of this
        database), creating the login role when missing. Needs a role that may create roles and
        grant the groups (the database administrator, or a responsable given CREATEROLE by the
        IT). True if the login role was created."""
        groups = self.group_roles()
        created = False
        try:
            with self.conn.transaction():
                if not self.role_exists(login):
                    if not create:
                        raise StoreError(f"Le rôle PostgreSQL « {login} » n'existe pas.")
                    self.conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(
                        sql.Identifier(login)))
                    created = True
                self._revoke(login)
                self.conn.execute(sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(groups[role]), sql.Identifier(login)))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"Le rôle PostgreSQL « {self.conn.info.user} » ne peut pas créer ou autoriser le "
                f"rôle « {login} » ({_first_line(exc)}). Demandez à l'administrateur de la base : "
                f"CREATE ROLE \"{login}\" LOGIN; GRANT \"{groups[role]}\" TO \"{login}\";"
            ) from None
        return created

    def _revoke(self, login: str) -> None:
        for group in self.group_roles().values():
            if self._is_member(login, group):
                self.conn.execute(sql.SQL("REVOKE {} FROM {}").format(
                    sql.Identifier(group), sql.Identifier(login)))

    def _is_member(self, login: str, group: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 AS found FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s AND g.rolname = %s",
            (login, group)).fetchone()
        return row is not None

    def revoke_all(self, login: str) -> None:
        """Remove `login` from every group of this database (the login role itself stays: it
        may serve other databases, and the CCAS's IT owns it)."""
        if not self.role_exists(login):
            return
        try:
            with self.conn.transaction():
                self._revoke(login)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"Le rôle PostgreSQL « {self.conn.info.user} » ne peut pas retirer les droits du "
                f"rôle « {login} » ({_first_line(exc)})."
            ) from None

    def memberships(self, login: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", (login,)).fetchall()
        names = {r["rolname"] for r in rows}
        return [role for role, group in self.group_roles().items() if group in names]

    def count_dossiers(self) -> int:
        row: Any = self.conn.execute("SELECT count(*) AS n FROM intake.dossiers").fetchone()
        return int(row["n"])
