"""The store contract suite: every behaviour of `DossierStore`, written once, run on every backend.

ONE fixture, `backend`, is parametrised over the backends (`BACKENDS`), one `Backend` subclass
each. Tests use only the contract (`backend.store`) and the few helpers below, which are the
backend-specific ways to set a scene: another session holding a dossier, a damaged document,
every byte the backend keeps.

The PostgreSQL backend runs on the test server (tests/store/postgres/server.py): one scratch
database for the session, migrated once and emptied before each test. Without a reachable server
its tests are skipped with one line saying how to run them; with CI=true they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from intake_assistant.store import DossierStore, open_store

from ..conftest import NOW, start_child


class Backend:
    """What a backend gives the contract tests (subclass per backend)."""

    name = ""
    store: DossierStore
    # Document keys whose wrong value the backend's own schema refuses on write (write_raw
    # then returns False): such a damage cannot happen there.
    schema_refuses: frozenset[str] = frozenset()

    def reopen(self) -> DossierStore:
        """Another handle on the same store (as a second PC or a restart would open it)."""
        raise NotImplementedError

    @contextmanager
    def held_elsewhere(self, dossier_id: str, agent: str) -> Iterator[None]:
        """The dossier open in another live session (another process or connection)."""
        raise NotImplementedError
        yield

    def kill_session_elsewhere(self, dossier_id: str, agent: str, questionnaire: str) -> None:
        """Another session opened the dossier, marked an interview, saved a draft, then died
        (killed: no close, no end of interview)."""
        raise NotImplementedError

    def write_raw(self, dossier_id: str, document: Any) -> bool:
        """Replace a stored document by `document` as is (valid JSON, maybe the wrong shape),
        going around the store. False when the backend's own schema refuses such a document
        (a database column that cannot be null or must be an integer): nothing was written."""
        raise NotImplementedError

    def all_bytes(self) -> bytes:
        """Everything the backend keeps, to search for traces of an erased person."""
        raise NotImplementedError

    def backup_copy(self) -> str:
        """A copy of the whole store made with the backend's own backup tools, as a restore
        would give it back; its location (for open_store)."""
        raise NotImplementedError


class TinyDBBackend(Backend):
    name = "tinydb"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = open_store(root, lock_timeout=2.0)

    def reopen(self) -> DossierStore:
        return open_store(self.root, lock_timeout=2.0)

    @contextmanager
    def held_elsewhere(self, dossier_id: str, agent: str) -> Iterator[None]:
        child = start_child("session", str(self.root), dossier_id, agent)
        try:
            assert child.stdout is not None and child.stdin is not None
            assert child.stdout.readline().strip() == "OPEN", child.stderr.read()
            yield
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(10)

    def kill_session_elsewhere(self, dossier_id: str, agent: str, questionnaire: str) -> None:
        child = start_child("interview-killed", str(self.root), dossier_id, agent, questionnaire)
        out, err = child.communicate(timeout=30)
        assert out.strip() == "MARKED", err

    def write_raw(self, dossier_id: str, document: Any) -> bool:
        path = self.root / "dossiers" / dossier_id[2:6] / f"{dossier_id}.json"
        if isinstance(document, dict):
            meta = {k: v for k, v in document.items()
                    if k not in ("events", "audit", "rencontres", "notes", "exports", "tables")}
            rows = {name: {str(i): row for i, row in enumerate(document.get(name) or [], 1)}
                    for name in ("events", "audit", "rencontres", "notes", "exports")
                    if isinstance(document.get(name, []), list)}
            for name, table in (document.get("tables") or {}).items():
                rows[f"rows.{name}"] = {str(row.get("id", i)): {k: v for k, v in row.items()
                                                                 if k != "id"}
                                        for i, row in enumerate(table, 1)}
            content: Any = {"dossier": {"1": meta}, **rows}
        else:
            content = document
        path.write_bytes(json.dumps(content).encode())
        return True

    def backup_copy(self) -> str:
        copy = self.root.with_name(self.root.name + "-copie")
        shutil.copytree(self.root, copy)
        return str(copy)

    def all_bytes(self) -> bytes:
        chunks = []
        for folder, _, files in os.walk(self.root):
            for name in files:
                chunks.append((Path(folder) / name).read_bytes())
                chunks.append(name.encode())
        return b"".join(chunks)


class PostgresBackend(Backend):
    """A database of the test server; other sessions are other processes (their own
    connections), as other PCs would be."""

    name = "postgresql"
    schema_refuses = frozenset({"status", "created_at", "rev"})  # NOT NULL text, integer

    def __init__(self, url: str) -> None:
        self.url = url
        self._opened: list[Any] = []
        self._copies: list[str] = []  # databases made by backup_copy, dropped by close
        self.store = self.reopen()

    def reopen(self) -> DossierStore:
        from intake_assistant.store.postgres import PostgresStore

        store = PostgresStore(self.url, lock_timeout=2.0)
        self._opened.append(store)
        return store

    def close(self) -> None:
        from ..postgres import server

        for store in self._opened:
            store.close()
        if self._copies:
            admin = server.connect_admin()
            for name in self._copies:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    @contextmanager
    def held_elsewhere(self, dossier_id: str, agent: str) -> Iterator[None]:
        from ..postgres import server

        child = server.start_child("session", self.url, dossier_id, agent, "120")
        try:
            assert child.stdout is not None and child.stdin is not None
            assert child.stdout.readline().strip() == "OPEN", child.stderr.read()
            yield
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(10)

    def kill_session_elsewhere(self, dossier_id: str, agent: str, questionnaire: str) -> None:
        from ..postgres import server

        child = server.start_child("interview-killed", self.url, dossier_id, agent,
                                   questionnaire)
        out, err = child.communicate(timeout=30)
        marked, _, pid = out.strip().partition(" ")
        assert marked == "MARKED", err
        server.wait_gone(self.url, int(pid))  # the server saw the killed client's connection go

    def write_raw(self, dossier_id: str, document: Any) -> bool:
        """The document's keys written into their tables with plain SQL (as psql would): the
        head keys into their columns of intake.dossiers (every answer in `answers`), the free
        fields into intake.dossier_private, each row list into intake.dossier_rows (a list the
        document lacks leaves no row); not an object: its value in every JSON column."""
        import psycopg
        from psycopg.types.json import Json

        from intake_assistant.store.postgres.documents import (
            META_KEYS,
            OTHER_KEYS,
            ROW_TABLES,
            TABLE_PREFIX,
        )

        json_columns = ("status_history", "questionnaires", "answers", "unknown", "commission")
        with psycopg.connect(self.url, autocommit=True) as conn:
            try:
                with conn.transaction():
                    if not isinstance(document, dict):
                        conn.execute(
                            "UPDATE intake.dossiers SET "
                            + ", ".join(f"{c} = %s" for c in json_columns) + " WHERE id = %s",
                            [Json(document)] * len(json_columns) + [dossier_id])
                        return True
                    for key in META_KEYS:
                        if key != "id" and key in document:
                            value = document[key]
                            conn.execute(f"UPDATE intake.dossiers SET {key} = %s WHERE id = %s",
                                         (Json(value) if key in json_columns else value,
                                          dossier_id))
                    fields = {k: v for k, v in document.items()
                              if k not in (*META_KEYS, *ROW_TABLES, *OTHER_KEYS)}
                    conn.execute(
                        "INSERT INTO intake.dossier_private (dossier_id, answers, fields) "
                        "VALUES (%s, '{}', %s) ON CONFLICT (dossier_id) DO UPDATE SET "
                        "answers = '{}', fields = EXCLUDED.fields", (dossier_id, Json(fields)))
                    conn.execute("DELETE FROM intake.dossier_rows WHERE dossier_id = %s",
                                 (dossier_id,))
                    tables = document.get("tables") or {}
                    rows = [(name, body) for name in ROW_TABLES
                            for body in _as_list(document.get(name))]
                    if isinstance(tables, dict):
                        rows += [(TABLE_PREFIX + name, body) for name, bodies in tables.items()
                                 for body in _as_list(bodies)]
                    for tbl, body in rows:
                        conn.execute("INSERT INTO intake.dossier_rows (dossier_id, tbl, body) "
                                     "VALUES (%s, %s, %s)", (dossier_id, tbl, Json(body)))
                    conn.execute("DELETE FROM intake.drafts WHERE dossier_id = %s",
                                 (dossier_id,))
                    if document.get("draft") is not None:
                        conn.execute("INSERT INTO intake.drafts (dossier_id, draft) "
                                     "VALUES (%s, %s)", (dossier_id, Json(document["draft"])))
            except (psycopg.errors.IntegrityError, psycopg.errors.DataError):
                return False
        return True

    def backup_copy(self) -> str:
        """pg_dump of the database restored by pg_restore into a new database (the backup the
        README recommends)."""
        import subprocess

        from ..postgres import server

        dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
        if dump is None or restore is None:
            pytest.skip("pg_dump ou pg_restore absent : installez le client PostgreSQL "
                        "(postgresql-client)")
        name = server.new_name()
        admin = server.connect_admin()
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        self._copies.append(name)
        target = server.with_database(self.url, name)
        archive = subprocess.run([dump, "--format=custom", self.url], capture_output=True,
                                 timeout=120, check=True).stdout
        subprocess.run([restore, "--no-owner", "--exit-on-error", "--dbname", target],
                       input=archive, capture_output=True, timeout=120, check=True)
        return target

    def all_bytes(self) -> bytes:
        """A pg_dump of the whole database; without pg_dump, every row of every table as
        text."""
        import subprocess

        binary = shutil.which("pg_dump")
        if binary is not None:
            return subprocess.run([binary, "--no-owner", self.url], capture_output=True,
                                  timeout=120, check=True).stdout
        import psycopg

        chunks = []
        with psycopg.connect(self.url, autocommit=True) as conn:
            tables = conn.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname "
                                  "NOT IN ('pg_catalog', 'information_schema')").fetchall()
            for schema, table in tables:
                for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                    chunks.append(row.encode())
        return b"\n".join(chunks)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


BACKENDS = ["tinydb", "tinydb-table", "postgresql"]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated database of the test server for the session (skips without a server)."""
    from ..postgres import server

    with server.scratch_database() as url:
        server.migrate(url)
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    if request.param == "tinydb":
        yield TinyDBBackend(tmp_path / "base")
        return
    if request.param == "tinydb-table":  # searches answered by the in-memory table (the TUI's)
        opened = TinyDBBackend(tmp_path / "base")
        opened.store.prepare_search()  # type: ignore[attr-defined]
        assert opened.store.index.wait_search_table(60)  # type: ignore[attr-defined]
        yield opened
        return
    if request.param == "postgresql":
        from ..postgres import server

        url = request.getfixturevalue("pg_database")
        server.reset(url)
        # derived data of a database lives in the user's cache folder: keep it in the test's
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        opened = PostgresBackend(url)
        try:
            yield opened
        finally:
            opened.close()
        return
    raise AssertionError(request.param)


@pytest.fixture
def store(backend: Backend) -> DossierStore:
    return backend.store


@pytest.fixture
def now() -> datetime:
    return NOW


def traces(backend: Backend, *needles: str) -> list[str]:
    """Which of `needles` can still be found in what the backend keeps (any usual encoding)."""
    data = backend.all_bytes()
    found = []
    for needle in needles:
        for form in (needle.encode("utf-8"), needle.encode("unicode_escape"),
                     json.dumps(needle).encode()[1:-1]):
            if form and form in data:
                found.append(needle)
                break
    return found
