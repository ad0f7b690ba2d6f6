"""The dossier store: one atomic TinyDB file per dossier, a rebuildable index, per-dossier locks.

Layout under the root folder (0700, files 0600):
    dossiers/<année>/D-<année>-NNNNNN.json   the dossiers (source of truth)
    index/index.sqlite3                       the index (a cache; rebuilt when missing or stale)
    locks/                                    short write locks (one per dossier, one for ids)
    leases/D-….json                           who has a dossier open (sessions)
    sequences/<année>                         last id given out per year
    records/<type>/<id>.json                  store-wide records (put_record)
    attachments/D-…/<type>~<id>               which records are erased with a dossier
    cache/<name>/                             derived data of other modules (derived_dir)
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now, parse_day

from ..api import (
    Dossier,
    Draft,
    Erasure,
    ExportRecord,
    InterruptedInterview,
    LeaseInfo,
    StoredRecord,
)
from ..audit import answer_changes, field_changes, same_value
from ..changes import answer_change, status_change
from ..checks import check_day as _check_day
from ..checks import check_json as _check_json
from ..checks import check_kind
from ..checks import check_status as _check_status
from ..checks import check_table as _check_table
from ..checks import check_transition as _check_transition
from ..document import shape_error, with_defaults
from ..errors import (
    ConflictError,
    CorruptDossierError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidValueError,
    RecordNotFoundError,
    StoreUnavailableError,
)
from ..location import ensure_private_dir, harden_tree, resolve_root
from .atomic_storage import (
    HOST,
    fsync_dir,
    remove_orphan_temps,
    temp_names_of,
    write_atomic,
)
from .dossier_file import (
    ID_PATTERN,
    ROW_TABLES,
    USER_TABLE_PREFIX,
    Change,
    create_file,
    dossier_file_name,
    dossier_path,
    format_id,
    parse_document,
    parse_id,
    read_document,
    update_file,
)
from .faults import writing
from .index import Index, IndexEntry, entry_from_document, signature
from .leases import Leases, locked_message
from .locking import file_lock
from .reading import read_file
from .records import Records

DRAFT_MAX_CHARS = 100_000
_READ_BATCH = 500  # dossiers read in bulk whose index rows are checked in one query
CLEANUP_DELAY_S = 3.0  # orphan temps of dossier folders: removed once the first screen is up
_FOLDERS = ("dossiers", "locks", "sequences", "index", "leases", "records", "attachments",
            "cache")
_HARDENED_MARK = ".private"  # the root's identity when every file was last tightened
_ERASING_MARK = "erasing"  # in index/: an erasure started; its index rewrite may not be done

# Keys that only dedicated methods may change (they carry history or life-cycle rules).
_PROTECTED = frozenset({"id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
                        "status_history", "questionnaires", "answers", "unknown", "commission",
                        "tables", "draft", "interview", *ROW_TABLES})


def _compared(doc: dict[str, Any]) -> dict[str, Any]:
    """What `Index.repair_many` compares of a dossier (its version, its interview marker's
    agent), copied as read: kept for the batch's check instead of the whole document, which
    the caller has had meanwhile (and may have changed)."""
    marker = doc.get("interview")
    return {"rev": doc.get("rev"), "updated_at": doc.get("updated_at"),
            "created_at": doc.get("created_at"),
            "interview": {"agent": marker.get("agent")} if isinstance(marker, dict) else marker}


class TinyDBLease:
    """An open dossier (lease); use as a context manager or call `close()`."""

    def __init__(self, store: TinyDBStore, dossier_id: str, agent: str, token: str) -> None:
        self.store, self.dossier_id, self.agent, self.token = store, dossier_id, agent, token
        self.closed = False

    def renew(self) -> None:
        with writing("le renouvellement de l'ouverture du dossier", self.store.root):
            self.store.leases.renew(self.dossier_id, self.token)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            lease = self.store.leases.read(self.dossier_id)
            if lease is None or lease.get("token") != self.token:
                # Not ours any more (erased with its dossier while held, or taken over): nothing
                # to release, and no lock file made again for an erased dossier.
                return
            with self.store._write_lock(self.dossier_id):
                self.store.leases.release(self.dossier_id, self.token)

    def __enter__(self) -> TinyDBLease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TinyDBStore:
    def __init__(self, root: Path, *, lock_timeout: float = 10.0) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        self.dossiers_dir = root / "dossiers"
        self.locks_dir = root / "locks"
        self.sequences_dir = root / "sequences"
        self.index_dir = root / "index"
        self.cache_dir = root / "cache"
        self._read_only = _read_only(root)
        self.removed_temps: list[Path] = []
        self._mutex = threading.RLock()  # state shared by the process's threads
        self._cleaner: threading.Thread | None = None
        if not self._read_only:
            with writing("l'ouverture de la base", root):
                ensure_private_dir(root, link_allowed=True)
                for name in _FOLDERS:
                    ensure_private_dir(root / name)
                self._harden()
                self._clean_orphans()
        self.leases = Leases(root / "leases")
        self.index = Index(self.index_dir, self.dossiers_dir, lock_timeout=lock_timeout,
                           read_only=self._read_only)
        self.records = Records(root, self.locks_dir, lock_timeout=lock_timeout,
                               ensure_dir=ensure_private_dir)
        self._corrupt_seen: dict[str, Path] = {}
        if not self._read_only and (self.index_dir / _ERASING_MARK).exists():
            self._finish_interrupted_erasure()

    def _finish_interrupted_erasure(self) -> None:
        """A forget or purge was killed before rewriting the index: rewrite it now, so that the
        erased person's line does not stay in the index files."""
        with self._mutex, suppress(OSError, DossierLockedError, sqlite3.Error):
            self.index.verify()  # drops the rows of files erased before the kill
            self.index.compact()
            for name in os.listdir(self.locks_dir):  # lock files named after erased dossiers
                dossier_id = name.removesuffix(".lock")
                if ID_PATTERN.match(dossier_id) and not self._path(dossier_id).exists():
                    with suppress(FileNotFoundError):
                        os.unlink(self.locks_dir / name)
            os.unlink(self.index_dir / _ERASING_MARK)

    @contextmanager
    def _erasing(self) -> Iterator[None]:
        mark = self.index_dir / _ERASING_MARK
        with writing("l'effacement", self.root):
            write_atomic(mark, b"")
        yield
        with suppress(FileNotFoundError):
            os.unlink(mark)

    @classmethod
    def open(cls, db: str | Path | None = None, *, lock_timeout: float = 10.0) -> TinyDBStore:
        """--db > $INTAKE_ASSISTANT_DB > platformdirs user data folder."""
        return cls(resolve_root(db), lock_timeout=lock_timeout)

    @property
    def location(self) -> str:
        return str(self.root)

    @property
    def read_only(self) -> bool:
        return self._read_only

    def _harden(self) -> None:
        """Every folder is tightened at each start (a few); every file only when the root is
        not the one last tightened (first start, a copy or a restore of the store)."""
        for folder in _subfolders(self.dossiers_dir) + _subfolders(self.root / "records"):
            ensure_private_dir(folder)
        st = os.stat(self.root)
        identity = f"{st.st_dev}:{st.st_ino}".encode("ascii")
        mark = self.root / _HARDENED_MARK
        try:
            if mark.read_bytes() == identity:
                return
        except OSError:
            pass
        harden_tree(self.root)
        write_atomic(mark, identity)

    def _writable(self, what: str) -> None:
        if self._read_only:
            raise StoreUnavailableError(
                f"La base {self.root} est en lecture seule : {what} est impossible. La "
                "consultation reste possible ; rien de ce qui était déjà enregistré n'est perdu."
            )

    def _clean_orphans(self) -> list[Path]:
        """Temp files left by killed writers: the small folders now; the dossier folders (a
        listing of every dossier name) in the background, after the first screen."""
        folders = [self.index_dir, self.sequences_dir, self.root / "leases",
                   self.root / "records", self.cache_dir]
        removed = [path for folder in folders for path in remove_orphan_temps(folder)]
        # Started after the small folders' list exists: the thread appends to it (assigning the
        # list after starting it lost what a quick thread had found — seen under load in CI).
        self.removed_temps = removed
        self._cleaner = threading.Thread(target=self._clean_dossier_folders,
                                         name="orphan-temps", daemon=True)
        self._cleaner.start()
        return removed

    def _clean_dossier_folders(self) -> None:
        time.sleep(CLEANUP_DELAY_S)
        with suppress(OSError):
            for year in _subfolders(self.dossiers_dir):
                removed = remove_orphan_temps(year)
                with self._mutex:
                    self.removed_temps += removed

    def wait_cleanup(self, timeout: float | None = None) -> None:
        """Wait for the background removal of orphan temp files (tests, tools)."""
        if self._cleaner is not None:
            self._cleaner.join(timeout)

    # -- locks ---------------------------------------------------------------------------------
    @contextmanager
    def _write_lock(self, dossier_id: str, what: str = "l'enregistrement") -> Iterator[None]:
        parse_id(dossier_id)
        self._writable(what)
        lock = file_lock(
            self.locks_dir / f"{dossier_id}.lock", timeout=self.lock_timeout, mode=0o600
        )
        try:
            with writing(what, self.root):
                lock.acquire()
        except TimeoutError:  # filelock.Timeout
            holder = self.leases.holder_elsewhere(dossier_id)
            message = (
                locked_message(dossier_id, holder) if holder else
                f"Le dossier {dossier_id} est en cours d'enregistrement sur un autre poste ; "
                "réessayez dans un instant."
            )
            raise DossierLockedError(message) from None
        try:
            yield
        finally:
            lock.release()

    def session(self, dossier_id: str, *, agent: str) -> TinyDBLease:
        """Open the dossier for editing; DossierLockedError if another live process has it open."""
        self._path(dossier_id, must_exist=True)
        what = "l'ouverture du dossier"
        with self._write_lock(dossier_id, what), writing(what, self.root):
            token = self.leases.acquire(dossier_id, agent)
        return TinyDBLease(self, dossier_id, agent, token)

    def open_by(self, dossier_id: str) -> LeaseInfo | None:
        """The lease of another live process on this dossier (agent, host, since), if any."""
        return cast("LeaseInfo | None", self.leases.holder_elsewhere(dossier_id))

    def _refuse_if_open_elsewhere(self, dossier_id: str) -> None:
        holder = self.leases.holder_elsewhere(dossier_id)
        if holder is not None:
            raise DossierLockedError(
                locked_message(dossier_id, holder) + " Attendez qu'il soit refermé : rien n'a "
                "été modifié."
            )

    # -- paths and reading ---------------------------------------------------------------------
    def _path(self, dossier_id: str, *, must_exist: bool = False) -> Path:
        path = dossier_path(self.dossiers_dir, dossier_id)
        if must_exist and not path.exists():
            raise DossierNotFoundError(dossier_id)
        return path

    def load(self, dossier_id: str) -> Dossier:
        # Files are only ever replaced whole, so reading needs no lock.
        path = self._path(dossier_id)
        try:
            doc = read_document(path, dossier_id)
        except CorruptDossierError:
            with self._mutex:
                self._corrupt_seen[dossier_id] = path
            with suppress(sqlite3.Error, OSError, DossierLockedError):
                self.index.mark_corrupt(dossier_id, path)  # no longer listed as readable
            raise
        except DossierNotFoundError:
            with suppress(sqlite3.Error, OSError, DossierLockedError):
                self.index.drop(dossier_id)
            raise
        # Lazy verification: a file changed around the store (restored by hand) fixes its row.
        with suppress(OSError, DossierLockedError):  # a busy index never fails a read
            self.index.repair(dossier_id, doc, path)
        return cast(Dossier, doc)

    def iter_dossiers(self) -> Iterator[Dossier]:
        """Every readable dossier, in id order; unreadable ones are listed by `corrupt_files()`."""
        for dossier_id, path, _ in self.index.scan_files():
            try:
                doc = parse_document(read_file(path), Path(path))
            except FileNotFoundError:
                continue  # forgotten meanwhile
            except (CorruptDossierError, OSError):
                with self._mutex:
                    self._corrupt_seen[dossier_id] = Path(path)
                continue
            yield cast(Dossier, doc)

    def read_many(self, dossier_ids: Iterable[str]) -> Iterator[Dossier]:
        """Files read and parsed one after the other, each handed over as soon as it is parsed:
        a batch of 500 parsed dossiers held until the last was read (~20 MB) made the cycle
        collector pass ten times as often, over them (1 s of 16 for 50,000 records built in
        one process). The index rows of a batch are checked in one query (`Index.repair_many`,
        given only what it compares: the version and the interview marker), not one query per
        dossier as `load` does."""
        batch: builtins.list[tuple[str, dict[str, Any], Path]] = []
        folder = str(self.dossiers_dir)
        try:
            for dossier_id in dossier_ids:
                name = dossier_file_name(folder, dossier_id)  # InvalidValueError, as `load`
                path = Path(name)
                try:
                    doc = parse_document(read_file(name), path)
                except FileNotFoundError:
                    continue  # erased meanwhile (its row goes at the next listing's check)
                except (CorruptDossierError, OSError):
                    with self._mutex:
                        self._corrupt_seen[dossier_id] = path
                    with suppress(sqlite3.Error, OSError, DossierLockedError):
                        self.index.mark_corrupt(dossier_id, path)  # no longer listed as readable
                    continue
                batch.append((dossier_id, _compared(doc), path))
                yield cast(Dossier, doc)
                del doc
                if len(batch) >= _READ_BATCH:
                    self._checked(batch)
                    batch = []
        finally:  # also when the caller stops early: what it was given is checked
            self._checked(batch)

    def _checked(self, batch: builtins.list[tuple[str, dict[str, Any], Path]]) -> None:
        if batch:
            with suppress(OSError, DossierLockedError):  # a busy index never fails a read
                self.index.repair_many(batch)

    def corrupt_files(self) -> dict[str, str]:
        """Dossier files found unreadable (by the index or while reading), by id."""
        with self._mutex:
            found = {**self._corrupt_seen, **self.index.corrupt}
            return {dossier_id: str(path) for dossier_id, path in sorted(found.items())
                    if os.path.exists(path)}

    def versions(self, dossier_ids: Iterable[str] | None = None) -> dict[str, str]:
        self.index.ensure()
        return self.index.versions(None if dossier_ids is None else list(dossier_ids))

    def changes_since(self, mark: str | None) -> tuple[str, builtins.list[str] | None]:
        self.index.ensure()
        return self.index.changes_since(mark)

    def count(self, *, status: str | None = None) -> int:
        if status is not None:
            _check_status(status)
        self.index.ensure()
        return self.index.count(status)

    def count_by_status(self, *, search: str | None = None) -> dict[str, int]:
        self.index.ensure()
        return self.index.count_by_status(search)

    def prepare_search(self) -> None:
        """A process that will search (the TUI): the index keeps its search columns in memory
        from now on, built in the background (searches scan SQLite until then). Not part of
        the contract: callers look it up with getattr."""
        self.index.prepare_search()

    # -- index ---------------------------------------------------------------------------------
    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
        limit: int | None = None,
    ) -> builtins.list[IndexEntry]:
        """Matching dossiers, most recently updated first. `search` ignores case and accents and
        matches name, first name, id, or phone digits; dates filter `date_field`."""
        if status is not None:
            _check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        self.index.ensure()
        return self.index.select(status=status, search=search, agent=agent,
                                 date_from=date_from, date_to=date_to, date_field=date_field,
                                 limit=limit)

    def iter_list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: str = "created_at",
    ) -> Iterator[IndexEntry]:
        """`list()` given one entry at a time (pages of the index read as it goes)."""
        if status is not None:
            _check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        self.index.ensure()
        yield from self.index.iter_select(status=status, search=search, agent=agent,
                                          date_from=date_from, date_to=date_to,
                                          date_field=date_field)

    def reindex(self) -> None:
        """Check the index against every dossier file now (a stat each, changed files re-read)."""
        with writing("la reconstruction de l'index", self.root):
            self.index.verify()

    def _record(self, doc: dict[str, Any], st: os.stat_result, token: str | None) -> None:
        """Index a dossier just written. The dossier file is the truth and is already durable:
        an index that cannot be written (disk full, unusable lock) must not turn a saved answer
        into a reported failure: its intent stays, so the next query re-reads the file."""
        with suppress(OSError, DossierLockedError):
            self.index.record(entry_from_document(doc), signature(st), token)

    # -- writing -------------------------------------------------------------------------------
    def _update(
        self, dossier_id: str, build: Callable[[dict[str, Any]], Change], *,
        what: str = "l'enregistrement du dossier", lease_free: bool = True,
    ) -> Dossier:
        """Apply one change under the dossier's write lock, in one atomic durable write.

        `lease_free`: refused while another live session has the dossier open (content writes);
        False for what the lease holder or a reader may always do (draft, export register).
        """
        path = self._path(dossier_id)
        with self._write_lock(dossier_id, what):
            if lease_free:
                self._refuse_if_open_elsewhere(dossier_id)
            with writing(what, self.root):
                token = self.index.intend(dossier_id)  # a kill after the write leaves it
                try:
                    doc, st = update_file(path, dossier_id, build)
                except BaseException:
                    self.index.cancel(dossier_id, token)
                    raise
                if st is None:
                    self.index.cancel(dossier_id, token)
                else:
                    self._record(doc, st, token)
        return cast(Dossier, doc)

    @staticmethod
    def _touch(doc: dict[str, Any], at: str, expected_rev: int | None = None) -> dict[str, Any]:
        rev = int(doc.get("rev") or 0)
        if expected_rev is not None and rev != expected_rev:
            raise ConflictError(
                f"Le dossier {doc['id']} a été modifié sur un autre poste entre-temps "
                f"(version {rev}, attendue {expected_rev}) ; rechargez-le avant d'enregistrer : "
                "rien n'a été écrasé."
            )
        return {"updated_at": at, "rev": rev + 1}

    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Dossier:
        """Create a dossier in status `premier_contact`; durable before returning."""
        self._writable("la création du dossier")
        moment = local_now(now)
        at = iso(moment)
        answers = dict(answers or {})
        _check_json(answers, "les réponses")
        doc = {
            "id": "", "rev": 1, "created_at": at, "updated_at": at, "created_by": agent,
            "agent": agent, "status": lifecycle.INITIAL_STATUS,
            "status_history": [{"status": lifecycle.INITIAL_STATUS, "at": at, "agent": agent}],
            "questionnaires": [questionnaire] if questionnaire else [],
            "answers": answers, "unknown": [], "events": [],
            "audit": answer_changes({}, [], answers, [], agent=agent, at=at),
            "rencontres": [], "commission": None, "notes": [], "evaluation_sociale": None,
            "tables": {}, "exports": [], "draft": None, "interview": None,
        }
        with writing("la création du dossier", self.root):
            self._insert_new([doc], durable=True)
        return cast(Dossier, doc)

    def _insert_new(
        self, docs: builtins.list[dict[str, Any]], *, durable: bool
    ) -> builtins.list[str]:
        """Give each document the next id of its creation year and write it (never overwriting).

        Numbers are reserved in the counter file before any file is written, so a crash can skip
        numbers but never hand one out twice.
        """
        ids: list[str] = []
        bulk: list[tuple[IndexEntry, tuple[int, int]]] = []
        seq_lock = file_lock(
            self.locks_dir / "sequences.lock", timeout=self.lock_timeout, mode=0o600
        )
        try:
            seq_lock.acquire()
        except TimeoutError:  # filelock.Timeout
            raise DossierLockedError(
                "La création de dossier est occupée sur un autre poste ; réessayez."
            ) from None
        try:
            years = [parse_day(doc["created_at"]).year for doc in docs]
            wanted = {year: years.count(year) for year in set(years)}
            last: dict[int, int] = {}  # last number used, per year
            reserved: dict[int, int] = {}  # highest number written in the counter, per year
            for year, count in wanted.items():
                ensure_private_dir(self.dossiers_dir / f"{year:04d}")
                last[year] = self._read_counter(year)
                reserved[year] = last[year] + count
                self._write_counter(year, reserved[year], durable=durable)
            for doc, year in zip(docs, years, strict=True):
                folder = self.dossiers_dir / f"{year:04d}"
                while True:
                    last[year] += 1
                    if last[year] > reserved[year]:  # numbers taken by files the counter missed
                        reserved[year] = last[year] + 100
                        self._write_counter(year, reserved[year], durable=durable)
                    doc["id"] = format_id(year, last[year])
                    path = folder / f"{doc['id']}.json"
                    try:
                        if durable:
                            with self._write_lock(doc["id"]):
                                token = self.index.intend(doc["id"])
                                try:
                                    st = create_file(path, doc)
                                except BaseException:
                                    self.index.cancel(doc["id"], token)
                                    raise
                                self._record(doc, st, token)
                        else:  # bulk: brand-new ids nobody else knows yet, indexed at the end
                            st = create_file(path, doc, durable=False)
                            bulk.append((entry_from_document(doc), signature(st)))
                    except FileExistsError:
                        continue
                    break
                ids.append(doc["id"])
        finally:
            seq_lock.release()
        if not durable:
            if hasattr(os, "sync"):
                os.sync()
            try:
                self.index.record_many(bulk)
            except (OSError, sqlite3.Error):
                self.index.needs_verify = True
        return ids

    def _read_counter(self, year: int) -> int:
        folder = self.dossiers_dir / f"{year:04d}"
        try:
            return int((self.sequences_dir / f"{year:04d}").read_text(encoding="ascii"))
        except (OSError, ValueError):
            # Lost or damaged counter: start after the highest id present.
            numbers = [int(match.group(2)) for name in os.listdir(folder)
                       if (match := ID_PATTERN.match(name.removesuffix(".json")))]
            return max(numbers, default=0)

    def _write_counter(self, year: int, number: int, *, durable: bool) -> None:
        write_atomic(self.sequences_dir / f"{year:04d}", str(number).encode("ascii"),
                     durable=durable)

    def import_dossiers(
        self, docs: Iterable[Mapping[str, object]], *, durable: bool = True
    ) -> builtins.list[str]:
        """Add complete dossier documents (demo data, benchmark setup); ids are given here.

        `durable=False` is for building benchmark stores quickly: no fsync per file, one `os.sync()`
        at the end. Never use it for real dossiers.
        """
        self._writable("l'import de dossiers")
        ids: builtins.list[str] = []
        chunk: builtins.list[dict[str, Any]] = []
        with writing("l'import de dossiers", self.root):
            for given in docs:
                doc = with_defaults(given)
                _check_json(doc, "le dossier importé")
                problem = shape_error({**doc, "id": "D-0000-000000"})  # ids are given here
                if problem is not None:
                    raise InvalidValueError(f"Dossier importé invalide : {problem}.")
                _check_status(doc["status"])
                chunk.append(doc)
                if len(chunk) >= 1000:  # bounded memory for large demo stores
                    ids += self._insert_new(chunk, durable=durable)
                    chunk = []
            return ids + self._insert_new(chunk, durable=durable)

    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: Mapping[str, Any],
        unknown: Sequence[str],
        events: Sequence[Mapping[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Replace the answers and unknown list, append `events`, audit every changed answer.

        Durable before returning. `expected_rev` (the `rev` the caller last read) turns a concurrent
        change by another process into ConflictError instead of overwriting it.
        """
        new_answers, new_unknown = dict(answers), list(dict.fromkeys(unknown))
        _check_json(new_answers, "les réponses")
        _check_json(list(events), "le journal de l'entretien")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            meta.update(answers=new_answers, unknown=new_unknown)
            if questionnaire and questionnaire not in doc["questionnaires"]:
                meta["questionnaires"] = [*doc["questionnaires"], questionnaire]
            audit = answer_changes(doc["answers"], doc["unknown"], new_answers, new_unknown,
                                   agent=agent, at=at)
            return Change(meta, {"events": [dict(e) for e in events], "audit": audit})

        return self._update(dossier_id, build, what="l'enregistrement des réponses")

    def save_answer(
        self,
        dossier_id: str,
        answer_id: str,
        value: Any = None,
        *,
        agent: str,
        raw: str | None = None,
        questionnaire: str | None = None,
        unknown: bool = False,
        now: datetime | None = None,
    ) -> Dossier:
        """Set one answer (or mark it unknown) on the current state of the dossier, with its event
        and audit row; concurrent callers each keep their own answer."""
        _check_json(value, answer_id)
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at)
            fields, rows = answer_change(doc, answer_id, value, unknown=unknown,
                                         questionnaire=questionnaire, raw=raw, agent=agent, at=at)
            meta.update(fields)
            return Change(meta, rows)

        return self._update(dossier_id, build, what="l'enregistrement de la réponse")

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        _check_status(status)
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            _check_transition(doc["status"], status)
            meta.update(status_change(doc, status, agent=agent, note=note, at=at))
            return Change(meta)

        return self._update(dossier_id, build, what="le changement de statut")

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        day = _check_day(date, "la rencontre")
        if avec not in lifecycle.MEETING_WITH:
            raise InvalidValueError(
                f"Rencontre avec « {avec} » : choisir « demandeur » ou « partenaire »."
            )
        if avec == "partenaire" and not (partenaire or "").strip():
            raise InvalidValueError("Indiquez le nom du partenaire rencontré.")
        at = iso(local_now(now))
        meeting = {"date": day, "avec": avec, "partenaire": partenaire or None, "note": note,
                   "agent": agent, "at": at}
        return self._update(
            dossier_id,
            lambda doc: Change(self._touch(doc, at, expected_rev), {"rencontres": [meeting]}),
            what="l'enregistrement de la rencontre",
        )

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Record the commission's decision and move the dossier to that status."""
        day = _check_day(date, "la commission")
        if decision not in lifecycle.DECISIONS:
            raise InvalidValueError(
                f"Décision inconnue : « {decision} » (accorde, refuse ou ajourne)."
            )
        if decision == lifecycle.Status.ACCORDE and not (
            isinstance(montant_accorde, int | float) and montant_accorde > 0
        ):
            raise InvalidValueError("Un accord doit indiquer le montant accordé (plus de 0 €).")
        if montant_accorde is not None and not isinstance(montant_accorde, int | float):
            raise InvalidValueError("Le montant accordé doit être un nombre.")
        _check_json(montant_accorde, "le montant accordé")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            _check_transition(doc["status"], decision)
            commission = {"date": day, "decision": decision, "montant_accorde": montant_accorde,
                          "conditions": conditions, "agent": agent, "at": at}
            change = {"status": decision, "at": at, "agent": agent}
            meta.update(status=decision, commission=commission,
                        status_history=[*doc["status_history"], change])
            return Change(meta)

        return self._update(dossier_id, build, what="l'enregistrement de la décision")

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        if not text.strip():
            raise InvalidValueError("La note est vide.")
        at = iso(local_now(now))
        note = {"at": at, "agent": agent, "text": text}
        return self._update(
            dossier_id,
            lambda doc: Change(self._touch(doc, at, expected_rev), {"notes": [note]}),
            what="l'enregistrement de la note",
        )

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None, **fields: Any,
    ) -> Dossier:
        """Set free dossier fields (evaluation_sociale, duree_retenue...), audited."""
        forbidden = sorted(set(fields) & _PROTECTED)
        if forbidden:
            raise InvalidValueError(
                f"Champ non modifiable ici : {', '.join(forbidden)} (utiliser l'opération dédiée)."
            )
        _check_json(fields, "les champs du dossier")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            audit = field_changes(doc, fields, agent=agent, at=at)
            if not audit:
                self._touch(doc, at, expected_rev)  # a stale caller still hears of it
                return Change()
            meta = self._touch(doc, at, expected_rev)
            meta.update(fields)
            return Change(meta, {"audit": audit})

        return self._update(dossier_id, build, what="l'enregistrement du dossier")

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Hand the dossier to another agent (e.g. reception -> social worker), audited."""
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            audit = field_changes(doc, {"agent": agent_in_charge}, agent=agent, at=at)
            meta = self._touch(doc, at, expected_rev)
            meta["agent"] = agent_in_charge
            return Change(meta, {"audit": audit})

        return self._update(dossier_id, build, what="le changement d'agent en charge")

    # -- per-dossier row tables --------------------------------------------------------------
    def append_rows(
        self,
        dossier_id: str,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        _check_table(table)
        data = [dict(row) for row in rows]
        if not all(isinstance(row, dict) for row in data):
            raise InvalidValueError(f"Les lignes de « {table} » doivent être des objets.")
        _check_json(data, f"la table « {table} »")
        at = iso(local_now(now))
        new_rows = [{"at": at, "agent": agent, "data": row} for row in data]

        def build(doc: dict[str, Any]) -> Change:
            if not new_rows:
                self._touch(doc, at, expected_rev)
                return Change()
            return Change(self._touch(doc, at, expected_rev),
                          {USER_TABLE_PREFIX + table: new_rows})

        return self._update(dossier_id, build, what=f"l'ajout à « {table} »")

    def update_row(
        self,
        dossier_id: str,
        table: str,
        row_id: str,
        changes: Mapping[str, Any],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        _check_table(table)
        updates = dict(changes)
        _check_json(updates, f"la table « {table} »")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            row = next((r for r in doc["tables"].get(table, []) if r["id"] == row_id), None)
            if row is None:
                raise RecordNotFoundError(
                    f"La ligne {row_id} de « {table} » n'existe pas dans le dossier {dossier_id}."
                )
            old = row["data"]
            audit = [{"at": at, "agent": agent, "id": f"{table}[{row_id}].{key}",
                      "old": old.get(key), "new": value, "table": table}
                     for key, value in updates.items()
                     if key not in old or not same_value(old[key], value)]
            if not audit:
                return Change()
            stored = {k: v for k, v in row.items() if k != "id"}
            stored.update(data={**old, **updates}, updated_at=at, updated_by=agent)
            return Change(meta, {"audit": audit},
                          {USER_TABLE_PREFIX + table: {int(row_id): stored}})

        return self._update(dossier_id, build, what=f"la modification de « {table} »")

    # -- drafts and interviews in progress ----------------------------------------------------
    def _by_lease_holder(self, dossier_id: str, token: str, what: str,
                         meta: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        def build(doc: dict[str, Any]) -> Change:
            if not self.leases.held_with(dossier_id, token):
                holder = self.leases.holder_elsewhere(dossier_id)
                raise DossierLockedError(
                    locked_message(dossier_id, holder) if holder else
                    f"Le dossier {dossier_id} n'est plus ouvert par cette session : {what} est "
                    "impossible. Rouvrez-le."
                )
            return Change(meta(doc))

        self._update(dossier_id, build, what=what, lease_free=False)

    def save_draft(self, dossier_id: str, draft: Draft | None, *, token: str) -> None:
        stored: dict[str, Any] | None = None
        if draft is not None:
            path, text = draft.get("path"), draft.get("text")
            if not isinstance(path, str) or not isinstance(text, str):
                raise InvalidValueError("Un brouillon indique la question et le texte saisi.")
            if len(text) > DRAFT_MAX_CHARS:
                raise InvalidValueError(
                    f"Texte saisi trop long ({len(text)} caractères, {DRAFT_MAX_CHARS} au plus)."
                )
            _check_json(text, "le brouillon")
            lease = self.leases.read(dossier_id) or {}
            stored = {"path": path, "text": text, "at": iso(local_now()),
                      "agent": str(lease.get("agent") or "")}

        def meta(doc: dict[str, Any]) -> dict[str, Any]:
            return {} if doc.get("draft") == stored else {"draft": stored}

        self._by_lease_holder(dossier_id, token, "l'enregistrement du texte saisi", meta)

    def begin_interview(self, dossier_id: str, questionnaire: str, *, token: str) -> None:
        lease = self.leases.read(dossier_id) or {}
        marker = {"questionnaire": questionnaire, "agent": str(lease.get("agent") or ""),
                  "host": HOST, "since": iso(local_now())}
        self._by_lease_holder(dossier_id, token, "l'ouverture de l'entretien",
                              lambda doc: {"interview": marker})

    def end_interview(self, dossier_id: str, *, token: str) -> None:
        def meta(doc: dict[str, Any]) -> dict[str, Any]:
            if doc.get("interview") is None and doc.get("draft") is None:
                return {}
            return {"interview": None, "draft": None}

        self._by_lease_holder(dossier_id, token, "la fin de l'entretien", meta)

    def interrupted_interviews(self, agent: str) -> builtins.list[InterruptedInterview]:
        self.index.ensure()
        candidates = self.index.with_interview_agent(agent)
        found: builtins.list[InterruptedInterview] = []
        for dossier_id in candidates:
            if self.leases.holder_elsewhere(dossier_id) is not None:
                continue  # still open in a live session
            lease = self.leases.read(dossier_id)
            if lease is not None and Leases.is_ours(lease):
                continue  # open in this very process
            try:
                doc = self.load(dossier_id)
            except (DossierNotFoundError, CorruptDossierError):
                continue
            marker = doc.get("interview")
            if marker is None or marker["agent"] != agent:
                continue
            found.append({"dossier_id": dossier_id, "questionnaire": marker["questionnaire"],
                          "agent": marker["agent"], "host": marker["host"],
                          "since": marker["since"], "draft": doc.get("draft")})
        found.sort(key=lambda item: (item["since"], item["dossier_id"]))
        return found

    # -- export register ----------------------------------------------------------------------
    def register_export(
        self, dossier_id: str, *, path: str | None, fmt: str, agent: str,
        now: datetime | None = None,
    ) -> None:
        row: ExportRecord = {"at": iso(local_now(now)), "agent": agent,
                             "path": None if path is None else str(path), "format": fmt}
        self._update(dossier_id, lambda doc: Change(appends={"exports": [dict(row)]}),
                     what="l'inscription de l'export au registre", lease_free=False)

    # -- store-wide records -----------------------------------------------------------------
    def put_record(
        self,
        kind: str,
        record_id: str,
        doc: Mapping[str, Any],
        *,
        dossier_id: str | None = None,
        expected_rev: int | None = None,
    ) -> StoredRecord:
        self._writable("l'enregistrement")
        body = dict(doc)
        _check_json(body, f"l'enregistrement {kind}")
        if dossier_id is not None:
            self._path(dossier_id, must_exist=True)
        with writing(f"l'enregistrement {kind}", self.root):
            ensure_private_dir(self.records.dir)
            stored = self.records.put(kind, record_id, body, dossier_id=dossier_id,
                                      expected_rev=expected_rev)
        return cast(StoredRecord, stored)

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        return cast("StoredRecord | None", self.records.get(kind, record_id))

    def list_records(
        self, kind: str | None = None, *, dossier_id: str | None = None
    ) -> builtins.list[StoredRecord]:
        if dossier_id is not None:
            parse_id(dossier_id)
        return cast("builtins.list[StoredRecord]", self.records.select(kind, dossier_id))

    def delete_record(
        self, kind: str, record_id: str, *, expected_rev: int | None = None
    ) -> None:
        self._writable("la suppression de l'enregistrement")
        with writing(f"la suppression de l'enregistrement {kind}", self.root):
            self.records.delete(kind, record_id, expected_rev=expected_rev)

    # -- derived data ------------------------------------------------------------------------
    def derived_dir(self, name: str) -> Path:
        check_kind(name)
        folder = self.cache_dir / name
        if self._read_only:
            return folder  # callers' writes there fail; they must treat the cache as optional
        with writing("la préparation du cache", self.root):
            ensure_private_dir(self.cache_dir)
            return ensure_private_dir(folder)

    # -- RGPD ----------------------------------------------------------------------------------
    def _exports_of(self, dossier_id: str) -> tuple[ExportRecord, ...]:
        try:
            return tuple(self.load(dossier_id)["exports"])
        except (DossierNotFoundError, CorruptDossierError):
            return ()

    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> builtins.list[Erasure]:
        """Delete dossiers without contact for `inactive_days` (CNIL: 2 years). Dossiers open in
        another session are skipped. Returns what was (or, with dry_run, would be) deleted."""
        cutoff = (local_now(now).date() - timedelta(days=inactive_days)).isoformat()
        self.index.verify()  # checked against the files: purge must not trust a stale cache
        candidates = self.index.contacted_before(cutoff)
        candidates.sort(key=lambda e: e.id)
        if dry_run:
            return [Erasure(e.id, e, self._exports_of(e.id)) for e in candidates]
        self._writable("la purge des dossiers")
        with self._erasing():
            return self._purge(candidates, cutoff)

    def _purge(self, candidates: builtins.list[IndexEntry], cutoff: str
               ) -> builtins.list[Erasure]:
        purged: builtins.list[Erasure] = []
        for entry in candidates:
            with suppress(DossierLockedError), self._write_lock(entry.id, "la purge"):
                if self.leases.holder_elsewhere(entry.id) is not None:
                    continue
                try:
                    doc = self.load(entry.id)
                except (DossierNotFoundError, CorruptDossierError):
                    continue
                if lifecycle.last_contact(doc).isoformat() >= cutoff:
                    continue  # contacted since the index was read
                with writing("la purge des dossiers", self.root):
                    self._erase(entry.id)
                purged.append(Erasure(entry.id, entry, tuple(doc["exports"])))
        for erased in purged:  # even the lock file's name is the person's id
            with suppress(FileNotFoundError):
                os.unlink(self.locks_dir / f"{erased.dossier_id}.lock")
        if purged:
            for erased in purged:
                self.index.forget_entry(erased.dossier_id)
            self._compact_after_erasure(", ".join(e.dossier_id for e in purged))
        return purged

    def forget(self, dossier_id: str) -> Erasure:
        """Erase everything held on one person: dossier file (answers, audit, notes, rows, draft,
        exports register), attached records, index entry, lease and lock files. The index files
        are rewritten so that no copy of the entry remains."""
        path = self._path(dossier_id)
        what = "l'effacement du dossier"
        with self._write_lock(dossier_id, what):
            holder = self.leases.holder_elsewhere(dossier_id)
            if holder is not None:
                raise DossierLockedError(locked_message(dossier_id, holder))
            self.index.ensure()
            entry = self.index.get(dossier_id)
            if not path.exists() and entry is None and not self.records.attached(dossier_id):
                raise DossierNotFoundError(dossier_id)
            exports = self._exports_of(dossier_id)
            with self._erasing():
                with writing(what, self.root):
                    self._erase(dossier_id)
                with suppress(FileNotFoundError):
                    os.unlink(self.locks_dir / f"{dossier_id}.lock")
                self.index.forget_entry(dossier_id)
                with self._mutex:
                    self._corrupt_seen.pop(dossier_id, None)
                self._compact_after_erasure(dossier_id)
        return Erasure(dossier_id, entry, exports)

    def _compact_after_erasure(self, dossier_id: str) -> None:
        try:
            with writing("la réécriture de l'index", self.root):
                self.index.compact()
        except StoreUnavailableError as exc:
            raise StoreUnavailableError(
                f"Le dossier {dossier_id} est effacé, mais l'index qui le listait n'a pas pu être "
                f"réécrit : {exc.message} Relancez l'effacement pour terminer."
            ) from exc

    def _erase(self, dossier_id: str) -> None:
        """The dossier file and any temp copy of it, its attached records, its lease."""
        self.records.erase_attached(dossier_id)
        path = self._path(dossier_id)
        folder = path.parent
        with suppress(FileNotFoundError):
            target = path.name
            for name in [target, *temp_names_of(os.listdir(folder), target)]:
                with suppress(FileNotFoundError):
                    os.unlink(folder / name)
            fsync_dir(folder)
        self.leases.remove(dossier_id)


def _subfolders(folder: Path) -> builtins.list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)
                or e.is_symlink()]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _read_only(root: Path) -> bool:
    """A store on a read-only medium, or whose folder we may not write: reading only."""
    try:
        st = os.statvfs(root)
    except (FileNotFoundError, NotADirectoryError):
        return False  # created at open
    except OSError:
        return False
    if st.f_flag & getattr(os, "ST_RDONLY", 1):
        return True
    return not os.access(root, os.W_OK | os.X_OK)
