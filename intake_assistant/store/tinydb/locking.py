"""File locks between processes (filelock), imported at the first lock taken.

Opening the store to list dossiers takes no lock, and filelock's import (~11 ms) would otherwise
sit on the home list's path at every start. `filelock.Timeout` is a `TimeoutError`: callers
catch that, without importing filelock themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import BaseFileLock


def file_lock(path: Path, *, timeout: float, mode: int = 0o600) -> BaseFileLock:
    from filelock import FileLock

    return FileLock(path, timeout=timeout, mode=mode)
