"""The dossier store: one atomic TinyDB file per dossier, a rebuildable index, per-dossier locks.

Layout under the root folder (0700, files 0600):
    dossiers/<année>/D-<année>-NNNNNN.json   the dossiers (source of truth)
    index/snapshot.json, index/journal.jsonl  the index (a cache; rebuilt when missing or stale)
    locks/                                    short write locks (one per dossier, one for ids)
    leases/D-….json                           who has a dossier open (sessions)
    sequences/<année>                         last id given out per year
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now, parse_day

from ..audit import answer_changes, field_changes
from ..errors import (
    ConflictError,
    CorruptDossierError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
)
from ..location import ensure_private_dir, resolve_root
from .atomic_storage import dumps, fsync_dir, remove_orphan_temps, temp_target_name, write_atomic
from .dossier_file import (
    ID_PATTERN,
    ROW_TABLES,
    Change,
    create_file,
    dossier_path,
    format_id,
    parse_document,
    parse_id,
    read_document,
    signature,
    update_file,
)
from .index import Index, IndexEntry, entry_from_document
from .leases import Leases, locked_message

# Keys that only dedicated methods may change (they carry history or life-cycle rules).
_PROTECTED = frozenset({"id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
                        "status_history", "questionnaires", "answers", "unknown", "commission",
                        *ROW_TABLES})


def _check_json(value: Any, what: str) -> None:
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"Valeur impossible à enregistrer pour {what} : {exc}.") from exc


def _check_day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"Date invalide pour {what} : « {value} » (attendu : AAAA-MM-JJ)."
        ) from None


def _check_status(status: str) -> None:
    try:
        lifecycle.check_status(status)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


def _check_transition(current: str, new: str) -> None:
    try:
        lifecycle.check_transition(current, new)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


class TinyDBLease:
    """An open dossier (lease); use as a context manager or call `close()`."""

    def __init__(self, store: TinyDBStore, dossier_id: str, agent: str, token: str) -> None:
        self.store, self.dossier_id, self.agent, self._token = store, dossier_id, agent, token
        self.closed = False

    def renew(self) -> None:
        self.store.leases.renew(self.dossier_id, self._token)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with self.store._write_lock(self.dossier_id):
                self.store.leases.release(self.dossier_id, self._token)

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
        for folder in (root, self.dossiers_dir, self.locks_dir, self.sequences_dir,
                       self.index_dir, root / "leases"):
            ensure_private_dir(folder)
        self.leases = Leases(root / "leases")
        self.index = Index(self.index_dir, self.dossiers_dir, lock_timeout=lock_timeout)
        self.removed_temps = self._clean_orphans()
        self._mutex = threading.RLock()  # the in-memory index is shared by the process's threads
        self._corrupt_seen: dict[str, Path] = {}

    @classmethod
    def open(cls, db: str | Path | None = None, *, lock_timeout: float = 10.0) -> TinyDBStore:
        """--db > $INTAKE_ASSISTANT_DB > platformdirs user data folder."""
        return cls(resolve_root(db), lock_timeout=lock_timeout)

    @property
    def location(self) -> str:
        return str(self.root)

    def _clean_orphans(self) -> list[Path]:
        folders = [self.index_dir, self.sequences_dir, self.leases.dir]
        with suppress(FileNotFoundError):
            folders += [Path(e.path) for e in os.scandir(self.dossiers_dir) if e.is_dir()]
        return [path for folder in folders for path in remove_orphan_temps(folder)]

    # -- locks ---------------------------------------------------------------------------------
    @contextmanager
    def _write_lock(self, dossier_id: str) -> Iterator[None]:
        parse_id(dossier_id)
        lock = FileLock(
            self.locks_dir / f"{dossier_id}.lock", timeout=self.lock_timeout, mode=0o600
        )
        try:
            lock.acquire()
        except Timeout:
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
        with self._write_lock(dossier_id):
            token = self.leases.acquire(dossier_id, agent)
        return TinyDBLease(self, dossier_id, agent, token)

    def open_by(self, dossier_id: str) -> dict[str, Any] | None:
        """The lease of another live process on this dossier (agent, host, since), if any."""
        return self.leases.holder_elsewhere(dossier_id)

    # -- paths and reading ---------------------------------------------------------------------
    def _path(self, dossier_id: str, *, must_exist: bool = False) -> Path:
        path = dossier_path(self.dossiers_dir, dossier_id)
        if must_exist and not path.exists():
            raise DossierNotFoundError(dossier_id)
        return path

    def load(self, dossier_id: str) -> dict[str, Any]:
        # Files are only ever replaced whole, so reading needs no lock.
        return read_document(self._path(dossier_id), dossier_id)

    def iter_dossiers(self) -> Iterator[dict[str, Any]]:
        """Every readable dossier, in id order; unreadable ones are listed by `corrupt_files()`."""
        for dossier_id, path, _ in self.index.scan_files():
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
                yield parse_document(raw, Path(path))
            except FileNotFoundError:
                continue  # forgotten meanwhile
            except (CorruptDossierError, OSError):
                self._corrupt_seen[dossier_id] = Path(path)

    def corrupt_files(self) -> dict[str, Path]:
        """Dossier files found unreadable (by the index or while iterating), by id."""
        with self._mutex:
            return {**self._corrupt_seen, **self.index.corrupt}

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
    ) -> list[IndexEntry]:
        """Matching dossiers, most recently updated first. `search` ignores case and accents and
        matches name, first name, id, or phone digits; dates filter `date_field`."""
        if status is not None:
            _check_status(status)
        if date_field not in ("created_at", "updated_at", "last_contact"):
            raise InvalidValueError(f"Champ de date inconnu : « {date_field} ».")
        with self._mutex:
            self.index.refresh()
            return self.index.select(status=status, search=search, agent=agent,
                                     date_from=date_from, date_to=date_to, date_field=date_field)

    def reindex(self) -> None:
        """Reload the index and check it against every dossier file."""
        with self._mutex:
            self.index.load()

    def _record(self, doc: dict[str, Any], st: os.stat_result) -> None:
        with self._mutex:
            self.index.record(entry_from_document(doc), signature(st))

    # -- writing -------------------------------------------------------------------------------
    def _update(self, dossier_id: str, build: Callable[[dict[str, Any]], Change]) -> dict[str, Any]:
        path = self._path(dossier_id)
        with self._write_lock(dossier_id):
            doc, st = update_file(path, dossier_id, build)
            if st is not None:
                self._record(doc, st)
        return doc

    @staticmethod
    def _touch(doc: dict[str, Any], at: str, expected_rev: int | None = None) -> dict[str, Any]:
        rev = int(doc.get("rev") or 0)
        if expected_rev is not None and rev != expected_rev:
            raise ConflictError(
                f"Le dossier {doc['id']} a été modifié sur un autre poste entre-temps ; "
                "rechargez-le avant d'enregistrer."
            )
        return {"updated_at": at, "rev": rev + 1}

    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Create a dossier in status `premier_contact`; durable before returning."""
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
        }
        self._insert_new([doc], durable=True)
        return doc

    def _insert_new(self, docs: list[dict[str, Any]], *, durable: bool) -> list[str]:
        """Give each document the next id of its creation year and write it (never overwriting).

        Numbers are reserved in the counter file before any file is written, so a crash can skip
        numbers but never hand one out twice.
        """
        ids: list[str] = []
        bulk: list[tuple[IndexEntry, tuple[int, int, int, int]]] = []
        seq_lock = FileLock(
            self.locks_dir / "sequences.lock", timeout=self.lock_timeout, mode=0o600
        )
        try:
            seq_lock.acquire()
        except Timeout:
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
                                st = create_file(path, doc)
                                self._record(doc, st)
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
            with self._mutex:
                self.index.record_many(bulk)
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

    def import_dossiers(self, docs: Iterable[dict[str, Any]], *, durable: bool = True) -> list[str]:
        """Add complete dossier documents (demo data, benchmark setup); ids are given here.

        `durable=False` is for building benchmark stores quickly: no fsync per file, one `os.sync()`
        at the end. Never use it for real dossiers.
        """
        ids: list[str] = []
        chunk: list[dict[str, Any]] = []
        for doc in docs:
            _check_json(doc, "le dossier importé")
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
        answers: dict[str, Any],
        unknown: list[str],
        events: list[dict[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> dict[str, Any]:
        """Replace the answers and unknown list, append `events`, audit every changed answer.

        Durable before returning. `expected_rev` (the `rev` the caller last read) turns a concurrent
        change by another process into ConflictError instead of overwriting it.
        """
        new_answers, new_unknown = dict(answers), list(dict.fromkeys(unknown))
        _check_json(new_answers, "les réponses")
        _check_json(events, "le journal de l'entretien")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at, expected_rev)
            meta.update(answers=new_answers, unknown=new_unknown)
            if questionnaire and questionnaire not in doc["questionnaires"]:
                meta["questionnaires"] = [*doc["questionnaires"], questionnaire]
            audit = answer_changes(doc["answers"], doc["unknown"], new_answers, new_unknown,
                                   agent=agent, at=at)
            return meta, {"events": [dict(e) for e in events], "audit": audit}

        return self._update(dossier_id, build)

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
    ) -> dict[str, Any]:
        """Set one answer (or mark it unknown) on the current state of the dossier, with its event
        and audit row; concurrent callers each keep their own answer."""
        _check_json(value, answer_id)
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = self._touch(doc, at)
            answers, unknowns = dict(doc["answers"]), [u for u in doc["unknown"] if u != answer_id]
            if unknown:
                answers.pop(answer_id, None)
                unknowns.append(answer_id)
            else:
                answers[answer_id] = value
            meta.update(answers=answers, unknown=unknowns)
            if questionnaire and questionnaire not in doc["questionnaires"]:
                meta["questionnaires"] = [*doc["questionnaires"], questionnaire]
            seq = max((int(e.get("seq") or 0) for e in doc["events"]), default=0) + 1
            event = {"seq": seq, "at": at, "agent": agent, "questionnaire": questionnaire,
                     "type": "unknown" if unknown else "answer", "id": answer_id,
                     "raw": raw, "value": None if unknown else value}
            audit = answer_changes(doc["answers"], doc["unknown"], answers, unknowns,
                                   agent=agent, at=at)
            return meta, {"events": [event], "audit": audit}

        return self._update(dossier_id, build)

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            _check_transition(doc["status"], status)
            change = {"status": status, "at": at, "agent": agent}
            if note:
                change["note"] = note
            meta = self._touch(doc, at)
            meta.update(status=status, status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None,
    ) -> dict[str, Any]:
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
        return self._update(dossier_id, lambda doc: (self._touch(doc, at),
                                                     {"rencontres": [meeting]}))

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
    ) -> dict[str, Any]:
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
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            _check_transition(doc["status"], decision)
            commission = {"date": day, "decision": decision, "montant_accorde": montant_accorde,
                          "conditions": conditions, "agent": agent, "at": at}
            change = {"status": decision, "at": at, "agent": agent}
            meta = self._touch(doc, at)
            meta.update(status=decision, commission=commission,
                        status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None
    ) -> dict[str, Any]:
        if not text.strip():
            raise InvalidValueError("La note est vide.")
        at = iso(local_now(now))
        note = {"at": at, "agent": agent, "text": text}
        return self._update(dossier_id, lambda doc: (self._touch(doc, at), {"notes": [note]}))

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None, **fields: Any
    ) -> dict[str, Any]:
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
                return {}, {}
            meta = self._touch(doc, at)
            meta.update(fields)
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """Hand the dossier to another agent (e.g. reception -> social worker), audited."""
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            audit = field_changes(doc, {"agent": agent_in_charge}, agent=agent, at=at)
            meta = self._touch(doc, at)
            meta["agent"] = agent_in_charge
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    # -- life-cycle ----------------------------------------------------------------------------
    @staticmethod
    def delays(dossier: dict[str, Any], today: date) -> dict[str, Any]:
        return lifecycle.delays(dossier, today)

    # -- RGPD ----------------------------------------------------------------------------------
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> list[IndexEntry]:
        """Delete dossiers without contact for `inactive_days` (CNIL: 2 years). Dossiers open in
        another session are skipped. Returns what was (or, with dry_run, would be) deleted."""
        cutoff = (local_now(now).date() - timedelta(days=inactive_days)).isoformat()
        with self._mutex:
            self.index.load()  # checked against the files: purge must not trust a stale cache
            candidates = [e for e in self.index.entries.values() if e.last_contact < cutoff]
        candidates.sort(key=lambda e: e.id)
        if dry_run:
            return candidates
        purged = []
        for entry in candidates:
            with suppress(DossierLockedError), self._write_lock(entry.id):
                if self.leases.holder_elsewhere(entry.id) is not None:
                    continue
                try:
                    doc = self.load(entry.id)
                except DossierNotFoundError:
                    continue
                if lifecycle.last_contact(doc).isoformat() >= cutoff:
                    continue  # contacted since the index was read
                self._erase_files(entry.id)
                purged.append(entry)
        if purged:
            with self._mutex:
                for entry in purged:
                    self.index.forget_entry(entry.id)
                self.index.compact()
            self._drop_derived()
        return purged

    def _drop_derived(self) -> None:
        """Derived data kept beside the store (``cache/``, e.g. the statistics' per-dossier
        records) is rebuilt from the dossiers: after an erasure it goes too, so nothing derived
        from an erased person remains."""
        shutil.rmtree(self.root / "cache", ignore_errors=True)

    def forget(self, dossier_id: str) -> None:
        """Erase everything held on one person: dossier file (answers, audit, notes), index entry,
        lease and lock files. The index files are rewritten so that no copy of the entry remains."""
        path = self._path(dossier_id)
        with self._write_lock(dossier_id):
            holder = self.leases.holder_elsewhere(dossier_id)
            if holder is not None:
                raise DossierLockedError(locked_message(dossier_id, holder))
            if not path.exists():
                with self._mutex:
                    self.index.refresh()
                    known = dossier_id in self.index.entries
                if not known:
                    raise DossierNotFoundError(dossier_id)
            self._erase_files(dossier_id)
        with suppress(FileNotFoundError):
            os.unlink(self.locks_dir / f"{dossier_id}.lock")
        with self._mutex:
            self.index.refresh()
            self.index.forget_entry(dossier_id)
            self.index.compact()
        self._drop_derived()

    def _erase_files(self, dossier_id: str) -> None:
        path = self._path(dossier_id)
        folder = path.parent
        for name in os.listdir(folder):  # the dossier and any temp copy of it
            if name == path.name or temp_target_name(name) == path.name:
                with suppress(FileNotFoundError):
                    os.unlink(folder / name)
        fsync_dir(folder)
        self.leases.remove(dossier_id)

    def export(self, dossier_id: str, today: date | None = None) -> dict[str, Any]:
        """All that is held on one person (right of access): the dossier and its derived delays."""
        doc = self.load(dossier_id)
        return {"dossier": doc, "delais": lifecycle.delays(doc, today or local_now().date())}

