"""The index's search columns in memory, searched with `str.find`: 5–10 ms at 200,000 dossiers
where a scan of the SQLite index takes 20–40 ms (SQLite calls a function per row; `find` runs
through one string in C).

A `Snapshot` is read in a background thread on a connection of its own (~0.5 s at 200,000, in
SQLite with the interpreter lock released; 17 MB kept at 200,000, 4.3 MB at 50,000): one line
per dossier, most recently updated first, in two strings per chunk (the normalised names and
id; the phone digits and the compact text), the ids at a fixed width (D-YYYY-NNNNNN), the
statuses one byte each.

A `SearchTable` keeps it current: every change of the `entries` table (this process's or
another's) appends the dossier id to the `changes` table (SQLite triggers, see index.py); before
a search, the ids changed since the snapshot's sequence number are read with their current rows
and searched in Python, and their lines in the snapshot are skipped. Only ids are logged, never a
name, and a deletion (an erasure) takes its id out of the log and logs an anonymous row: readers
then search SQLite until a new snapshot is built (the erased name leaves their memory with the
old one), as they do after many changes — except for this process's own erasures of dossiers
made after its snapshot (the empty intake erased on leaving it): their lines were in memory
only as changes, dropped at once, and their anonymous rows are known (`erased_here`)."""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from ..index_entry import Query
from .change_log import LOG_KEPT

ID_WIDTH = 13  # D-YYYY-NNNNNN (document.ID_PATTERN)
MAX_HITS = 5000  # a search matching more: counted by SQL (looping over every hit costs more)
REBUILD_AFTER = 2000  # changed dossiers searched in Python beyond which a new snapshot is made

CHUNK = 20000  # rows read by one statement: a read that short never holds a checkpoint long

# The covering columns in recency order (the (updated_at, id) index alone: no sort, so no
# temporary file holding names), folded into strings by SQLite itself: 20,000 rows become five
# values, not 20,000 Python tuples.
_CHUNK = """SELECT group_concat(search_text, char(10)),
                   group_concat(search_digits || ' ' || search_compact, char(10)),
                   group_concat(id, ''), group_concat(status, char(10)),
                   count(*), max(length(id)), min(length(id))
            FROM (SELECT id, status, coalesce(search_text, '') AS search_text,
                         coalesce(search_digits, '') AS search_digits,
                         coalesce(search_compact, '') AS search_compact
                  FROM entries INDEXED BY entries_recent {where}
                  ORDER BY updated_at DESC, id DESC)"""
_EDGE = """SELECT updated_at, id FROM entries INDEXED BY entries_recent {where}
           ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET ?"""


@dataclass(slots=True)
class Chunk:
    """CHUNK lines as read (kept apart: joining them would hold two copies at once)."""

    first: int  # the snapshot's line number of its first line
    text: str  # normalised name, first name, id: one line per dossier, newest first
    text_starts: array[int]  # where each line starts, and the end
    digits: str  # phone digits, a space, the compact text (Query.matches: either)
    digit_starts: array[int]


@dataclass(slots=True)
class Snapshot:
    chunks: list[Chunk]
    ids: str  # ID_WIDTH characters per line
    statuses: bytes  # per line: the index of its status in `codes`
    codes: tuple[str, ...]
    seq: int  # every change of `changes` up to this one is in the snapshot
    epoch: str  # which index file (a new one starts its `changes` again)

    def __len__(self) -> int:
        return len(self.statuses)

    def id(self, line: int) -> str:
        return self.ids[line * ID_WIDTH:(line + 1) * ID_WIDTH]

    def status(self, line: int) -> str:
        return self.codes[self.statuses[line]]


def build_snapshot(path: Path, timeout: float) -> Snapshot | None:
    """A snapshot of the index file at `path`, or None when its ids are not all D-YYYY-NNNNNN.
    Read on a connection of its own (the store's keeps answering meanwhile), CHUNK rows a
    statement: an erasure's checkpoint (`Index.compact`) waits for one of them, not for all.

    The sequence number is read first: a row changed while the chunks are read is logged after
    it, so the table searches its current row instead of whatever a chunk read (a row moved
    from one chunk to another is read twice or not at all: its lines are skipped)."""
    with closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout,
                                 isolation_level=None, check_same_thread=False)) as db:
        db.execute("BEGIN")
        try:
            epoch = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
        finally:
            db.execute("COMMIT")
        if epoch is None:
            return None
        chunks: list[Chunk] = []
        ids: list[str] = []
        codes: dict[str, int] = {}
        statuses = bytearray()
        after: tuple[str, str] | None = None
        while True:
            where = "WHERE (updated_at, id) < (?, ?)" if after else ""
            db.execute("BEGIN")  # the edge and its rows: one read
            try:
                edge = db.execute(_EDGE.format(where=where), (*(after or ()), CHUNK - 1)
                                  ).fetchone()
                upto = f"{where} AND" if where else "WHERE"
                row = db.execute(
                    _CHUNK.format(where=f"{upto} (updated_at, id) >= (?, ?)" if edge else where),
                    (*(after or ()), *(edge or ()))).fetchone()
            finally:
                db.execute("COMMIT")
            text, digit, id_chunk, status, count, longest, shortest = row
            if count:
                if longest != ID_WIDTH or shortest != ID_WIDTH:
                    return None
                chunks.append(Chunk(len(statuses), text + "\n", _starts(text), digit + "\n",
                                    _starts(digit)))
                ids.append(id_chunk)
                for name in status.split("\n"):
                    code = codes.setdefault(name, len(codes))
                    if code > 255:
                        return None  # statuses are a few names
                    statuses.append(code)
            if edge is None:
                break
            after = (str(edge[0]), str(edge[1]))
    return Snapshot(chunks, "".join(ids), bytes(statuses), tuple(codes),
                    int(seq[0]) if seq else 0, str(epoch[0]))


