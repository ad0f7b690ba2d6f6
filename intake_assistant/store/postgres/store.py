"""The PostgreSQL backend: the dossier store for a team on several PCs.

Concurrency is the engine's: every change is one transaction that first locks the dossier's row
(`SELECT … FOR UPDATE`), so two writers of one dossier queue up and neither loses the other's
change; writers of different dossiers never wait for each other. An optimistic revision
(`expected_rev`) turns a save based on a stale read into ConflictError. Dossier numbers come from
one sequence per year. Leases (a dossier open for editing) are rows renewed by a heartbeat
thread and end when they expire or when their holder's connection is gone.

psycopg is imported here only; `intake_assistant.store.open_store` imports this module lazily
for `postgresql://` URLs.
"""

from __future__ import annotations

import getpass
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Json

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now, parse_day

from ..audit import answer_changes, field_changes
from ..errors import (
    ConflictError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
    StoreError,
)
from ..index_entry import IndexEntry, Query, entry_from_document, normalize
from .documents import (
    INDEX_SOURCES,
    META_KEYS,
    ROW_TABLES,
    assemble,
    dumps,
    field_root,
    free_fields,
    index_columns,
    split_answers,
)
from .schema import check_version, group_roles

HOST = socket.gethostname() or "poste"
LEASE_TTL = 120.0  # seconds a lease lasts without a heartbeat
_ID_PATTERN = r"^D-(\d{4})-(\d{6})$"
_BATCH = 500
# Keys that only dedicated methods may change (they carry history or life-cycle rules).
_PROTECTED = frozenset({*META_KEYS, *ROW_TABLES})

Change = tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]


class AccessDeniedError(StoreError):
    """The database refused the connected role an operation (grants, row-level security)."""


def redact(url: str) -> str:
    """The URL without its password, as shown to staff."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, f"{user}{host}", parts.path, parts.query, parts.fragment))


def _json(value: Any) -> Json:
    return Json(value, dumps=dumps)


def _check_json(value: Any, what: str) -> None:
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"Valeur impossible à enregistrer pour {what} : {exc}.") from exc


def _check_day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"Date invalide pour {what} : « {value} » (attendu : AAAA-MM-JJ)."
        ) from None


def _check_status(status: str) -> None:
    try:
        lifecycle.check_status(status)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


def _check_transition(current: str, new: str) -> None:
    try:
        lifecycle.check_transition(current, new)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


def parse_id(dossier_id: str) -> tuple[int, int]:
    import re

    match = re.match(_ID_PATTERN, dossier_id) if isinstance(dossier_id, str) else None
    if match is None:
        raise InvalidValueError(
            f"Identifiant de dossier invalide : « {dossier_id} » (attendu : D-AAAA-NNNNNN)."
        )
    return int(match.group(1)), int(match.group(2))


def _amount(value: Any) -> Decimal | None:
    # numeric keeps the scale: 1200 comes back an int, 1200.0 a float, as they were written
    return None if value is None else Decimal(repr(value))


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]


def locked_message(dossier_id: str, lease: dict[str, Any]) -> str:
    since = lease.get("since")
    hour = since.astimezone().strftime("%H:%M") if isinstance(since, datetime) else "?"
    return (
        f"Le dossier {dossier_id} est ouvert par {lease.get('agent') or 'un autre agent'} "
        f"sur {lease.get('host') or 'un autre poste'} depuis {hour}."
    )


class PostgresLease:
    """A dossier open for editing by this store; kept alive by the store's heartbeat."""

    def __init__(self, store: PostgresStore, dossier_id: str, agent: str, token: str) -> None:
        self.store, self.dossier_id, self.agent, self._token = store, dossier_id, agent, token
        self.closed = False

    def renew(self) -> None:
        self.store._renew([self._token])

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.store._release(self.dossier_id, self._token)

    def __enter__(self) -> PostgresLease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_HEAD_COLUMNS = ("id, rev, created_at, updated_at, created_by, agent, status, status_history, "
                 "questionnaires, answers, unknown, commission, nom, prenom, telephone, commune, "
                 "type_projet, montant_demande, last_contact, search_text, search_compact, "
                 "search_digits")
