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

import builtins
import getpass
import re
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import platformdirs
import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Json

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now, parse_day

from ..api import (
    Dossier,
    Draft,
    Erasure,
    ExportRecord,
    InterruptedInterview,
    StoredRecord,
)
from ..audit import answer_changes, field_changes, same_value
from ..document import TABLE_NAME, shape_error, with_defaults
from ..errors import (
    ConflictError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
    RecordNotFoundError,
    StoreError,
    StoreUnavailableError,
)
from ..index_entry import IndexEntry, Query, entry_from_document, normalize
from ..location import ensure_private_dir
from .documents import (
    INDEX_SOURCES,
    META_KEYS,
    OTHER_KEYS,
    ROW_TABLES,
    TABLE_PREFIX,
    assemble,
    dumps,
    field_root,
    free_fields,
    index_columns,
    split_answers,
)
from .messages import first_line as _first_line
from .messages import redact
from .schema import check_version, group_roles

HOST = socket.gethostname() or "poste"
LEASE_TTL = 120.0  # seconds a lease lasts without a heartbeat
_ID_PATTERN = r"^D-(\d{4})-(\d{6})$"
_BATCH = 500
# Keys that only dedicated methods may change (they carry history or life-cycle rules).
_PROTECTED = frozenset({*META_KEYS, *ROW_TABLES, *OTHER_KEYS})
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
DRAFT_MAX_CHARS = 10_000

Change = tuple[dict[str, Any], dict[str, builtins.list[dict[str, Any]]]]


