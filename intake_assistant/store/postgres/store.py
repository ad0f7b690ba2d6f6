"""The PostgreSQL backend: the dossier store for a team on several PCs.

`PostgresStore` is assembled from one part per concern, each in its own module:

- connection.py: the one connection, transactions, database errors made French
- leases.py: dossiers open for editing (rows renewed by a heartbeat)
- reading.py: whole dossiers put back together from their rows
- search.py: listing, searching, counting from the index columns
- writing.py: one change in one transaction (row lock, lease, revision, index columns)
- creation.py: new and imported dossiers, numbered by one sequence per year
- changes.py: answers, status, meetings, decision, notes, free fields, agent in charge
- rows.py: per-dossier row tables
- interviews.py: drafts, interview markers, the export register
- records.py: store-wide records
- roles.py: the connected identity, grants, reception-level answers
- erasure.py: RGPD purge and forget

Concurrency is the engine's: every change is one transaction that first locks the dossier's row,
so two writers of one dossier queue up and neither loses the other's change; writers of
different dossiers never wait for each other. An optimistic revision (`expected_rev`) turns a
save based on a stale read into ConflictError.

psycopg is imported in this package only; `intake_assistant.store.open_store` imports it lazily
for `postgresql://` URLs.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from ..location import ensure_private_dir
from .changes import Changes
from .checks import check_kind
from .connection import AccessDeniedError, Connection
from .creation import Creation
from .erasure import Erasing
from .interviews import Interviews
from .leases import HOST, LEASE_TTL, PostgresLease, locked_message
from .records import Records
from .roles import Roles
from .rows import Rows

__all__ = ["HOST", "LEASE_TTL", "AccessDeniedError", "PostgresLease", "PostgresStore",
           "locked_message"]


class PostgresStore(Changes, Rows, Interviews, Erasing, Creation, Records, Roles):
    """Every dossier of the service in one PostgreSQL database (schema `intake`)."""

    def __init__(self, url: str, *, lock_timeout: float = 10.0, lease_ttl: float = LEASE_TTL,
                 check_schema: bool = True) -> None:
        self._init_leases(lease_ttl)
        Connection.__init__(self, url, lock_timeout=lock_timeout, check_schema=check_schema)

    def derived_dir(self, name: str) -> Path:
        """A private folder on this PC, one per database, for data rebuilt from the dossiers
        (each PC keeps its own statistics cache)."""
        check_kind(name)
        parts = urlsplit(self.url)
        key = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/')}"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
        base = Path(platformdirs.user_cache_dir("intake-assistant", appauthor=False))
        return ensure_private_dir(base / "postgresql" / safe / name)