_LOAD_HEAD = sql.SQL(
    "d.id, d.rev, d.created_at, d.updated_at, d.created_by, d.agent, d.status, "
    "d.status_history, d.questionnaires, d.answers, d.unknown, d.commission"
)


class PostgresStore:
    """Every dossier of the service in one PostgreSQL database (schema `intake`)."""

    def __init__(self, url: str, *, lock_timeout: float = 10.0, lease_ttl: float = LEASE_TTL,
                 check_schema: bool = True) -> None:
        self.url = url
        self._location = redact(url)
        self.lock_timeout = lock_timeout
        self.lease_ttl = lease_ttl
        self._mutex = threading.RLock()  # one connection, shared by the process's threads
        self._conn: psycopg.Connection[dict[str, Any]] | None = None
        self._held: dict[str, str] = {}  # dossier id -> token of the leases this store holds
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._sees_private = False
        self._bulk_copy = False
        with self._db() as conn:
            if check_schema:
                check_version(conn, self._location)
                self._sees_private = self._can_read_private(conn)
                self._bulk_copy = self._bypasses_rls(conn)

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        try:
            conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                   connect_timeout=10, application_name="intake-assistant")
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"Connexion impossible à la base PostgreSQL {self._location} : "
                f"{_first_line(exc)}"
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
                    f"({_first_line(exc)}) : elle n'est pas permise à votre rôle."
                ) from None
            except psycopg.OperationalError as exc:
                raise StoreError(
                    f"La base PostgreSQL {self._location} ne répond pas : {_first_line(exc)}"
                ) from None

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with self._db() as conn, conn.transaction():
            yield conn

    def close(self) -> None:
        """Release this store's leases and its connection."""
        self._stop.set()
        for dossier_id, token in list(self._held.items()):
            try:
                self._release(dossier_id, token)
            except StoreError:
                pass
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

    def identity(self) -> str:
        """Who the store authenticated: the PostgreSQL role connected (`current_user`)."""
        with self._db() as conn:
            row = conn.execute("SELECT current_user AS who").fetchone()
        return str(row["who"]) if row else self.login

    def group_roles(self) -> dict[str, str]:
        """role -> the database's group role that grants it (`<base>_accueil`...)."""
        with self._db() as conn:
            return group_roles(conn)

    def role_memberships(self) -> list[str]:
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

    # -- store-wide records (the agents) -------------------------------------------------------
    def get_record(self, kind: str, key: str) -> dict[str, Any] | None:
        self._check_kind(kind)
        with self._db() as conn:
            row = conn.execute("SELECT login, name, role, active FROM intake.agents "
                               "WHERE login = %s", (key,)).fetchone()
        return dict(row) if row else None

    def list_records(self, kind: str) -> dict[str, dict[str, Any]]:
        self._check_kind(kind)
        with self._db() as conn:
            rows = conn.execute("SELECT login, name, role, active FROM intake.agents "
                                "ORDER BY login").fetchall()
        return {r["login"]: dict(r) for r in rows}

    def put_record(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self._check_kind(kind)
        with self._db() as conn:
            conn.execute(
                "INSERT INTO intake.agents (login, name, role, active) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, "
                "active = EXCLUDED.active, disabled_at = CASE WHEN EXCLUDED.active THEN NULL "
                "ELSE coalesce(intake.agents.disabled_at, now()) END",
                (key, value["name"], value["role"], bool(value.get("active", True))))

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind != "agents":
            raise InvalidValueError(f"Type d'enregistrement inconnu : « {kind} ».")

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

    # -- per-dossier rows outside the document's history (the access log) ----------------------
    def append_rows(self, dossier_id: str, table: str, rows: list[dict[str, Any]]) -> None:
        """Append rows to one of the dossier's row tables without changing its revision."""
        if table in ROW_TABLES:
            raise InvalidValueError(f"La table « {table} » se modifie par son opération dédiée.")
        _check_json(rows, table)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            self._write_rows(conn, dossier_id, {table: rows})

    def rows(self, dossier_id: str, table: str) -> list[dict[str, Any]]:
        with self._db() as conn:
            return [r["body"] for r in conn.execute(
                "SELECT body FROM intake.dossier_rows WHERE dossier_id = %s AND tbl = %s "
                "ORDER BY n", (dossier_id, table))]

    # -- reception-level answers -----------------------------------------------------------------
    @staticmethod
    def _reception(conn: psycopg.Connection[Any]) -> frozenset[str]:
        row = conn.execute(
            "SELECT value FROM intake.settings WHERE key = 'reception_fields'").fetchone()
        return frozenset(row["value"] if row else ())

    def reception_fields(self) -> frozenset[str]:
        with self._db() as conn:
            return self._reception(conn)

    def set_reception_fields(self, fields: Iterable[str]) -> bool:
        """Set which answers reception may read (the phone intake's questions) and move every
        stored answer, event and audit row to the side it now belongs to. False if unchanged."""
        wanted = sorted(set(fields))
        with self._tx() as conn:
            conn.execute("LOCK TABLE intake.settings IN EXCLUSIVE MODE")
            if sorted(self._reception(conn)) == wanted:
                return False
            conn.execute("UPDATE intake.settings SET value = %s WHERE key = 'reception_fields'",
                         (_json(wanted),))
            conn.execute("LOCK TABLE intake.dossiers IN SHARE ROW EXCLUSIVE MODE")
            conn.execute(_RESPLIT[0])
            for statement in _RESPLIT[1:]:
                conn.execute(statement, {"f": wanted})
            conn.execute("UPDATE intake.dossier_rows SET private = "
                         "intake.row_is_private(tbl, body) WHERE tbl IN ('events', 'audit')")
        return True

    # -- leases --------------------------------------------------------------------------------
    def session(self, dossier_id: str, *, agent: str) -> PostgresLease:
        """Open the dossier for editing; DossierLockedError if it is open on another session."""
        parse_id(dossier_id)
        token = secrets.token_hex(8)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            lease = conn.execute(
                "SELECT agent, host, since, backend_pid = pg_backend_pid() AS ours, "
                "intake.lease_is_live(expires_at, backend_pid) AS live "
                "FROM intake.leases WHERE dossier_id = %s", (dossier_id,)).fetchone()
            if lease is not None:
                if lease["live"] and not lease["ours"]:
                    raise DossierLockedError(locked_message(dossier_id, lease))
                conn.execute("DELETE FROM intake.leases WHERE dossier_id = %s", (dossier_id,))
            conn.execute(
                "INSERT INTO intake.leases (dossier_id, token, agent, host, since, renewed, "
                "expires_at, backend_pid) VALUES (%s, %s, %s, %s, now(), now(), "
                "now() + make_interval(secs => %s), pg_backend_pid())",
                (dossier_id, token, agent, HOST, self.lease_ttl))
        self._held[dossier_id] = token
        self._start_heartbeat()
        return PostgresLease(self, dossier_id, agent, token)

    def open_by(self, dossier_id: str) -> dict[str, Any] | None:
        """The live lease of another session on this dossier (agent, host, since), if any."""
        with self._db() as conn:
            row = conn.execute(
                "SELECT agent, host, login, since, expires_at FROM intake.leases "
                "WHERE dossier_id = %s AND intake.lease_is_live(expires_at, backend_pid) "
                "AND backend_pid <> pg_backend_pid()", (dossier_id,)).fetchone()
        if row is None:
            return None
        return {"agent": row["agent"], "host": row["host"], "login": row["login"],
                "since": iso(row["since"].astimezone()),
                "expires": iso(row["expires_at"].astimezone())}

    def _live_lease_elsewhere(self, conn: psycopg.Connection[Any], dossier_id: str
                              ) -> dict[str, Any] | None:
        return conn.execute(
            "SELECT agent, host, since FROM intake.leases WHERE dossier_id = %s "
            "AND intake.lease_is_live(expires_at, backend_pid) "
            "AND backend_pid <> pg_backend_pid()", (dossier_id,)).fetchone()

    def _renew(self, tokens: list[str]) -> None:
        if not tokens:
            return
        with self._db() as conn:
            conn.execute(
                "UPDATE intake.leases SET renewed = now(), "
                "expires_at = now() + make_interval(secs => %s), backend_pid = pg_backend_pid() "
                "WHERE token = ANY(%s)", (self.lease_ttl, tokens))

    def _release(self, dossier_id: str, token: str) -> None:
        if self._held.get(dossier_id) == token:
            del self._held[dossier_id]
        with self._db() as conn:
            conn.execute("DELETE FROM intake.leases WHERE dossier_id = %s AND token = %s",
                         (dossier_id, token))

    def _start_heartbeat(self) -> None:
        with self._mutex:
            if self._heartbeat is not None and self._heartbeat.is_alive():
                return
            self._stop.clear()
            self._heartbeat = threading.Thread(target=self._beat, name="intake-lease-heartbeat",
                                               daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        interval = max(self.lease_ttl / 4, 0.2)
        while not self._stop.wait(interval):
            tokens = list(self._held.values())
            if not tokens:
                continue
            try:
                self._renew(tokens)
            except StoreError:
                continue  # the server is away: the next beat tries again (reconnecting)

    # -- reading -------------------------------------------------------------------------------
    def _select(self, where: sql.Composable) -> sql.Composed:
        rows = sql.SQL(", ").join(
            sql.SQL("(SELECT json_agg(r.body ORDER BY r.n) FROM intake.dossier_rows r "
                    "WHERE r.dossier_id = d.id AND r.tbl = {}) AS {}").format(
                sql.Literal(t), sql.Identifier(t))
            for t in ROW_TABLES)
        if self._sees_private:
            private = sql.SQL("p.answers AS private_answers, p.fields AS fields")
            join = sql.SQL("LEFT JOIN intake.dossier_private p ON p.dossier_id = d.id")
        else:
            private = sql.SQL("NULL::json AS private_answers, NULL::json AS fields")
            join = sql.SQL("")
        return sql.SQL("SELECT {}, {}, {} FROM intake.dossiers d {} WHERE {}").format(
            _LOAD_HEAD, private, rows, join, where)

    def _load_in(self, conn: psycopg.Connection[Any], dossier_id: str) -> dict[str, Any]:
        row = conn.execute(self._select(sql.SQL("d.id = %s")), (dossier_id,)).fetchone()
        if row is None:
            raise DossierNotFoundError(dossier_id)
        return assemble(row)

    def load(self, dossier_id: str) -> dict[str, Any]:
        parse_id(dossier_id)
        with self._db() as conn:
            return self._load_in(conn, dossier_id)

    def iter_dossiers(self) -> Iterator[dict[str, Any]]:
        """Every dossier, in id order (read in batches, each batch one consistent snapshot)."""
        last = ""
        while True:
            with self._db() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                batch = self._batch(conn, last)
            if not batch:
                return
            yield from batch
            last = batch[-1]["id"]

    def _batch(self, conn: psycopg.Connection[Any], after: str) -> list[dict[str, Any]]:
        private = (sql.SQL(", p.answers AS private_answers, p.fields AS fields "
                           "FROM intake.dossiers d LEFT JOIN intake.dossier_private p "
                           "ON p.dossier_id = d.id")
                   if self._sees_private else
                   sql.SQL(", NULL::json AS private_answers, NULL::json AS fields "
                           "FROM intake.dossiers d"))
        heads = conn.execute(
            sql.SQL("SELECT {}{} WHERE d.id > %s ORDER BY d.id LIMIT %s").format(
                _LOAD_HEAD, private), (after, _BATCH)).fetchall()
        if not heads:
            return []
        ids = [h["id"] for h in heads]
        tables: dict[str, dict[str, list[Any]]] = {i: {t: [] for t in ROW_TABLES} for i in ids}
        cur = conn.execute(
            "SELECT dossier_id, tbl, body FROM intake.dossier_rows WHERE dossier_id = ANY(%s) "
            "ORDER BY dossier_id, tbl, n", (ids,))
        for row in cur:
            per = tables[row["dossier_id"]]
            if row["tbl"] in per:
                per[row["tbl"]].append(row["body"])
        return [assemble({**head, **tables[head["id"]]}) for head in heads]

    def corrupt_files(self) -> dict[str, Any]:
        """A database has no unreadable dossier files: always empty."""
        return {}

    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
    ) -> list[IndexEntry]:
        """Matching dossiers, most recently updated first; the same search as the TinyDB
        backend (accents and case ignored, phone digits, every word must match), answered by
        trigram indexes."""
        if status is not None:
            _check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        where: list[sql.Composable] = []
        params: list[Any] = []
        if status is not None:
            where.append(sql.SQL("status = %s"))
            params.append(status)
        with self._db() as conn:
            if agent:
                key = normalize(agent)
                names = [r["agent"] for r in conn.execute(
                    "SELECT DISTINCT agent FROM intake.dossiers WHERE agent IS NOT NULL")
                    if normalize(r["agent"]) == key]
                where.append(sql.SQL("agent = ANY(%s)"))
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
            if search and search.strip():
                query = Query(search)
                if query.digits is not None:
                    where.append(sql.SQL("(search_digits LIKE %s OR search_compact LIKE %s)"))
                    params += [_like(query.digits)] * 2
                else:
                    for word in query.words:
                        where.append(sql.SQL("search_text LIKE %s"))
                        params.append(_like(word))
            condition = sql.SQL(" AND ").join(where) if where else sql.SQL("true")
            return self._entries(conn, condition, params,
                                 sql.SQL("updated_at DESC, id DESC"))

    @staticmethod
    def _entries(conn: psycopg.Connection[Any], condition: sql.Composable, params: list[Any],
                 order: sql.Composable) -> list[IndexEntry]:
        cur = conn.execute(sql.SQL(
            "SELECT id, nom, prenom, telephone, commune, status, agent, created_at, "
            "updated_at, last_contact, type_projet, montant_demande FROM intake.dossiers "
            "WHERE {} ORDER BY {}").format(condition, order), params)
        return [IndexEntry(
            id=r["id"], nom=r["nom"], prenom=r["prenom"], telephone=r["telephone"],
            commune=r["commune"], status=r["status"], agent=r["agent"],
            created_at=r["created_at"], updated_at=r["updated_at"],
            last_contact=r["last_contact"].isoformat(), type_projet=r["type_projet"],
            montant_demande=_number(r["montant_demande"])) for r in cur]

    def reindex(self) -> None:
        """Rebuild the index columns of every dossier from the dossiers themselves."""
        for doc in self.iter_dossiers():
            with self._tx() as conn:
                self._write_index(conn, doc, visible=frozenset(INDEX_SOURCES), grow_only=False)

    # -- writing -------------------------------------------------------------------------------
    @staticmethod
    def _lock_row(conn: psycopg.Connection[Any], dossier_id: str) -> None:
        row = conn.execute("SELECT rev FROM intake.dossiers WHERE id = %s FOR UPDATE",
                           (dossier_id,)).fetchone()
        if row is None:
            raise DossierNotFoundError(dossier_id)

    def _update(self, dossier_id: str, build: Callable[[dict[str, Any]], Change]
                ) -> dict[str, Any]:
        parse_id(dossier_id)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            doc = self._load_in(conn, dossier_id)
            meta, appends = build(doc)
            if not meta and not any(appends.values()):
                return doc
            return self._apply(conn, doc, meta, appends)

    def _apply(self, conn: psycopg.Connection[Any], doc: dict[str, Any], meta: dict[str, Any],
               appends: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        new = dict(doc)
        new.update(meta)
        for name, rows in appends.items():
            if rows:
                new[name] = [*doc.get(name, []), *rows]
        reception = self._reception(conn)
        sets: list[sql.Composable] = []
        params: list[Any] = []
        for key in ("rev", "updated_at", "agent", "status"):
            if key in meta:
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
                params.append(meta[key])
        for key in ("status_history", "questionnaires", "commission"):
            if key in meta:
                sets.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
                params.append(_json(meta[key]))
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
            params += [_json(public_a), _json(unknown)]
            if self._sees_private:
                private_changes["answers"] = private_a
        fields = free_fields(meta)
        if fields:
            if not self._sees_private:
                raise AccessDeniedError(
                    "Votre rôle ne permet pas de modifier l'évaluation sociale du dossier."
                )
            private_changes["fields"] = free_fields(new)
        if sets:
            params.append(doc["id"])
            conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
                sql.SQL(", ").join(sets)), params)
        if private_changes:
            self._write_private(conn, new, private_changes)
        self._write_rows(conn, doc["id"], appends)
        visible = frozenset(k for k, src in INDEX_SOURCES.items()
                            if self._sees_private or src in reception)
        self._write_index(conn, new, visible=visible, grow_only=True)
        return new

    @staticmethod
    def _write_private(conn: psycopg.Connection[Any], doc: dict[str, Any],
                       changes: dict[str, Any]) -> None:
        row: dict[str, Any] = {"answers": {}, "fields": {"evaluation_sociale": None}}
        current = conn.execute(
            "SELECT answers, fields FROM intake.dossier_private WHERE dossier_id = %s",
            (doc["id"],)).fetchone()
        if current is not None:
            row.update(current)
        row.update(changes)
        conn.execute(
            "INSERT INTO intake.dossier_private (dossier_id, answers, fields) "
            "VALUES (%s, %s, %s) ON CONFLICT (dossier_id) DO UPDATE SET "
            "answers = EXCLUDED.answers, fields = EXCLUDED.fields",
            (doc["id"], _json(row["answers"]), _json(row["fields"])))

    @staticmethod
    def _write_rows(conn: psycopg.Connection[Any], dossier_id: str,
                    appends: dict[str, list[dict[str, Any]]]) -> None:
        rows = [(dossier_id, name, _json(body)) for name, bodies in appends.items()
                for body in bodies]
        if rows:
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO intake.dossier_rows (dossier_id, tbl, body) "
                                "VALUES (%s, %s, %s)", rows)

    @staticmethod
    def _write_index(conn: psycopg.Connection[Any], doc: dict[str, Any], *,
                     visible: frozenset[str], grow_only: bool) -> None:
        columns = index_columns(doc, entry_from_document(doc))
        sets: list[sql.Composable] = []
        params: list[Any] = []
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
            params.append(_amount(value) if key == "montant_demande" else value)
        params.append(doc["id"])
        conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
            sql.SQL(", ").join(sets)), params)

    @staticmethod
    def _touch(doc: dict[str, Any], at: str, expected_rev: int | None = None) -> dict[str, Any]:
        rev = int(doc.get("rev") or 0)
        if expected_rev is not None and rev != expected_rev:
            raise ConflictError(
                f"Le dossier {doc['id']} a été modifié sur un autre poste entre-temps ; "
                "rechargez-le avant d'enregistrer."
            )
        return {"updated_at": at, "rev": rev + 1}

    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Create a dossier in status `premier_contact`; committed before returning."""
        moment = local_now(now)
        at = iso(moment)
        answers = dict(answers or {})
        _check_json(answers, "les réponses")
        doc = {
            "id": "", "rev": 1, "created_at": at, "updated_at": at, "created_by": agent,
            "agent": agent, "status": lifecycle.INITIAL_STATUS,
            "status_history": [{"status": lifecycle.INITIAL_STATUS, "at": at, "agent": agent}],
            "questionnaires": [questionnaire] if questionnaire else [],
            "answers": answers, "unknown": [], "events": [],
            "audit": answer_changes({}, [], answers, [], agent=agent, at=at),
            "rencontres": [], "commission": None, "notes": [], "evaluation_sociale": None,
        }
        with self._tx() as conn:
            self._insert(conn, [doc], keep_ids=False)
        return doc

    def _insert(self, conn: psycopg.Connection[Any], docs: list[dict[str, Any]], *,
                keep_ids: bool) -> list[str]:
        """Insert whole documents (numbered here unless `keep_ids`) in the open transaction."""
        reception = self._reception(conn)
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
                index["type_projet"], _amount(index["montant_demande"]), index["last_contact"],
                index["search_text"], index["search_compact"], index["search_digits"]))
            if has_private or self._sees_private:
                privates.append((doc["id"], dumps(private_a), dumps(fields)))
            for name in ROW_TABLES:
                rows += [(doc["id"], name, dumps(body)) for body in doc.get(name) or []]
        try:
            with conn.cursor() as cur:
                if self._bulk_copy and len(docs) > 1:
                    self._copy(cur, heads, privates, rows)
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
        except psycopg.errors.UniqueViolation:
            raise InvalidValueError(
                "Un dossier de même numéro existe déjà dans la base : rien n'a été ajouté."
            ) from None
        return [doc["id"] for doc in docs]

    @staticmethod
    def _copy(cur: psycopg.Cursor[Any], heads: list[tuple[Any, ...]],
              privates: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> None:
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

    def import_dossiers(self, docs: Iterable[dict[str, Any]], *, durable: bool = True,
                        keep_ids: bool = False) -> list[str]:
        """Add complete dossier documents (demo data, `db copy`): numbered here, or with their
        own numbers (`keep_ids`, the year's sequence then continues after them). Each batch of
        documents is one transaction; `durable` is accepted for the contract (a commit is
        always durable)."""
        ids: list[str] = []
        chunk: list[dict[str, Any]] = []

        def flush() -> None:
            if chunk:
                with self._tx() as conn:
                    ids.extend(self._insert(conn, chunk, keep_ids=keep_ids))
                chunk.clear()

        for doc in docs:
            _check_json(doc, "le dossier importé")
            _check_status(doc["status"])
            chunk.append(dict(doc))
            if len(chunk) >= _BATCH:
                flush()
        flush()
        return ids

    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: dict[str, Any],
        unknown: list[str],
        events: list[dict[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> dict[str, Any]:
        """Replace the answers and unknown list, append `events`, audit every changed answer;
        committed before returning. A stale `expected_rev` raises ConflictError, nothing
        written."""
        new_answers, new_unknown = dict(answers), list(dict.fromkeys(unknown))
        _check_json(new_answers, "les réponses")
        _check_json(events, "le journal de l'entretien")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            meta.update(answers=new_answers, unknown=new_unknown)
            if questionnaire and questionnaire not in doc["questionnaires"]:
                meta["questionnaires"] = [*doc["questionnaires"], questionnaire]
            audit = answer_changes(doc["answers"], doc["unknown"], new_answers, new_unknown,
                                   agent=agent, at=at)
            return meta, {"events": [dict(e) for e in events], "audit": audit}

        return self._update(dossier_id, build)

    def save_answer(
        self,
        dossier_id: str,
        answer_id: str,
        value: Any = None,
        *,
        agent: str,
        raw: str | None = None,
        questionnaire: str | None = None,
        unknown: bool = False,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Set one answer (or mark it unknown) on the current state of the dossier, with its
        event and audit row; concurrent callers each keep their own answer."""
        _check_json(value, answer_id)
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at)
            answers = dict(doc["answers"])
            unknowns = [u for u in doc["unknown"] if u != answer_id]
            if unknown:
                answers.pop(answer_id, None)
                unknowns.append(answer_id)
            else:
                answers[answer_id] = value
            meta.update(answers=answers, unknown=unknowns)
            if questionnaire and questionnaire not in doc["questionnaires"]:
                meta["questionnaires"] = [*doc["questionnaires"], questionnaire]
            seq = max((int(e.get("seq") or 0) for e in doc["events"]), default=0) + 1
            event = {"seq": seq, "at": at, "agent": agent, "questionnaire": questionnaire,
                     "type": "unknown" if unknown else "answer", "id": answer_id,
                     "raw": raw, "value": None if unknown else value}
            audit = answer_changes(doc["answers"], doc["unknown"], answers, unknowns,
                                   agent=agent, at=at)
            return meta, {"events": [event], "audit": audit}

        return self._update(dossier_id, build)

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            _check_transition(doc["status"], status)
            change = {"status": status, "at": at, "agent": agent}
            if note:
                change["note"] = note
            meta = self._touch(doc, at)
            meta.update(status=status, status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None,
    ) -> dict[str, Any]:
        day = _check_day(date, "la rencontre")
        if avec not in lifecycle.MEETING_WITH:
            raise InvalidValueError(
                f"Rencontre avec « {avec} » : choisir « demandeur » ou « partenaire »."
            )
        if avec == "partenaire" and not (partenaire or "").strip():
            raise InvalidValueError("Indiquez le nom du partenaire rencontré.")
        at = iso(local_now(now))
        meeting = {"date": day, "avec": avec, "partenaire": partenaire or None, "note": note,
                   "agent": agent, "at": at}
        return self._update(dossier_id, lambda doc: (self._touch(doc, at),
                                                     {"rencontres": [meeting]}))

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
    ) -> dict[str, Any]:
        """Record the commission's decision and move the dossier to that status."""
        day = _check_day(date, "la commission")
        if decision not in lifecycle.DECISIONS:
            raise InvalidValueError(
                f"Décision inconnue : « {decision} » (accorde, refuse ou ajourne)."
            )
        if decision == "accorde" and not (
            isinstance(montant_accorde, int | float) and montant_accorde > 0
        ):
            raise InvalidValueError("Un accord doit indiquer le montant accordé (plus de 0 €).")
        if montant_accorde is not None and not isinstance(montant_accorde, int | float):
            raise InvalidValueError("Le montant accordé doit être un nombre.")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            _check_transition(doc["status"], decision)
            commission = {"date": day, "decision": decision, "montant_accorde": montant_accorde,
                          "conditions": conditions, "agent": agent, "at": at}
            change = {"status": decision, "at": at, "agent": agent}
            meta = self._touch(doc, at)
            meta.update(status=decision, commission=commission,
                        status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None
    ) -> dict[str, Any]:
        if not text.strip():
            raise InvalidValueError("La note est vide.")
        at = iso(local_now(now))
        note = {"at": at, "agent": agent, "text": text}
        return self._update(dossier_id, lambda doc: (self._touch(doc, at), {"notes": [note]}))

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Set free dossier fields (evaluation_sociale, duree_retenue...), audited."""
        forbidden = sorted(set(fields) & _PROTECTED)
        if forbidden:
            raise InvalidValueError(
                f"Champ non modifiable ici : {', '.join(forbidden)} (utiliser l'opération dédiée)."
            )
        _check_json(fields, "les champs du dossier")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            audit = field_changes(doc, fields, agent=agent, at=at)
            if not audit:
                return {}, {}
            meta = self._touch(doc, at)
            meta.update(fields)
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """Hand the dossier to another agent (e.g. reception -> social worker), audited."""
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            audit = field_changes(doc, {"agent": agent_in_charge}, agent=agent, at=at)
            meta = self._touch(doc, at)
            meta["agent"] = agent_in_charge
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    # -- RGPD ----------------------------------------------------------------------------------
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> list[IndexEntry]:
        """Delete dossiers without contact for `inactive_days` (CNIL: 2 years). Dossiers open in
        another session are skipped. Returns what was (or, with dry_run, would be) deleted."""
        cutoff = local_now(now).date() - timedelta(days=inactive_days)
        with self._db() as conn:
            candidates = self._entries(conn, sql.SQL("last_contact < %s"), [cutoff],
                                       sql.SQL("id"))
        if dry_run:
            return candidates
        purged = []
        for entry in candidates:
            with self._tx() as conn:
                try:
                    self._lock_row(conn, entry.id)
                except DossierNotFoundError:
                    continue
                if self._live_lease_elsewhere(conn, entry.id) is not None:
                    continue
                doc = self._load_in(conn, entry.id)
                if lifecycle.last_contact(doc) >= cutoff:
                    continue  # contacted since the list was read
                self._erase(conn, entry.id)
                purged.append(entry)
        return purged

    def forget(self, dossier_id: str) -> None:
        """Erase everything held on one person: the dossier row, its private part, every row
        (answers' events, audit, meetings, notes, accesses) and its lease — in one transaction."""
        parse_id(dossier_id)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            holder = self._live_lease_elsewhere(conn, dossier_id)
            if holder is not None:
                raise DossierLockedError(locked_message(dossier_id, holder))
            self._erase(conn, dossier_id)

    def _erase(self, conn: psycopg.Connection[Any], dossier_id: str) -> None:
        cur = conn.execute("DELETE FROM intake.dossiers WHERE id = %s", (dossier_id,))
        if cur.rowcount != 1:
            raise AccessDeniedError(
                f"Votre rôle ne permet pas d'effacer le dossier {dossier_id} (l'effacement est "
                "réservé au responsable)."
            )
        self._held.pop(dossier_id, None)

    def export(self, dossier_id: str, today: date | None = None) -> dict[str, Any]:
        """All that is held on one person (right of access): the dossier and its derived delays."""
        doc = self.load(dossier_id)
        return {"dossier": doc, "delais": lifecycle.delays(doc, today or local_now().date())}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
