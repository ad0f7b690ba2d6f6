"""The PostgreSQL backend (a team on several PCs): schema `intake`, versioned SQL migrations,
row-level security by role. psycopg is imported nowhere else in the project."""

from .schema import SchemaError, latest_version
from .store import AccessDeniedError, PostgresLease, PostgresStore

__all__ = ["AccessDeniedError", "PostgresLease", "PostgresStore", "SchemaError",
           "latest_version"]