class AccessDeniedError(StoreError):
    """The database refused the connected role an operation (grants, row-level security)."""


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
        self.store, self.dossier_id, self.agent, self.token = store, dossier_id, agent, token
        self.closed = False

    def renew(self) -> None:
        self.store._renew([self.token])

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.store._release(self.dossier_id, self.token)

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
            raise StoreUnavailableError(
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
                raise StoreUnavailableError(
                    f"La base PostgreSQL {self._location} ne répond pas : {_first_line(exc)} "
                    "(rien n'a été modifié)."
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

    # -- store-wide records ------------------------------------------------------------------
    def put_record(self, kind: str, record_id: str, doc: Mapping[str, Any], *,
                   dossier_id: str | None = None, expected_rev: int | None = None
                   ) -> StoredRecord:
        _check_kind(kind)
        _check_record_id(record_id)
        body = dict(doc)
        _check_json(body, f"l'enregistrement {kind}")
        if dossier_id is not None:
            parse_id(dossier_id)
        at = iso(local_now())
        with self._tx() as conn:
            if dossier_id is not None:
                self._lock_row(conn, dossier_id)
            current = conn.execute("SELECT rev, dossier_id FROM intake.records WHERE kind = %s "
                                   "AND id = %s FOR UPDATE", (kind, record_id)).fetchone()
            rev = int(current["rev"]) if current else 0
            if expected_rev is not None and expected_rev != rev:
                raise ConflictError(_record_conflict(kind, record_id, rev, expected_rev))
            if current is None:
                try:
                    with conn.transaction():
                        conn.execute(
                            "INSERT INTO intake.records (kind, id, rev, updated_at, dossier_id, "
                            "doc) VALUES (%s, %s, 1, %s, %s, %s)",
                            (kind, record_id, at, dossier_id, _json(body)))
                except psycopg.errors.UniqueViolation:  # created meanwhile by another session
                    raise ConflictError(_record_conflict(kind, record_id, 1, 0)) from None
            else:
                conn.execute("UPDATE intake.records SET rev = rev + 1, updated_at = %s, "
                             "dossier_id = %s, doc = %s WHERE kind = %s AND id = %s",
                             (at, dossier_id, _json(body), kind, record_id))
        return {"kind": kind, "id": record_id, "rev": rev + 1, "updated_at": at,
                "dossier_id": dossier_id, "doc": body}

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        _check_kind(kind)
        _check_record_id(record_id)
        with self._db() as conn:
            row = conn.execute("SELECT kind, id, rev, updated_at, dossier_id, doc "
                               "FROM intake.records WHERE kind = %s AND id = %s",
                               (kind, record_id)).fetchone()
        return cast("StoredRecord | None", dict(row) if row else None)

    def list_records(self, kind: str | None = None, *, dossier_id: str | None = None
                     ) -> builtins.list[StoredRecord]:
        where: builtins.list[sql.Composable] = [sql.SQL("true")]
        params: builtins.list[Any] = []
        if kind is not None:
            _check_kind(kind)
            where.append(sql.SQL("kind = %s"))
            params.append(kind)
        if dossier_id is not None:
            parse_id(dossier_id)
            where.append(sql.SQL("dossier_id = %s"))
            params.append(dossier_id)
        with self._db() as conn:
            rows = conn.execute(sql.SQL(
                "SELECT kind, id, rev, updated_at, dossier_id, doc FROM intake.records "
                "WHERE {} ORDER BY kind, id").format(sql.SQL(" AND ").join(where)),
                params).fetchall()
        return [cast(StoredRecord, dict(r)) for r in rows]

    def delete_record(self, kind: str, record_id: str, *, expected_rev: int | None = None
                      ) -> None:
        _check_kind(kind)
        _check_record_id(record_id)
        with self._tx() as conn:
            current = conn.execute("SELECT rev FROM intake.records WHERE kind = %s AND id = %s "
                                   "FOR UPDATE", (kind, record_id)).fetchone()
            if current is None:
                raise RecordNotFoundError(
                    f"L'enregistrement {kind} « {record_id} » n'existe pas.")
            if expected_rev is not None and expected_rev != current["rev"]:
                raise ConflictError(_record_conflict(kind, record_id, current["rev"],
                                                     expected_rev))
            conn.execute("DELETE FROM intake.records WHERE kind = %s AND id = %s",
                         (kind, record_id))

    # -- the agents' database rights -----------------------------------------------------------
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
                "SELECT agent, host, since, token = ANY(%s) AS ours, "
                "intake.lease_is_live(expires_at, backend_pid) AS live "
                "FROM intake.leases WHERE dossier_id = %s",
                (list(self._held.values()), dossier_id)).fetchone()
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
                "SELECT agent, host, since, renewed FROM intake.leases "
                "WHERE dossier_id = %s AND intake.lease_is_live(expires_at, backend_pid) "
                "AND NOT token = ANY(%s)", (dossier_id, list(self._held.values()))).fetchone()
        if row is None:
            return None
        return {"agent": row["agent"], "host": row["host"],
                "since": iso(row["since"].astimezone()),
                "renewed": row["renewed"].astimezone().isoformat(timespec="milliseconds")}

    def _live_lease_elsewhere(self, conn: psycopg.Connection[Any], dossier_id: str
                              ) -> dict[str, Any] | None:
        """The live lease of another session (not one this store object holds)."""
        return conn.execute(
            "SELECT agent, host, since FROM intake.leases WHERE dossier_id = %s "
            "AND intake.lease_is_live(expires_at, backend_pid) "
            "AND NOT token = ANY(%s)", (dossier_id, list(self._held.values()))).fetchone()

    def _renew(self, tokens: builtins.list[str]) -> None:
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
        return assemble(row)

    def load(self, dossier_id: str) -> Dossier:
        parse_id(dossier_id)
        with self._db() as conn:
            return cast(Dossier, self._load_in(conn, dossier_id))

    def iter_dossiers(self) -> Iterator[Dossier]:
        """Every dossier, in id order (read in batches, each batch one consistent snapshot)."""
        last = ""
        while True:
            with self._db() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                batch = self._batch(conn, last)
            if not batch:
                return
            yield from (cast(Dossier, doc) for doc in batch)
            last = batch[-1]["id"]

    def _batch(self, conn: psycopg.Connection[Any], after: str) -> builtins.list[dict[str, Any]]:
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
        return [assemble({**head, **parts[head["id"]]}) for head in heads]

    def corrupt_files(self) -> dict[str, str]:
        """A database holds no unreadable dossier file: always empty."""
        return {}

    def versions(self) -> dict[str, str]:
        with self._db() as conn:
            return {r["id"]: f"{r['rev']}:{r['updated_at']}" for r in conn.execute(
                "SELECT id, rev, updated_at FROM intake.dossiers")}

    def count(self, *, status: str | None = None) -> int:
        if status is not None:
            _check_status(status)
        with self._db() as conn:
            row = conn.execute("SELECT count(*) AS n FROM intake.dossiers WHERE "
                               "(%s::text IS NULL OR status = %s)", (status, status)).fetchone()
        return int(row["n"]) if row else 0

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
            _check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        where: builtins.list[sql.Composable] = []
        params: builtins.list[Any] = []
        if status is not None:
            where.append(sql.SQL("status = %s"))
            params.append(status)
        with self._db() as conn:
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
            order: sql.Composable = sql.SQL("updated_at DESC, id DESC")
            if limit is not None:
                order = sql.SQL("{} LIMIT {}").format(order, sql.Literal(max(int(limit), 0)))
            return self._entries(conn, condition, params, order)

    @staticmethod
    def _entries(conn: psycopg.Connection[Any], condition: sql.Composable,
                 params: builtins.list[Any],
                 order: sql.Composable) -> builtins.list[IndexEntry]:
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
            montant_demande=_number(r["montant_demande"]), rev=r["rev"],
            interview_agent=r["interview_agent"]) for r in cur]

    def reindex(self) -> None:
        """Rebuild the index columns of every dossier from the dossiers themselves."""
        for doc in self.iter_dossiers():
            with self._tx() as conn:
                self._write_index(conn, dict(doc), visible=frozenset(INDEX_SOURCES),
                                  grow_only=False)

    # -- writing -------------------------------------------------------------------------------
    @staticmethod
    def _lock_row(conn: psycopg.Connection[Any], dossier_id: str) -> None:
        row = conn.execute("SELECT rev FROM intake.dossiers WHERE id = %s FOR UPDATE",
                           (dossier_id,)).fetchone()
        if row is None:
            raise DossierNotFoundError(dossier_id)

    def _update(self, dossier_id: str, build: Callable[[dict[str, Any]], Change], *,
                lease_free: bool = True) -> Dossier:
        """One change in one transaction, the dossier's row locked. `lease_free`: refused while
        another live session has the dossier open (content); False for what a reader or the
        lease holder may always do (export register)."""
        parse_id(dossier_id)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            if lease_free:
                self._refuse_if_open_elsewhere(conn, dossier_id)
            doc = self._load_in(conn, dossier_id)
            meta, appends = build(doc)
            if not meta and not any(appends.values()):
                return cast(Dossier, doc)
            return cast(Dossier, self._apply(conn, doc, meta, appends))

    def _refuse_if_open_elsewhere(self, conn: psycopg.Connection[Any], dossier_id: str) -> None:
        holder = self._live_lease_elsewhere(conn, dossier_id)
        if holder is not None:
            raise DossierLockedError(locked_message(dossier_id, holder) + " Attendez qu'il soit "
                                     "refermé : rien n'a été modifié.")

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
        reception = self._reception(conn)
        sets: builtins.list[sql.Composable] = []
        params: builtins.list[Any] = []
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
        visible = frozenset(k for k, src in INDEX_SOURCES.items()
                            if self._sees_private or src in reception)
        index_sets, index_params = self._index_sets(new, visible=visible, grow_only=True)
        params += index_params
        params.append(doc["id"])
        conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
            sql.SQL(", ").join([*sets, *index_sets])), params)
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
            (doc["id"], _json(row["answers"]), _json(row["fields"])))

    @staticmethod
    def _write_rows(conn: psycopg.Connection[Any], dossier_id: str,
                    appends: dict[str, builtins.list[dict[str, Any]]]) -> None:
        rows = [(dossier_id, name, _json(body)) for name, bodies in appends.items()
                for body in bodies]
        if rows:
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO intake.dossier_rows (dossier_id, tbl, body) "
                                "VALUES (%s, %s, %s)", rows)

    def _write_index(self, conn: psycopg.Connection[Any], doc: dict[str, Any], *,
                     visible: frozenset[str], grow_only: bool) -> None:
        sets, params = self._index_sets(doc, visible=visible, grow_only=grow_only)
        conn.execute(sql.SQL("UPDATE intake.dossiers SET {} WHERE id = %s").format(
            sql.SQL(", ").join(sets)), [*params, doc["id"]])

    @staticmethod
    def _index_sets(doc: dict[str, Any], *, visible: frozenset[str], grow_only: bool
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
            params.append(_amount(value) if key == "montant_demande" else value)
        return sets, params

    @staticmethod
    def _touch(doc: dict[str, Any], at: str, expected_rev: int | None = None) -> dict[str, Any]:
        rev = int(doc.get("rev") or 0)
        if expected_rev is not None and rev != expected_rev:
            raise ConflictError(
                f"Le dossier {doc['id']} a été modifié sur un autre poste entre-temps "
                f"(version {rev}, attendue {expected_rev}) ; rechargez-le avant d'enregistrer : "
                "rien n'a été écrasé."
            )
        return {"updated_at": at, "rev": rev + 1}

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
        _check_json(answers, "les réponses")
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

    def _insert(self, conn: psycopg.Connection[Any], docs: builtins.list[dict[str, Any]], *,
                keep_ids: bool) -> builtins.list[str]:
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
                index["type_projet"], _amount(index["montant_demande"]), index["last_contact"],
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

    @staticmethod
    def _copy(cur: psycopg.Cursor[Any], heads: builtins.list[tuple[Any, ...]],
              privates: builtins.list[tuple[Any, ...]],
              rows: builtins.list[tuple[Any, ...]]) -> None:
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
            _check_json(doc, "le dossier importé")
            _check_status(doc["status"])
            chunk.append(doc)
            if len(chunk) >= _BATCH:
                flush()
        flush()
        return ids

    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: dict[str, Any],
        unknown: builtins.list[str],
        events: builtins.list[dict[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
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
    ) -> Dossier:
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
        now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            self._touch(doc, at, expected_rev)
            _check_transition(doc["status"], status)
            meta = self._touch(doc, at, expected_rev)
            change = {"status": status, "at": at, "agent": agent}
            if note:
                change["note"] = note
            meta.update(status=status, status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
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
        return self._update(dossier_id, lambda doc: (self._touch(doc, at, expected_rev),
                                                     {"rencontres": [meeting]}))

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
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
            self._touch(doc, at, expected_rev)
            _check_transition(doc["status"], decision)
            commission = {"date": day, "decision": decision, "montant_accorde": montant_accorde,
                          "conditions": conditions, "agent": agent, "at": at}
            change = {"status": decision, "at": at, "agent": agent}
            meta = self._touch(doc, at, expected_rev)
            meta.update(status=decision, commission=commission,
                        status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        if not text.strip():
            raise InvalidValueError("La note est vide.")
        at = iso(local_now(now))
        note = {"at": at, "agent": agent, "text": text}
        return self._update(dossier_id, lambda doc: (self._touch(doc, at, expected_rev),
                                                     {"notes": [note]}))

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None, **fields: Any,
    ) -> Dossier:
        """Set free dossier fields (evaluation_sociale, duree_retenue...), audited."""
        forbidden = sorted(set(fields) & _PROTECTED)
        if forbidden:
            raise InvalidValueError(
                f"Champ non modifiable ici : {', '.join(forbidden)} (utiliser l'opération dédiée)."
            )
        _check_json(fields, "les champs du dossier")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)  # a stale caller still hears of it
            audit = field_changes(doc, fields, agent=agent, at=at)
            if not audit:
                return {}, {}
            meta.update(fields)
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Hand the dossier to another agent (e.g. reception -> social worker), audited."""
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            audit = field_changes(doc, {"agent": agent_in_charge}, agent=agent, at=at)
            meta["agent"] = agent_in_charge
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    # -- per-dossier row tables -----------------------------------------------------------------
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
        _check_table(table)
        data = [dict(row) for row in rows]
        _check_json(data, f"la table « {table} »")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
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
        _check_table(table)
        updates = dict(changes)
        _check_json(updates, f"la table « {table} »")
        at = iso(local_now(now))
        parse_id(dossier_id)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            self._refuse_if_open_elsewhere(conn, dossier_id)
            doc = self._load_in(conn, dossier_id)
            meta = self._touch(doc, at, expected_rev)
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
                         (_json(stored), dossier_id, TABLE_PREFIX + table, row_id))
            doc["tables"] = {**doc["tables"],
                             table: [stored if r["id"] == row_id else r for r in rows]}
            return cast(Dossier, self._apply(conn, doc, meta, {"audit": audit}))

    # -- drafts and interviews in progress ------------------------------------------------------
    def _holder(self, conn: psycopg.Connection[Any], dossier_id: str, token: str, what: str
                ) -> dict[str, Any]:
        """The lease `token` of this store on the dossier, or DossierLockedError."""
        self._lock_row(conn, dossier_id)
        lease = conn.execute("SELECT agent FROM intake.leases WHERE dossier_id = %s "
                             "AND token = %s", (dossier_id, token)).fetchone()
        if lease is None or self._held.get(dossier_id) != token:
            holder = self._live_lease_elsewhere(conn, dossier_id)
            raise DossierLockedError(
                locked_message(dossier_id, holder) if holder else
                f"Le dossier {dossier_id} n'est plus ouvert par cette session : {what} est "
                "impossible. Rouvrez-le."
            )
        return dict(lease)

    def save_draft(self, dossier_id: str, draft: Draft | None, *, token: str) -> None:
        parse_id(dossier_id)
        if draft is not None:
            path, text = draft.get("path"), draft.get("text")
            if not isinstance(path, str) or not isinstance(text, str):
                raise InvalidValueError("Un brouillon indique la question et le texte saisi.")
            if len(text) > DRAFT_MAX_CHARS:
                raise InvalidValueError(
                    f"Texte saisi trop long ({len(text)} caractères, {DRAFT_MAX_CHARS} au plus)."
                )
            _check_json(text, "le brouillon")
        with self._tx() as conn:
            lease = self._holder(conn, dossier_id, token, "l'enregistrement du texte saisi")
            conn.execute("DELETE FROM intake.drafts WHERE dossier_id = %s", (dossier_id,))
            if draft is not None:
                stored = {"path": draft["path"], "text": draft["text"], "at": iso(local_now()),
                          "agent": str(lease["agent"] or "")}
                conn.execute("INSERT INTO intake.drafts (dossier_id, draft) VALUES (%s, %s)",
                             (dossier_id, _json(stored)))

    def begin_interview(self, dossier_id: str, questionnaire: str, *, token: str) -> None:
        parse_id(dossier_id)
        with self._tx() as conn:
            lease = self._holder(conn, dossier_id, token, "l'ouverture de l'entretien")
            conn.execute("DELETE FROM intake.interviews WHERE dossier_id = %s", (dossier_id,))
            conn.execute("INSERT INTO intake.interviews (dossier_id, questionnaire, agent, host, "
                         "since) VALUES (%s, %s, %s, %s, %s)",
                         (dossier_id, questionnaire, str(lease["agent"] or ""), HOST,
                          iso(local_now())))

    def end_interview(self, dossier_id: str, *, token: str) -> None:
        parse_id(dossier_id)
        with self._tx() as conn:
            self._holder(conn, dossier_id, token, "la fin de l'entretien")
            conn.execute("DELETE FROM intake.interviews WHERE dossier_id = %s", (dossier_id,))
            conn.execute("DELETE FROM intake.drafts WHERE dossier_id = %s", (dossier_id,))

    def interrupted_interviews(self, agent: str) -> builtins.list[InterruptedInterview]:
        with self._db() as conn:
            rows = conn.execute(
                "SELECT i.dossier_id, i.questionnaire, i.agent, i.host, i.since, f.draft "
                "FROM intake.interviews i LEFT JOIN intake.drafts f "
                "ON f.dossier_id = i.dossier_id LEFT JOIN intake.leases l "
                "ON l.dossier_id = i.dossier_id AND "
                "(intake.lease_is_live(l.expires_at, l.backend_pid) OR l.token = ANY(%s)) "
                "WHERE i.agent = %s AND l.dossier_id IS NULL "
                "ORDER BY i.since, i.dossier_id", (list(self._held.values()), agent)).fetchall()
        return [cast(InterruptedInterview, dict(r)) for r in rows]

    # -- export register ----------------------------------------------------------------------
    def register_export(
        self, dossier_id: str, *, path: str | None, fmt: str, agent: str,
        now: datetime | None = None,
    ) -> None:
        row = {"at": iso(local_now(now)), "agent": agent,
               "path": None if path is None else str(path), "format": fmt}
        self._update(dossier_id, lambda doc: ({}, {"exports": [row]}), lease_free=False)

    # -- derived data -----------------------------------------------------------------------
    def derived_dir(self, name: str) -> Path:
        """A private folder on this PC, one per database, for data rebuilt from the dossiers
        (each PC keeps its own statistics cache)."""
        _check_kind(name)
        parts = urlsplit(self.url)
        key = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/')}"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
        base = Path(platformdirs.user_cache_dir("intake-assistant", appauthor=False))
        return ensure_private_dir(base / "postgresql" / safe / name)

    @property
    def read_only(self) -> bool:
        """A standby server, or a role without the right to change dossiers."""
        with self._db() as conn:
            row = conn.execute("SELECT pg_is_in_recovery() OR NOT has_table_privilege("
                               "'intake.dossiers', 'UPDATE') AS ro").fetchone()
        return bool(row and row["ro"])

    # -- RGPD ----------------------------------------------------------------------------------
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> builtins.list[Erasure]:
        """Erase dossiers without contact for `inactive_days` (CNIL: 2 years), in id order;
        those open in another session or contacted since the check are skipped."""
        cutoff = local_now(now).date() - timedelta(days=inactive_days)
        with self._db() as conn:
            candidates = self._entries(conn, sql.SQL("last_contact < %s"), [cutoff],
                                       sql.SQL("id"))
        if dry_run:
            return [Erasure(e.id, e, self._exports_of(e.id)) for e in candidates]
        purged: builtins.list[Erasure] = []
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
                purged.append(Erasure(entry.id, entry, tuple(doc["exports"])))
        return purged

    def _exports_of(self, dossier_id: str) -> tuple[ExportRecord, ...]:
        try:
            return tuple(self.load(dossier_id)["exports"])
        except DossierNotFoundError:
            return ()

    def forget(self, dossier_id: str) -> Erasure:
        """Erase everything held on one person in one transaction: the dossier row, its private
        part, every row (events, audit, meetings, notes, tables, exports register), the draft,
        the interview marker, the attached records and the lease."""
        parse_id(dossier_id)
        with self._tx() as conn:
            self._lock_row(conn, dossier_id)
            holder = self._live_lease_elsewhere(conn, dossier_id)
            if holder is not None:
                raise DossierLockedError(locked_message(dossier_id, holder))
            doc = self._load_in(conn, dossier_id)
            entries = self._entries(conn, sql.SQL("id = %s"), [dossier_id], sql.SQL("id"))
            self._erase(conn, dossier_id)
        return Erasure(dossier_id, entries[0] if entries else None, tuple(doc["exports"]))

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
        return {"dossier": doc, "delais": lifecycle.delays(dict(doc),
                                                           today or local_now().date())}

def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InvalidValueError(
            f"Type d'enregistrement invalide : « {kind} » (lettres minuscules, chiffres et _, "
            "40 caractères au plus)."
        )


def _check_record_id(record_id: str) -> None:
    if not isinstance(record_id, str) or not _RECORD_ID.match(record_id):
        raise InvalidValueError(
            f"Identifiant d'enregistrement invalide : « {record_id} » (lettres, chiffres et "
            "_ . @ -, sans point au début, 100 caractères au plus)."
        )


def _check_table(table: str) -> None:
    if not isinstance(table, str) or not TABLE_NAME.match(table):
        raise InvalidValueError(
            f"Nom de table invalide : « {table} » (lettres minuscules, chiffres et _, "
            "40 caractères au plus, commençant par une lettre)."
        )


def _record_conflict(kind: str, record_id: str, rev: int, expected: int) -> str:
    state = "n'existe pas" if rev == 0 else f"est en version {rev}"
    return (f"L'enregistrement {kind} « {record_id} » {state} (attendu : version {expected}) : "
            "il a été modifié entre-temps, rien n'a été écrasé.")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"



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