def _starts(lines: str) -> array[int]:
    return array("i", accumulate((len(line) + 1 for line in lines.split("\n")), initial=0))


@dataclass(slots=True)
class Found:
    """What a search matched: every dossier (id, status) when `complete`, else only the first
    ones, newest first in the snapshot's order (then SQL counts them)."""

    base: list[tuple[str, str]]  # snapshot lines, in recency order
    changed: list[tuple[str, str]]  # changed since the snapshot (any order)
    complete: bool


@dataclass(slots=True)
class _Row:
    status: str
    text: str
    digits: str  # digits, a space, compact text: as in the snapshot


@dataclass
class SearchTable:
    snapshot: Snapshot
    seq: int = 0
    changed: dict[str, _Row] = field(default_factory=dict)
    version: object = None  # the index's version this table was brought to (Index decides)
    # Anonymous rows of the log that are this process's erasures of dossiers the snapshot does
    # not hold (their lines were only in `changed`, dropped at once): the empty intake erased
    # on leaving it was one, and made every such leave rebuild the snapshot (~0.5 s at 200,000).
    own_erasures: int = 0

    def __post_init__(self) -> None:
        self.seq = self.snapshot.seq

    @property
    def stale(self) -> bool:
        """A new snapshot should be made (in the background): many changes to search."""
        return len(self.changed) > REBUILD_AFTER

    def refresh(self, db: sqlite3.Connection) -> bool:
        """Read the changes committed since this table's sequence number; False when they
        cannot be known (another index file, changes pruned from the log, a deletion): then
        a new snapshot is needed."""
        epoch = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        if epoch is None or epoch[0] != self.snapshot.epoch:
            return False
        logged = db.execute("SELECT seq, id FROM changes WHERE seq > ? ORDER BY seq",
                            (self.seq,)).fetchall()
        if not logged:
            last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'"
                              ).fetchone()
            return last is None or int(last[0]) <= self.seq  # else pruned from under us
        # Pruning takes the oldest rows: none after ours while the log has grown by less than
        # it keeps (an erasure also takes its id's rows out: gaps that lose nothing).
        if int(logged[-1][0]) - self.seq >= LOG_KEPT // 2:
            return False  # pruned (or a reindex: a new snapshot is cheaper than the delta)
        anonymous = sum(1 for r in logged if not r[1])
        if anonymous > self.own_erasures:
            return False  # another process's erasure: which dossier is not said
        self.own_erasures -= anonymous
        ids = sorted({str(r[1]) for r in logged if r[1]})
        rows: dict[str, _Row] = {}
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            rows.update((str(r[0]), _Row(str(r[1]), r[2] or "", f"{r[3] or ''} {r[4] or ''}"))
                        for r in db.execute(
                            "SELECT id, status, search_text, search_digits, search_compact "
                            f"FROM entries WHERE id IN ({','.join('?' for _ in part)})", part))
        if len(rows) != len(ids):
            return False  # deleted meanwhile
        self.changed.update(rows)
        self.seq = int(logged[-1][0])
        return True

    def erased_here(self, dossier_id: str) -> None:
        """This process has just erased `dossier_id` (its deletion logged an anonymous row). A
        dossier the snapshot does not hold leaves memory now, and its anonymous row is known;
        one the snapshot holds makes the next refresh ask for a new snapshot, as any erasure."""
        if self.snapshot.ids.find(dossier_id) >= 0:
            return
        self.changed.pop(dossier_id, None)
        self.own_erasures += 1

    def search(self, query: Query) -> Found:
        """The dossiers `query` matches (Query.matches on the index's search columns); when
        more than MAX_HITS lines match, only the first MAX_HITS are given."""
        snap = self.snapshot
        digits = query.digits is not None
        terms = [query.digits] if query.digits is not None else sorted(
            query.words, key=len, reverse=True)  # the longest first: the fewest hits
        wanted = MAX_HITS
        lines: Sequence[int] = range(min(len(snap), wanted + 1))
        if terms:
            lines = []
            for chunk in snap.chunks:
                source, starts = ((chunk.digits, chunk.digit_starts) if digits
                                  else (chunk.text, chunk.text_starts))
                first = chunk.first
                lines += [first + n for n in _scan(source, starts, terms,
                                                   wanted + 1 - len(lines))]
                if len(lines) > wanted:
                    break
        complete = len(lines) <= wanted
        changed = self.changed
        base = [(i, s) for i, s in ((snap.id(n), snap.status(n)) for n in lines[:wanted])
                if i not in changed]
        if query.digits is not None:
            matches = [(i, r.status) for i, r in changed.items() if query.digits in r.digits]
        else:
            matches = [(i, r.status) for i, r in changed.items()
                       if all(w in r.text for w in terms)]
        return Found(base, matches, complete)


def _scan(source: str, starts: array[int], terms: Iterable[str], cap: int) -> list[int]:
    """The lines holding every term (the first one found with `find`, the others checked in
    its line), at most `cap`."""
    word, *rest = terms
    find = source.find
    hits: list[int] = []
    at = 0
    while (at := find(word, at)) >= 0:
        line = bisect_right(starts, at) - 1
        end = starts[line + 1]
        if not rest or all(w in source[starts[line]:end] for w in rest):
            hits.append(line)
            if len(hits) >= cap:
                break
        at = end
    return hits
