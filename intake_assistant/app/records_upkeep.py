"""Statistics records kept current at save time, off the answer's path.

Every intent that durably changes a dossier (an answer, a status, a decision, a meeting, a note,
an import) calls `dossier_saved` once its save returned. That only notes the dossier id (a lock
and a set: microseconds); a thread of the process refreshes the dossier's statistics record in
the record cache (`reports/cache.refresh_records`: the dossier read again, its record built and
written with its new change token, SQLite synchronous=NORMAL, no fsync per answer), so the next
statistics run finds it current and rebuilds nothing. Saves close together are coalesced: the
thread waits for a short quiet moment (`QUIET_SECONDS`) so that it does not take the processor
while the next question is painted, and refreshes each dossier once.

Nothing here is a save of the person's data: the dossier is on disk before `dossier_saved` is
called. A crash (kill -9, power cut) before the refresh only leaves the old change token in the
cache: that dossier is rebuilt at the next statistics run, as before. At a normal exit the
pending refreshes are written (`flush`, bounded). A read-only store, a store without a record
cache yet, or a cache built from other policy files is left alone (the next run builds it all).
On PostgreSQL the cache is this PC's (`derived_dir`): the saves of other PCs are rebuilt at this
PC's next run.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterable

from intake_assistant.store import DossierStore

QUIET_SECONDS = 0.5  # no save for this long: the pending refreshes are written
LONGEST_WAIT = 3.0  # and never later than this after the first one pending
LARGEST_BATCH = 2000  # an import larger than this is left to the next run (its worker processes)
EXIT_FLUSH_SECONDS = 5.0


def _unguarded(store: DossierStore) -> DossierStore:
    """The store itself: a refresh is no consultation (no access-log entry) and must read the
    whole document (a role's view hides fields the orientation reads)."""
    inner = getattr(store, "inner", None)
    return _unguarded(inner) if inner is not None else store


class RecordsUpkeep:
    """The dossiers saved and not yet refreshed, per store, and the thread that refreshes them."""

    def __init__(self, quiet: float = QUIET_SECONDS, longest: float = LONGEST_WAIT) -> None:
        self.quiet, self.longest = quiet, longest
        self._lock = threading.Condition()
        self._pending: dict[str, tuple[DossierStore, set[str]]] = {}
        self._first = self._last = 0.0
        self._busy = False
        self._flushing = 0
        self._thread: threading.Thread | None = None
        self.written = 0  # records written so far (tests and diagnostics)
        self.failures = 0  # refreshes that failed (the next run rebuilds those dossiers)

    # -- the answer's path ------------------------------------------------------------------------
    def saved(self, store: DossierStore, dossier_ids: Iterable[str]) -> None:
        """Note saved dossiers (cheap; never raises)."""
        ids = set(dossier_ids)
        if not ids:
            return
        store = _unguarded(store)
        if getattr(store, "read_only", False):
            return
        key = getattr(store, "location", None) or str(id(store))
        now = time.monotonic()
        with self._lock:
            _, pending = self._pending.setdefault(key, (store, set()))
            if not self._has_pending():
                self._first = now
            pending |= ids
            self._last = now
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="records-upkeep",
                                                daemon=True)
                self._thread.start()
            self._lock.notify_all()

    # -- waiting on state ----------------------------------------------------------------------
    def flush(self, timeout: float | None = None) -> bool:
        """Write what is pending now and wait until nothing is pending or being written; False
        if `timeout` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._flushing += 1
            self._lock.notify_all()
            try:
                while self._has_pending() or self._busy:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._lock.wait(left)
                return True
            finally:
                self._flushing -= 1

    def pending(self) -> int:
        with self._lock:
            return sum(len(ids) for _, ids in self._pending.values())

    # -- the thread ------------------------------------------------------------------------------
    def _has_pending(self) -> bool:
        return any(ids for _, ids in self._pending.values())

    def _run(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._has_pending():
                        now = time.monotonic()
                        due = min(self._last + self.quiet, self._first + self.longest)
                        if self._flushing or now >= due:
                            break
                        self._lock.wait(due - now)
                    else:
                        self._lock.wait()
                batch = [(store, ids) for store, ids in self._pending.values() if ids]
                self._pending = {}
                self._busy = True
            try:
                for store, ids in batch:
                    self._refresh(store, ids)
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def _refresh(self, store: DossierStore, ids: set[str]) -> None:
        if len(ids) > LARGEST_BATCH:
            return  # a large import: the next statistics run builds them, in worker processes
        try:
            from intake_assistant.orientation.build import default_policy
            from intake_assistant.reports.cache import policy_fingerprint, refresh_records

            policy = default_policy()
            fingerprint = _fingerprints.get(id(policy))
            if fingerprint is None:
                fingerprint = _fingerprints[id(policy)] = policy_fingerprint(policy)
            self.written += refresh_records(store, policy, ids, fingerprint=fingerprint)
        except Exception:  # noqa: BLE001 - only a cache: the next run rebuilds these dossiers
            self.failures += 1


_fingerprints: dict[int, str] = {}
UPKEEP = RecordsUpkeep()


def dossier_saved(store: DossierStore, *dossier_ids: str) -> None:
    """After a durable save of these dossiers: their statistics records will be refreshed."""
    try:
        UPKEEP.saved(store, dossier_ids)
    except Exception:  # noqa: BLE001 - never fail a save that succeeded
        pass


atexit.register(lambda: UPKEEP.flush(EXIT_FLUSH_SECONDS))
