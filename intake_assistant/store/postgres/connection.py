"""The store's one connection to the database: opened lazily, reopened when lost, shared by the
process's threads, every database error turned into a French StoreError.

Every change is one transaction (`_tx`) that first locks the dossier's row (`lock_dossier`), so
two writers of one dossier queue up and neither loses the other's change; writers of different
dossiers never wait for each other.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from ..errors import DossierLockedError, DossierNotFoundError, StoreError, StoreUnavailableError
from .messages import first_line, redact
from .schema import check_version

APPLICATION_NAME = "intake-assistant"


class AccessDeniedError(StoreError):
    """The database refused the connected role an operation (grants, row-level security)."""


def lock_dossier(conn: psycopg.Connection[Any], dossier_id: str) -> None:
    """Lock the dossier's row until the end of the transaction, or DossierNotFoundError."""
    row = conn.execute("SELECT rev FROM intake.dossiers WHERE id = %s FOR UPDATE",
                       (dossier_id,)).fetchone()
    if row is None:
        raise DossierNotFoundError(dossier_id)


def read_reception_fields(conn: psycopg.Connection[Any]) -> frozenset[str]:
    """The answers reception may read (the phone intake's questions), a store-wide setting."""
    row = conn.execute(
        "SELECT value FROM intake.settings WHERE key = 'reception_fields'").fetchone()
    return frozenset(row["value"] if row else ())


class Connection:
    """The connection, what the connected role may see, and where the store is."""

    def __init__(self, url: str, *, lock_timeout: float = 10.0, check_schema: bool = True
                 ) -> None:
        self.url = url
        self._location = redact(url)
        self.lock_timeout = lock_timeout
        self._mutex = threading.RLock()  # one connection, shared by the process's threads
        self._conn: psycopg.Connection[dict[str, Any]] | None = None
        self._sees_private = False
        self._bulk_copy = False
        with self._db() as conn:
            if check_schema:
                check_version(conn, self._location)
                self._sees_private = self._can_read_private(conn)
                self._bulk_copy = self._bypasses_rls(conn)

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        try:
            conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                   connect_timeout=10, application_name=APPLICATION_NAME)
        except psycopg.OperationalError as exc:
            raise StoreUnavailableError(
                f"Connexion impossible à la base PostgreSQL {self._location} : "
                f"{first_line(exc)}"
            ) from None
        conn.execute(sql.SQL("SET lock_timeout = {}").format(
            sql.Literal(f"{int(self.lock_timeout * 1000)}ms")))
        return conn

    @contextmanager
    def _db(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """The connection (reconnected if it was lost), with database errors made French."""
        with self._mutex:
            if self._conn is None or self._conn.closed or self._conn.broken:
                self._conn = self._connect()
            try:
                yield self._conn
            except psycopg.errors.LockNotAvailable:
                raise DossierLockedError(
                    "Le dossier est en cours d'enregistrement sur un autre poste ; réessayez dans "
                    "un instant."
                ) from None
            except psycopg.errors.InsufficientPrivilege as exc:
                raise AccessDeniedError(
                    f"La base refuse cette opération au rôle PostgreSQL « {self.login} » "
                    f"({first_line(exc)}) : elle n'est pas permise à votre rôle."
                ) from None
            except psycopg.OperationalError as exc:
                raise StoreUnavailableError(
                    f"La base PostgreSQL {self._location} ne répond pas : {first_line(exc)} "
                    "(rien n'a été modifié)."
                ) from None

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with self._db() as conn, conn.transaction():
            yield conn

    def close(self) -> None:
        """Close the connection (a later call reopens it)."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def location(self) -> str:
        return self._location

    @property
    def login(self) -> str:
        """The database role this store is connected as: who the server authenticated."""
        with self._mutex:
            if self._conn is not None and not self._conn.closed:
                return str(self._conn.info.user)
        return urlsplit(self.url).username or getpass.getuser()

    @property
    def read_only(self) -> bool:
        """A standby server, or a role without the right to change dossiers."""
        with self._db() as conn:
            row = conn.execute("SELECT pg_is_in_recovery() OR NOT has_table_privilege("
                               "'intake.dossiers', 'UPDATE') AS ro").fetchone()
        return bool(row and row["ro"])

    @property
    def _sees_everything(self) -> bool:
        """Every part of every dossier: the private part, and every row whatever its author."""
        return self._sees_private and self._bulk_copy

    @staticmethod
    def _bypasses_rls(conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, "
            "'USAGE') AS ok FROM pg_roles r, pg_class c WHERE r.rolname = current_user "
            "AND c.oid = 'intake.dossier_rows'::regclass").fetchone()
        return bool(row and row["ok"])

    @staticmethod
    def _can_read_private(conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT has_table_privilege('intake.dossier_private', 'SELECT') AS ok").fetchone()
        return bool(row and row["ok"])
