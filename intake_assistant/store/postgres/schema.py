"""Versioned SQL migrations: `migrations/NNNN_name.sql`, applied in order, one transaction each.

The schema's version is the highest row of `intake.schema_version`. The application checks it at
start (`check_version`) and refuses to work on a schema older or newer than the one it was built
for, with the command to run. `upgrade` applies what is missing; concurrent upgrades wait for each
other (advisory lock), so two agents starting a new version at once cannot apply a step twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from ..errors import StoreError

SCHEMA = "intake"
ROLES = ("accueil", "travailleur_social", "responsable")
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_UPGRADE_LOCK = 742000  # advisory lock key serialising schema changes
_MAX_IDENTIFIER = 63


class SchemaError(StoreError):
    """The database's schema is missing, behind or ahead of this version of the application."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str = field(repr=False)


def migrations() -> list[Migration]:
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2),
                                   entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002... without gaps")
    return found


def latest_version() -> int:
    return migrations()[-1].version


def group_role(database: str, role: str) -> str:
    """The group role of a role in one database (`<database>_<role>`): several databases of one
    server (a test server, a second service) keep separate groups."""
    return f"{database}_{role}"


def group_roles(conn: psycopg.Connection[Any]) -> dict[str, str]:
    database = conn.info.dbname
    names = {role: group_role(database, role) for role in ROLES}
    too_long = [n for n in names.values() if len(n.encode()) > _MAX_IDENTIFIER]
    if too_long:
        raise SchemaError(
            f"Le nom de la base « {database} » est trop long pour nommer ses groupes de rôles "
            f"(« {too_long[0]} » dépasse {_MAX_IDENTIFIER} caractères) : choisissez un nom plus "
            "court."
        )
    return names


def current_version(conn: psycopg.Connection[Any]) -> int | None:
    """The schema version, or None when the schema was never created."""
    with conn.cursor(row_factory=tuple_row) as cur:
        row = cur.execute("SELECT to_regclass('intake.schema_version') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return None
        row = cur.execute("SELECT coalesce(max(version), 0) FROM intake.schema_version"
                          ).fetchone()
    return int(row[0]) if row else 0


def check_version(conn: psycopg.Connection[Any], location: str) -> int:
    """The schema version, or SchemaError (in French, with the command to run)."""
    try:
        version = current_version(conn)
    except psycopg.errors.InsufficientPrivilege:
        raise SchemaError(
            f"Le rôle PostgreSQL « {conn.info.user} » n'a pas (ou plus) accès à la base "
            f"{location} : demandez au responsable de l'ajouter comme agent ou de le réactiver "
            "(intake-assistant agents add)."
        ) from None
    expected = latest_version()
    if version is None:
        raise SchemaError(
            f"La base {location} n'est pas initialisée : lancez « intake-assistant db init "
            f"--db {location} » (avec un rôle administrateur de la base)."
        )
    if version < expected:
        raise SchemaError(
            f"Le schéma de la base {location} est en version {version}, cette version de "
            f"l'application attend la version {expected} : lancez « intake-assistant db upgrade "
            f"--db {location} » (avec un rôle administrateur de la base)."
        )
    if version > expected:
        raise SchemaError(
            f"Le schéma de la base {location} (version {version}) est plus récent que cette "
            f"version de l'application (version {expected}) : mettez l'application à jour sur "
            "ce poste."
        )
    return version


def _render(conn: psycopg.Connection[Any], text: str) -> str:
    for role, name in group_roles(conn).items():
        text = text.replace(f"@{role}@", sql.Identifier(name).as_string(conn))
        text = text.replace(f"@{role}_name@", name.replace("'", "''"))
    return text


def _ensure_group_roles(conn: psycopg.Connection[Any]) -> None:
    for name in group_roles(conn).values():
        exists = conn.execute("SELECT 1 AS found FROM pg_roles WHERE rolname = %s",
                              (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))


def upgrade(conn: psycopg.Connection[Any], *, target: int | None = None) -> list[Migration]:
    """Apply the missing migrations (up to `target`); returns those applied."""
    goal = latest_version() if target is None else target
    applied: list[Migration] = []
    for migration in migrations():
        if migration.version > goal:
            break
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_UPGRADE_LOCK,))
                version = current_version(conn) or 0
                if migration.version <= version:
                    continue
                if migration.version != version + 1:
                    raise SchemaError(
                        f"Le schéma est en version {version} : impossible d'appliquer la "
                        f"migration {migration.version}."
                    )
                _ensure_group_roles(conn)
                conn.execute(_render(conn, migration.text).encode())
                conn.execute("INSERT INTO intake.schema_version (version, name) VALUES (%s, %s)",
                             (migration.version, migration.name))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise SchemaError(
                f"Le rôle PostgreSQL « {conn.info.user} » ne peut pas créer ou modifier le schéma "
                f"(migration {migration.version} : {exc.diag.message_primary}). Lancez la "
                "commande avec le propriétaire de la base ou un rôle ayant le droit CREATEROLE."
            ) from None
        applied.append(migration)
    return applied
