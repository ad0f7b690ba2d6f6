"""The index: one line per dossier (name, status, dates, agent...) for listing and searching.

It is only a cache. A snapshot file plus an append-only journal: each dossier write appends one line
(cheap, constant cost whatever the number of dossiers). Reading never writes (a read-only store
lists, `list` never compacts): when loading found the files stale, or the journal long, the next
write rewrites the snapshot (`compact`). Every entry remembers the signature (inode, size,
mtime, ctime) of the file it was read from, so loading compares it with the dossier files and
re-reads the changed ones: a writer killed between its dossier write and its journal line, a
missing or damaged index, a file restored by hand — all end up rebuilt from the dossier files.
"""

from __future__ import annotations

import heapq
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import CorruptDossierError, DossierLockedError
from ..index_entry import (
    ENTRY_FIELDS,
    IndexEntry,
    Query,
    entry_from_document,
    normalize,
    search_key,
)
from .atomic_storage import O_BINARY, dumps, is_temp_name, write_atomic
from .dossier_file import ID_PATTERN, Signature, parse_document, signature

_FORMAT = 3
_COMPACT_MIN_LINES = 2000
_UNLOADED_COMPACT_BYTES = 8 << 20  # a writer that never listed compacts past this journal size


class Index:
    def __init__(self, index_dir: Path, dossiers_dir: Path, *, lock_timeout: float = 10.0) -> None:
        self.dir = index_dir
        self.dossiers_dir = dossiers_dir
        self.snapshot_path = index_dir / "snapshot.json"
        self.journal_path = index_dir / "journal.jsonl"
        self._lock = FileLock(index_dir / "index.lock", timeout=lock_timeout, mode=0o600)
        self.entries: dict[str, IndexEntry] = {}
        self.sigs: dict[str, Signature] = {}
        self.corrupt: dict[str, Path] = {}
        self._root_id = _identity(dossiers_dir)
        self._snapshot_root: list[int] | None = None
        self.loaded = False
        self.needs_compact = False  # loading found the snapshot stale: the next write rewrites it
        self._keys: dict[str, tuple[str, str]] = {}
        self._token = ""
        self._journal_ino: int | None = None
        self._journal_offset = 0
        self._journal_lines = 0

    # -- writing -------------------------------------------------------------------------------
    def _acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise DossierLockedError(
                "L'index des dossiers est occupé par un autre poste ; réessayez dans un instant."
            ) from None

    def record(self, entry: IndexEntry, sig: Signature) -> None:
        """Append the new state of one dossier (callers hold that dossier's lock, so lines of one
        dossier are in write order)."""
        size = self._append([{"op": "put", "e": _row(entry), "sig": list(sig)}])
        if self.loaded:
            self._put(entry, sig)
        self._compact_if_due(size)

    def remember(self, entry: IndexEntry, sig: Signature) -> None:
        """Keep an entry in memory only (its journal line could not be written): the files are
        then stale, so the next load checks them and the next write rewrites the snapshot."""
        if self.loaded:
            self._put(entry, sig)
        self.needs_compact = True

    def record_many(self, items: Iterable[tuple[IndexEntry, Signature]]) -> None:
        rows = [{"op": "put", "e": _row(e), "sig": list(s)} for e, s in items]
        self._compact_if_due(self._append(rows))

    def _compact_if_due(self, journal_size: int) -> None:
        """Writers keep the index small: compaction happens here, never on a read."""
        if self.loaded:
            too_long = self._journal_lines > max(_COMPACT_MIN_LINES, len(self.entries) // 5)
            if self.needs_compact or too_long:
                self.compact()
        elif journal_size > _UNLOADED_COMPACT_BYTES:
            self.load()
            self.compact()

    def _append(self, rows: list[dict[str, Any]]) -> int:
        """Append journal lines; the journal's size after them."""
        if not rows:
            return 0
        # A leading newline isolates any torn line left by a killed writer.
        data = b"".join(b"\n" + dumps(row) + b"\n" for row in rows)
        self._acquire()
        try:
            if not self.journal_path.exists():
                self._write_journal_header(self._current_snapshot_token())
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | O_BINARY,
                         0o600)
            try:
                os.write(fd, data)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
        finally:
            self._lock.release()
        if self.loaded:
            self._journal_lines += len(rows)
        return size

    def _current_snapshot_token(self) -> str:
        try:
            head = json.loads(self.snapshot_path.read_bytes())
            return str(head.get("token", ""))
        except (OSError, ValueError, AttributeError):
            return ""

    def _write_journal_header(self, token: str) -> os.stat_result:
        return write_atomic(self.journal_path, dumps({"journal": token}) + b"\n")

    def _put(self, entry: IndexEntry, sig: Signature) -> None:
        self.entries[entry.id] = entry
        self.sigs[entry.id] = sig
        self._keys.pop(entry.id, None)
        self.corrupt.pop(entry.id, None)

    def _drop(self, dossier_id: str) -> None:
        self.entries.pop(dossier_id, None)
        self.sigs.pop(dossier_id, None)
        self._keys.pop(dossier_id, None)

    def forget_entry(self, dossier_id: str) -> None:
        """Drop an entry from memory (its file was just erased); `compact()` then rewrites the
        files without it."""
        self._drop(dossier_id)
        self.corrupt.pop(dossier_id, None)

    # -- reading -------------------------------------------------------------------------------
    def load(self, *, verify: bool = True) -> None:
        """Read snapshot + journal and check them against the dossier files. Writes nothing:
        a stale snapshot is only flagged (`needs_compact`) for the next write."""
        # No lock: both files are only ever replaced whole or appended to. A snapshot and a
        # journal read across a compaction do not match (tokens): then the files are checked.
        snapshot = self._read_bytes(self.snapshot_path)
        journal, journal_ino = self._read_journal()
        self.entries, self.sigs, self._keys = {}, {}, {}
        stale = not self._apply_snapshot(snapshot)
        if not self._apply_journal(journal, header_expected=True):
            stale = True
        self._journal_ino = journal_ino
        self._journal_offset = journal.rfind(b"\n") + 1
        self.loaded = True
        changed = self.verify() if verify or stale else False
        too_long = self._journal_lines > max(_COMPACT_MIN_LINES, len(self.entries) // 5)
        self.needs_compact = self.needs_compact or stale or changed or too_long

    @staticmethod
    def _read_bytes(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def _read_journal(self) -> tuple[bytes, int | None]:
        try:
            fd = os.open(self.journal_path, os.O_RDONLY | O_BINARY)
        except FileNotFoundError:
            return b"", None
        try:
            ino = os.fstat(fd).st_ino
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks), ino
        finally:
            os.close(fd)

    def _apply_snapshot(self, raw: bytes | None) -> bool:
        """Load the snapshot; False when missing or unreadable (then everything is rebuilt)."""
        if raw is None:
            self._token = ""
            return False
        try:
            data = json.loads(raw)
            if data.get("format") != _FORMAT or data.get("fields") != list(ENTRY_FIELDS):
                return False
            self._token = str(data["token"])
            root = data.get("root")
            self._snapshot_root = [int(x) for x in root] if root else None
            for row in data["entries"]:
                entry = _entry(row[:-1])
                self.entries[entry.id] = entry
                self.sigs[entry.id] = tuple(row[-1])
        except (ValueError, KeyError, TypeError, AttributeError):
            self.entries, self.sigs, self._token = {}, {}, ""
            return False
        return True

    def _apply_journal(self, raw: bytes, *, header_expected: bool) -> bool:
        """Apply journal lines; False if the journal belongs to another snapshot (then ignored)."""
        lines = raw[: raw.rfind(b"\n") + 1].split(b"\n") if raw else []
        if header_expected:
            self._journal_lines = 0
            if not lines:
                return True
            try:
                header = json.loads(lines[0])
            except ValueError:
                return False
            if not isinstance(header, dict) or header.get("journal") != self._token:
                return False  # left by an interrupted compaction: the snapshot is newer
            lines = lines[1:]
        for line in lines:
            if not line:
                continue
            self._journal_lines += 1
            try:
                row = json.loads(line)
                if row["op"] == "put":
                    self._put(_entry(row["e"]), tuple(row["sig"]))
                elif row["op"] == "del":
                    self._drop(row["id"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn line: verify() re-reads whatever it described
        return True

    def refresh(self) -> None:
        """Catch up with writes of other processes (journal tail), or reload after a compaction."""
        if not self.loaded:
            self.load()
            return
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            self.load(verify=False)
            return
        if st.st_ino != self._journal_ino or st.st_size < self._journal_offset:
            self.load(verify=False)
            return
        if st.st_size == self._journal_offset:
            return
        with open(self.journal_path, "rb") as handle:
            handle.seek(self._journal_offset)
            tail = handle.read()
        complete = tail.rfind(b"\n") + 1
        self._apply_journal(tail[:complete], header_expected=False)
        self._journal_offset += complete

    def scan_files(self) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
        """(id, path, dir entry) of every dossier file, in id order (str paths: 50,000 Path
        objects would cost more than the scan itself)."""
        for year in self._years():
            yield from self._scan_year(year)

    def _years(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.dossiers_dir) if e.name.isdigit())
        except FileNotFoundError:
            return []

    def _scan_year(self, year: str) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
        try:
            listing = sorted(os.scandir(self.dossiers_dir / year), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in listing:
            name = entry.name
            if is_temp_name(name) or not name.endswith(".json"):
                continue
            dossier_id = name[:-5]
            if ID_PATTERN.match(dossier_id):
                yield dossier_id, entry.path, entry

    def verify(self) -> bool:
        """Check entries against the dossier files, re-read changed ones; True if any changed.

        In a copied or restored store (another folder: every inode differs) a file whose size and
        modification time are those recorded is not re-read: a copy that keeps times (`cp -a`,
        rsync, backup tools) costs a stat per file, not a read of every dossier."""
        changed = False
        seen: set[str] = set()
        moved = self._snapshot_root is not None and self._snapshot_root != self._root_id
        for year in self._years():
            for dossier_id, path, dir_entry in self._scan_year(year):
                seen.add(dossier_id)
                try:
                    sig = signature(dir_entry.stat())
                except FileNotFoundError:
                    continue
                known = self.sigs.get(dossier_id)
                if known == sig and dossier_id not in self.corrupt:
                    continue
                if moved and known is not None and tuple(known[1:3]) == sig[1:3] \
                        and dossier_id not in self.corrupt:
                    self.sigs[dossier_id] = sig  # the same bytes in a copied store
                    changed = True
                    continue
                changed = True
                self._reread(dossier_id, Path(path))
        for dossier_id in [i for i in self.entries if i not in seen]:
            self._drop(dossier_id)
            changed = True
        for dossier_id in [i for i in self.corrupt if i not in seen]:
            del self.corrupt[dossier_id]
        self._snapshot_root = self._root_id
        return changed

    def _reread(self, dossier_id: str, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY | O_BINARY)
        except FileNotFoundError:
            self._drop(dossier_id)
            return
        try:
            sig = signature(os.fstat(fd))  # the signature of exactly the bytes read
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(fd)
        try:
            doc = parse_document(b"".join(chunks), path)
            entry = entry_from_document(doc)
        except (CorruptDossierError, KeyError, TypeError, ValueError):
            self._drop(dossier_id)
            self.corrupt[dossier_id] = path
            return
        self._put(entry, sig)

    def compact(self) -> None:
        """Rewrite the snapshot from memory and start an empty journal (also erases forgotten
        people from the index files)."""
        self._acquire()
        try:
            journal, ino = self._read_journal()
            if ino != self._journal_ino:  # created or replaced since we read it
                self._apply_journal(journal, header_expected=True)
            elif len(journal) > self._journal_offset:
                tail = journal[self._journal_offset:]
                self._apply_journal(tail[: tail.rfind(b"\n") + 1], header_expected=False)
            token = secrets.token_hex(8)
            rows = [[*_row(e), list(self.sigs[i])] for i, e in sorted(self.entries.items())]
            snapshot = {"format": _FORMAT, "token": token, "fields": list(ENTRY_FIELDS),
                        "root": self._root_id, "entries": rows}
            write_atomic(self.snapshot_path, dumps(snapshot))
            st = self._write_journal_header(token)
            self._token = token
            self._journal_ino = st.st_ino
            self._journal_offset = st.st_size
            self._journal_lines = 0
            self.needs_compact = False
        finally:
            self._lock.release()

    # -- querying ------------------------------------------------------------------------------
    def key(self, entry: IndexEntry) -> tuple[str, str]:
        key = self._keys.get(entry.id)
        if key is None:
            key = self._keys[entry.id] = search_key(entry)
        return key

    def select(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
        limit: int | None = None,
    ) -> list[IndexEntry]:
        query = Query(search) if search and search.strip() else None
        agent_key = normalize(agent) if agent else None
        low = date_from.isoformat() if date_from else None
        high = date_to.isoformat() if date_to else None
        found = []
        for entry in self.entries.values():
            if status is not None and entry.status != status:
                continue
            if agent_key is not None and normalize(entry.agent or "") != agent_key:
                continue
            if low or high:
                day = str(getattr(entry, date_field))[:10]
                if (low and day < low) or (high and day > high):
                    continue
            if query is not None and not query.matches(self.key(entry)):
                continue
            found.append(entry)
        order = _recent_first
        if limit is not None and limit < len(found):
            return heapq.nlargest(limit, found, key=order)  # no full sort to show 300 rows
        found.sort(key=order, reverse=True)
        return found


def _identity(folder: Path) -> list[int]:
    """Which folder this is (device, inode): another one after a copy or a restore."""
    try:
        st = os.stat(folder)
    except OSError:
        return [0, 0]
    return [st.st_dev, st.st_ino]


def _recent_first(entry: IndexEntry) -> tuple[str, str]:
    return entry.updated_at, entry.id


def _row(entry: IndexEntry) -> list[Any]:
    """An entry as a JSON row (field order of ENTRY_FIELDS) without a deep copy."""
    return [getattr(entry, name) for name in ENTRY_FIELDS]


def _entry(row: list[Any]) -> IndexEntry:
    if len(row) != len(ENTRY_FIELDS):
        raise ValueError("index row of another format")
    return IndexEntry(*row)
