from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import server


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated database for the session (its URL); tests get it emptied by `pg_url`."""
    with server.scratch_database() as url:
        server.migrate(url)
        yield url


@pytest.fixture
def pg_url(pg_database: str) -> str:
    server.reset(pg_database)
    return pg_database


@pytest.fixture
def store(pg_url: str) -> Iterator[object]:
    from intake_assistant.store.postgres import PostgresStore

    opened = PostgresStore(pg_url, lock_timeout=2.0)
    yield opened
    opened.close()
