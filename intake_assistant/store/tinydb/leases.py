"""Session leases: which agent, on which computer, has a dossier open.

A lease is a small file (pid, host, agent, since). It tells a second agent that the dossier is being
edited elsewhere; the short per-dossier write lock, not the lease, is what keeps writes from being
lost. A lease whose process is dead on this computer is taken over; a lease from another computer is
trusted until it has not been renewed for LEASE_TTL.
"""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from intake_assistant.core.timeutil import iso, local_now

from ..errors import DossierLockedError
from .atomic_storage import HOST, PID_CHECKS, pid_alive, write_atomic
from .json_codec import dumps, loads

LEASE_TTL = timedelta(hours=12)


def _process_start(pid: int) -> str | None:
    """Start time of a process (Linux), so that a reused pid is not taken for the lease owner."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


_OWN_START = _process_start(os.getpid())


def locked_message(dossier_id: str, lease: dict[str, Any]) -> str:
    since = str(lease.get("since", ""))
    try:
        hour = datetime.fromisoformat(since).astimezone().strftime("%H:%M")
    except ValueError:
        hour = "?"
    return (
        f"Le dossier {dossier_id} est ouvert par {lease.get('agent') or 'un autre agent'} "
        f"sur {lease.get('host') or 'un autre poste'} depuis {hour}."
    )


class Leases:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def path(self, dossier_id: str) -> Path:
        return self.dir / f"{dossier_id}.json"

    def read(self, dossier_id: str) -> dict[str, Any] | None:
        try:
            lease = loads(self.path(dossier_id).read_bytes())
        except (OSError, ValueError):
            return None  # absent or unreadable: treated as no lease
        return lease if isinstance(lease, dict) else None

    @staticmethod
    def is_ours(lease: dict[str, Any]) -> bool:
        return lease.get("host") == HOST and lease.get("pid") == os.getpid()

    @staticmethod
    def is_live(lease: dict[str, Any], now: datetime) -> bool:
        pid = lease.get("pid")
        # Same host: the process itself says (POSIX); on Windows, the renewal's age, as elsewhere.
        if lease.get("host") == HOST and isinstance(pid, int) and PID_CHECKS:
            if not pid_alive(pid):
                return False
            start = lease.get("start")
            return start is None or _process_start(pid) in (None, start)
        try:
            renewed = datetime.fromisoformat(str(lease.get("renewed") or lease.get("since")))
        except ValueError:
            return False
        return now - renewed < LEASE_TTL

    def holder_elsewhere(
        self, dossier_id: str, now: datetime | None = None
    ) -> dict[str, Any] | None:
        """The live lease of another process, if any."""
        lease = self.read(dossier_id)
        if lease is None or self.is_ours(lease):
            return None
        return lease if self.is_live(lease, local_now(now)) else None

    def acquire(self, dossier_id: str, agent: str, now: datetime | None = None) -> str:
        """Take the lease (callers hold the dossier's write lock); return its token."""
        moment = local_now(now)
        holder = self.holder_elsewhere(dossier_id, moment)
        if holder is not None:
            raise DossierLockedError(locked_message(dossier_id, holder))
        token = os.urandom(8).hex()
        lease = {"pid": os.getpid(), "host": HOST, "agent": agent, "since": iso(moment),
                 "renewed": iso(moment), "start": _OWN_START, "token": token}
        write_atomic(self.path(dossier_id), dumps(lease))
        return token

    def renew(self, dossier_id: str, token: str, now: datetime | None = None) -> None:
        lease = self.read(dossier_id)
        if lease is None or lease.get("token") != token:
            return
        lease["renewed"] = iso(local_now(now))
        write_atomic(self.path(dossier_id), dumps(lease))

    def held_with(self, dossier_id: str, token: str) -> bool:
        """True when `token` is the current lease of this process on the dossier."""
        lease = self.read(dossier_id)
        return lease is not None and lease.get("token") == token and self.is_ours(lease)

    def release(self, dossier_id: str, token: str) -> None:
        lease = self.read(dossier_id)
        if lease is not None and lease.get("token") == token:
            self.remove(dossier_id)

    def remove(self, dossier_id: str) -> None:
        with suppress(FileNotFoundError):
            os.unlink(self.path(dossier_id))
