"""File locks between processes: filelock's descriptor primitive on a descriptor of our own.

`filelock.FileLock` (4.x) spends ~0.35 ms an acquire and release on fork tracking, path
resolution and its registry — about a tenth of the durable save of an answer, which takes two
such locks' worth of work above the fsync floor. A write here holds its lock for one write and
drops it, in one thread: none of that bookkeeping is needed. `lock_descriptor` /
`unlock_descriptor` are filelock's own cross-platform primitive (flock on POSIX, LockFileEx on
Windows) applied to a descriptor we open and close: ~15 µs.

filelock is imported at the first lock taken: opening the store to list dossiers takes no lock,
and its import (~11 ms) would otherwise sit on the home list's path at every start. A lock not
obtained in time raises `filelock.Timeout`, a `TimeoutError`: callers catch that.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_POLL = 0.02  # seconds between attempts while another process holds the lock
# No lock file through a symbolic link planted in the locks folder (filelock's own rule).
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)


class DescriptorLock:
    """An exclusive lock on one file, for one holder at a time: acquire, then release."""

    def __init__(self, path: Path, *, timeout: float, mode: int = 0o600) -> None:
        self.path = path
        self.timeout = timeout
        self.mode = mode
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        from filelock import Timeout, lock_descriptor

        if self._fd is not None:
            raise RuntimeError(f"verrou déjà pris : {self.path}")
        fd = os.open(self.path, _OPEN_FLAGS, self.mode)
        deadline = time.monotonic() + self.timeout
        try:
            while not lock_descriptor(fd, blocking=False):
                if time.monotonic() >= deadline:
                    raise Timeout(str(self.path))
                time.sleep(_POLL)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        from filelock import unlock_descriptor

        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Unlocked before closing: a child forked meanwhile holds a copy of the descriptor,
            # and a lock only closed would last as long as that copy.
            unlock_descriptor(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> DescriptorLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def file_lock(path: Path, *, timeout: float, mode: int = 0o600) -> DescriptorLock:
    return DescriptorLock(path, timeout=timeout, mode=mode)
