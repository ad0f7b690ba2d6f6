"""The embedded default backend: one atomic TinyDB file per dossier, a rebuildable index, file locks
and leases. TinyDB is imported nowhere else in the project."""

from .store import TinyDBLease, TinyDBStore

__all__ = ["TinyDBLease", "TinyDBStore"]
