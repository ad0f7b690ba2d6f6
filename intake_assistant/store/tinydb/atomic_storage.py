"""Crash-safe file writes and the TinyDB storage built on them.

A write goes to a temp file in the same folder, is fsynced, then renamed over the target
(`os.replace`, atomic on POSIX) and the folder is fsynced so the rename itself survives a power cut.
A reader therefore sees either the old or the new file, never a torn one. Temp files left by a
killed process are recognised by name (host and pid inside) and removed at start.

On Windows (NTFS): `os.replace` is an atomic MoveFileEx(REPLACE_EXISTING), retried for a moment
while another process (an antivirus, the indexer, a reader) holds the target open; files are
opened in binary mode (O_BINARY: no newline translation); the folder fsync is skipped (Windows
has no directory handles, NTFS journals renames itself) and so are pid checks (`os.kill` would
end the process): leftovers and leases of this host then expire by age, as those of other hosts.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from .json_codec import dumps, loads

FILE_MODE = 0o600
DIR_MODE = 0o700
ORPHAN_MAX_AGE_S = 3600.0  # a temp file of another host older than this is abandoned
_TEMP_PREFIX = ".~"
_TEMP_SUFFIX = ".tmp"
HOST = socket.gethostname().replace("~", "-") or "poste"
WINDOWS = sys.platform == "win32"
PID_CHECKS = not WINDOWS  # whether a pid of this host can be asked if it is alive
O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no text-mode translation of the bytes
REPLACE_RETRY_S = 2.0  # Windows: how long a target held open by another process is waited for


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    if WINDOWS:  # no directory handles; NTFS journals renames itself
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path(target: Path) -> Path:
    # host and pid in the name let a later start tell a dead writer's leftovers from a live write
    token = os.urandom(4).hex()
    return target.parent / f"{_TEMP_PREFIX}{target.name}~{HOST}~{os.getpid()}~{token}{_TEMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    return name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX)


def temp_names_of(names: list[str], target: str) -> list[str]:
    """The temp files among `names` that were meant to replace the file named `target`
    (a prefix test in one comprehension: a folder holds a year of dossiers)."""
    prefix = f"{_TEMP_PREFIX}{target}~"
    return [n for n in names if n.startswith(prefix) and temp_target_name(n) == target]


def temp_target_name(name: str) -> str | None:
    """The name of the file a temp file was meant to replace, or None if not a temp file."""
    if not is_temp_name(name):
        return None
    return name[len(_TEMP_PREFIX):].split("~", 1)[0]


def write_atomic(
    path: Path, data: bytes, *, exclusive: bool = False, durable: bool = True
) -> os.stat_result:
    """Write `data` to `path` atomically; return the stat of the new file.

    `exclusive` refuses to replace an existing file (FileExistsError): used to create dossiers.
    `durable=False` skips both fsyncs; only the benchmark's bulk import uses it.
    """
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, FILE_MODE)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)
    return os.stat(path)


def _link_exclusive(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # fails with FileExistsError instead of overwriting
    except FileExistsError:
        raise
    except OSError:
        # Filesystems without hard links (some network shares): callers hold a lock here.
        if path.exists():
            raise FileExistsError(path) from None
        replace(tmp, path)
        return
    os.unlink(tmp)


def replace(tmp: Path, path: Path) -> None:
    """`os.replace`; on Windows, retried while the target is open elsewhere (sharing violation:
    PermissionError), which POSIX never refuses."""
    deadline = time.monotonic() + REPLACE_RETRY_S
    delay = 0.005
    while True:
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if not WINDOWS or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def pid_alive(pid: int) -> bool:
    if not PID_CHECKS:  # Windows: os.kill would terminate it; assume alive, rely on age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process whose parent has not reaped it yet still answers kill(0): a zombie.
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _is_orphan(entry: os.DirEntry[str], now: float) -> bool:
    parts = entry.name[len(_TEMP_PREFIX):-len(_TEMP_SUFFIX)].split("~")
    try:
        age = now - entry.stat(follow_symlinks=False).st_mtime
    except FileNotFoundError:
        return False
    if len(parts) != 4 or not parts[2].isdigit():
        return age > ORPHAN_MAX_AGE_S
    host, pid = parts[1], int(parts[2])
    if host == HOST and pid != os.getpid() and PID_CHECKS:
        return not pid_alive(pid) or age > 24 * ORPHAN_MAX_AGE_S
    return age > ORPHAN_MAX_AGE_S


def remove_orphan_temps(directory: Path) -> list[Path]:
    """Delete temp files whose writer is gone; return their paths."""
    removed: list[Path] = []
    now = time.time()
    try:
        # Names only, filtered in one comprehension: a year of dossiers is tens of thousands
        # of names, and this runs at every start.
        names = [n for n in os.listdir(directory) if n.startswith(_TEMP_PREFIX)]
    except FileNotFoundError:
        return removed
    if not names:
        return removed
    wanted = set(names)
    with suppress(FileNotFoundError), os.scandir(directory) as listing:
        candidates = [e for e in listing if e.name in wanted]
    for entry in candidates:
        if is_temp_name(entry.name) and _is_orphan(entry, now):
            with suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON written with `write_atomic`.

    Inside `batch()` TinyDB's writes are kept in memory and flushed once, atomically, at the end,
    so a store operation touching several tables costs one durable write and is all-or-nothing.
    """

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        super().__init__()
        self.path = Path(path)
        self.durable = durable
        self.last_stat: os.stat_result | None = None
        self._data: dict[str, Any] | None = None
        self._batching = False
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        if self._data is None:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return None
            data = loads(raw)
            if not isinstance(data, dict):
                raise ValueError("le contenu n'est pas un objet JSON")
            self._data = data
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self._batching:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        assert self._data is not None
        self.last_stat = write_atomic(self.path, dumps(self._data), durable=self.durable)
        self._dirty = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        self._batching = True
        try:
            yield
        except BaseException:
            self._data = None  # drop half-applied changes: the file on disk is untouched
            self._dirty = False
            raise
        finally:
            self._batching = False
        if self._dirty:
            self._flush()

    def close(self) -> None:
        self._data = None
