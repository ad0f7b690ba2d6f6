"""The PostgreSQL server the tests use: $INTAKE_ASSISTANT_TEST_PG, else the development and CI
server (127.0.0.1:5432, trust authentication, database `test`, user `postgres`).

Each test session creates its own database and roles (`ia_pg_` + a random suffix) and drops them
at the end. Without a reachable server the PostgreSQL tests are skipped with one line saying how to
run them — except in CI (CI=true), where a missing server is an error: the tests must run there.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[3]
ENV = "INTAKE_ASSISTANT_TEST_PG"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PREFIX = "ia_pg_"
NO_SERVER = "pas de serveur PostgreSQL joignable ({url})"
SKIP_REASON = (
    NO_SERVER + " : tests PostgreSQL ignorés ; pour les lancer, démarrez-en un ou donnez son "
    f"adresse dans {ENV}=postgresql://postgres@hôte:5432/test"
)


def admin_url() -> str:
    return os.environ.get(ENV) or DEFAULT_URL


def with_database(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


def connect_admin() -> Any:
    """An autocommit connection to the server as its administrator, or skip (fail in CI)."""
    try:
        import psycopg
    except ImportError:
        missing = "psycopg n'est pas installé (python3 -m pip install -e '.[test]')"
        _unavailable(missing, missing)
    try:
        return psycopg.connect(admin_url(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        _unavailable(SKIP_REASON.format(url=admin_url()), NO_SERVER.format(url=admin_url()))


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _unavailable(skip_reason: str, problem: str) -> None:
    if in_ci():
        pytest.fail(f"CI : {problem} ; les tests PostgreSQL doivent tourner en CI "
                    f"(serveur attendu : {DEFAULT_URL}, ou {ENV})", pytrace=False)
    pytest.skip(skip_reason)


def new_name() -> str:
    return PREFIX + secrets.token_hex(4)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new empty database (its URL), dropped with its group roles and test roles at the end."""
    admin = connect_admin()
    name = new_name()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin_url(), name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        roles = [r[0] for r in admin.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (name + "%",))]
        for role in sorted(roles, key=len, reverse=True):  # members before their groups
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def migrate(url: str) -> None:
    import psycopg

    from intake_assistant.store.postgres.schema import upgrade

    with psycopg.connect(url, autocommit=True) as conn:
        upgrade(conn)


def reset(url: str) -> None:
    """Empty every table and restart the dossier numbers (between tests of one database)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE intake.dossiers, intake.dossier_private, intake.dossier_rows, "
                     "intake.leases, intake.records, intake.interviews, intake.drafts CASCADE")
        for (seq,) in conn.execute("SELECT sequence_name FROM information_schema.sequences "
                                   "WHERE sequence_schema = 'intake' "
                                   "AND sequence_name LIKE 'dossier_seq_%'").fetchall():
            conn.execute(f'DROP SEQUENCE intake."{seq}"')
        conn.execute("UPDATE intake.settings SET value = %s WHERE key = 'reception_fields'",
                     ('["nom", "prenom", "date_naissance", "telephone", "email", '
                      '"commune_residence"]',))


def start_child(*args: str) -> subprocess.Popen[str]:
    """Run tests/store/postgres/child.py in another process (another PC's session, a writer)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "tests.store.postgres.child", *args], env=env,
                            cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def wait_gone(url: str, backend_pid: int, timeout: float = 30) -> None:
    """Wait until the server has seen a killed client's connection go (its process ended)."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                           (backend_pid,)).fetchone():
            assert time.monotonic() < deadline, f"connexion {backend_pid} toujours ouverte"
            time.sleep(0.02)
