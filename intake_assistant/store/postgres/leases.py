"""Leases: a dossier open for editing is a row of `intake.leases`, renewed by a heartbeat
thread. It ends when it is released, when it expires, or as soon as the server sees its holder's
connection gone (a killed client leaves no stuck lease)."""

from __future__ import annotations

import builtins
import secrets
import socket
import threading
from datetime import datetime
from typing import Any

import psycopg

from intake_assistant.core.timeutil import iso

from ..errors import DossierLockedError, StoreError
from .checks import parse_id
from .connection import Connection, lock_dossier

HOST = socket.gethostname() or "poste"
LEASE_TTL = 120.0  # seconds a lease lasts without a heartbeat


def locked_message(dossier_id: str, lease: dict[str, Any]) -> str:
    since = lease.get("since")
    hour = since.astimezone().strftime("%H:%M") if isinstance(since, datetime) else "?"
    return (
        f"Le dossier {dossier_id} est ouvert par {lease.get('agent') or 'un autre agent'} "
        f"sur {lease.get('host') or 'un autre poste'} depuis {hour}."
    )


class PostgresLease:
    """A dossier open for editing by this store; kept alive by the store's heartbeat."""

    def __init__(self, store: Leases, dossier_id: str, agent: str, token: str) -> None:
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


class Leases(Connection):
    """The leases this store holds, and the others' as the database shows them."""

    def _init_leases(self, lease_ttl: float) -> None:
        self.lease_ttl = lease_ttl
        self._held: dict[str, str] = {}  # dossier id -> token of the leases this store holds
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def close(self) -> None:
        """Release this store's leases and its connection."""
        self._stop.set()
        for dossier_id, token in list(self._held.items()):
            try:
                self._release(dossier_id, token)
            except StoreError:
                pass
        super().close()

    def session(self, dossier_id: str, *, agent: str) -> PostgresLease:
        """Open the dossier for editing; DossierLockedError if it is open on another session."""
        parse_id(dossier_id)
        token = secrets.token_hex(8)
        with self._tx() as conn:
            lock_dossier(conn, dossier_id)
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

    def _refuse_if_open_elsewhere(self, conn: psycopg.Connection[Any], dossier_id: str) -> None:
        holder = self._live_lease_elsewhere(conn, dossier_id)
        if holder is not None:
            raise DossierLockedError(locked_message(dossier_id, holder) + " Attendez qu'il soit "
                                     "refermé : rien n'a été modifié.")

    def _holder(self, conn: psycopg.Connection[Any], dossier_id: str, token: str, what: str
                ) -> dict[str, Any]:
        """The lease `token` of this store on the dossier (its row locked), or
        DossierLockedError."""
        lock_dossier(conn, dossier_id)
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
