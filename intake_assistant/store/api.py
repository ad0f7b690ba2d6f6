"""The store contract: what every dossier store backend offers, typed.

Callers (the application layer, the reports) are typed against `DossierStore` and never against a
backend class. A backend lives in its own folder (`tinydb/`) and is chosen by
`intake_assistant.store.open_store`, the one way to open a store. The contract test suite
(`tests/store/contract/`) is what a backend must pass; every behaviour promised in the docstrings
below is tested there once, for every backend.

Vocabulary used in the docstrings:

- *document*: the `Dossier` below, plain JSON values; `load` returns it whole.
- *revision* (`rev`): an integer raised by one by every change of the dossier's content. A write
  given `expected_rev` is refused with `ConflictError` when the dossier is at another revision:
  nothing is overwritten. Drafts, the interview marker and the export register are not content:
  they never raise `rev`, so an interview that saves with `expected_rev` is not disturbed by them.
- *lease*: a dossier opened for editing (`session`). While a live lease is held by another
  session, every write of the dossier's content by this store is refused with
  `DossierLockedError` naming who has it open and where; the lease holder's own writes go through.
  A lease belongs to the store object (so, for the embedded backend, the process) that took it.
- *durable*: a write method returns only once the change survives a crash or a power cut.
- Every error is a `StoreError` whose `message` is a French sentence to show to staff.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal, NotRequired, Protocol, TypeAlias, TypedDict, runtime_checkable

from .errors import (
    ConflictError,
    CorruptDossierError,
    DossierLockedError,
    DossierNotFoundError,
    InvalidTransitionError,
    InvalidValueError,
    RecordNotFoundError,
    StoreError,
    StoreUnavailableError,
)
from .index_entry import IndexEntry, dossier_version

# -- values ------------------------------------------------------------------------------------
JSONValue: TypeAlias = "str | int | float | bool | None | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = "dict[str, JSONValue]"
DateField = Literal["created_at", "updated_at", "last_contact"]


# -- the dossier document and its rows ------------------------------------------------------------
class StatusChange(TypedDict):
    status: str  # a life-cycle status (core.lifecycle.STATUSES)
    at: str  # ISO date-time with offset
    agent: str | None
    note: NotRequired[str]


class InterviewEvent(TypedDict, total=False):
    """One step of an interview (core.engine); replaying the events rebuilds it."""

    seq: int
    at: str
    agent: str
    questionnaire: str | None
    type: str  # answer, unknown, repeat, remove_item, focus
    id: str | None
    raw: str | None
    value: JSONValue
    old: JSONValue
    confirmed_warnings: list[str]


class AuditRow(TypedDict):
    """One change of a value after it was first given (answer, dossier field or table row)."""

    at: str
    agent: str
    id: str  # answer id, field name, or "table[row id].key" for a row
    old: JSONValue
    new: JSONValue
    unknown: NotRequired[bool]  # the answer became « à compléter »
    field: NotRequired[bool]  # a dossier field (set_fields, assign), not an answer
    table: NotRequired[str]  # a row of this table (update_row)


class Meeting(TypedDict):
    date: str  # ISO date of the meeting
    avec: str  # "demandeur" or "partenaire"
    partenaire: str | None
    note: str
    agent: str
    at: str


class Decision(TypedDict):
    """The commission's decision (`commission` key of the document)."""

    date: str
    decision: str  # accorde, refuse, ajourne
    montant_accorde: float | int | None
    conditions: str
    agent: str
    at: str


class Note(TypedDict):
    at: str
    agent: str
    text: str


class TableRow(TypedDict):
    """A row of a per-dossier table (`append_rows`): appointments, documents, repayments...

    `id` is given by the store, unique in its table and never reused; `data` is the caller's.
    """

    id: str
    at: str
    agent: str
    data: JSONObject
    updated_at: NotRequired[str]
    updated_by: NotRequired[str]


class ExportRecord(TypedDict):
    """A file made from the dossier (commission summary...): what `forget` lists to destroy."""

    at: str
    agent: str
    path: str | None  # None: written to the standard output
    format: str


class Draft(TypedDict):
    """Text typed for a question but not sent yet; `at` and `agent` are set by the store."""

    path: str  # the question's path in the interview ("loyer", "enfants[0].age")
    text: str
    at: NotRequired[str]
    agent: NotRequired[str]


class InterviewMarker(TypedDict):
    """An interview in progress on the dossier (set when it opens, cleared when it finishes)."""

    questionnaire: str
    agent: str
    host: str
    since: str


class Dossier(TypedDict):
    """What the store keeps on one person; docs/ARCHITECTURE.md shows an example."""

    id: str  # D-YYYY-NNNNNN
    rev: int
    created_at: str
    updated_at: str
    created_by: str | None
    agent: str | None  # the agent in charge
    status: str
    status_history: list[StatusChange]
    questionnaires: list[str]
    answers: JSONObject
    unknown: list[str]  # answers marked « à compléter » (absent from `answers`)
    events: list[InterviewEvent]
    audit: list[AuditRow]
    rencontres: list[Meeting]
    commission: Decision | None
    notes: list[Note]
    evaluation_sociale: str | None
    duree_retenue: NotRequired[int]  # a free field (set_fields); others may be present
    tables: dict[str, list[TableRow]]  # per-dossier row tables, by name
    exports: list[ExportRecord]
    draft: Draft | None
    interview: InterviewMarker | None


class LeaseInfo(TypedDict):
    """Who has a dossier open: shown as « ouvert par AGENT sur POSTE depuis HH:MM »."""

    agent: str
    host: str
    since: str
    renewed: NotRequired[str]


class InterruptedInterview(TypedDict):
    """An interview left open (marker present) whose session is gone: to resume."""

    dossier_id: str
    questionnaire: str
    agent: str
    host: str
    since: str
    draft: Draft | None


class StoredRecord(TypedDict):
    """A store-wide record (`put_record`): agents, commission sessions, templates..."""

    kind: str
    id: str
    rev: int
    updated_at: str
    dossier_id: str | None  # a record attached to a dossier is erased with it
    doc: JSONObject


@dataclass(frozen=True)
class Erasure:
    """What `forget` or `purge` erased (or, for a dry run, would erase) for one dossier."""

    dossier_id: str
    entry: IndexEntry | None  # None when the dossier file was unreadable
    exports: tuple[ExportRecord, ...]  # files made from it: to destroy by hand


# -- the contract -----------------------------------------------------------------------------
@runtime_checkable
class DossierLease(Protocol):
    """A dossier open for editing by this store; released by `close()` (or `with`).

    `token` identifies the lease for the writes that need it (`save_draft`, `begin_interview`,
    `end_interview`). A lease that is not renewed is considered dead after its time to live, or
    at once when its process is known dead; another session may then take the dossier.
    """

    dossier_id: str
    agent: str
    token: str

    def renew(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> DossierLease: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class DossierStore(Protocol):
    """Every dossier of the service: read, list and search, durable changes, leases, RGPD,
    per-dossier row tables, store-wide records, and a private folder for derived data."""

    # -- where it is -----------------------------------------------------------------------------
    @property
    def location(self) -> str:
        """Where the store is, shown to staff; `open_store(location)` opens the same store."""
        ...

    @property
    def read_only(self) -> bool:
        """True when the store can be read but not written (read-only medium or rights): reading
        works, every write raises `StoreUnavailableError`."""
        ...

    # -- leases ----------------------------------------------------------------------------------
    def session(self, dossier_id: str, *, agent: str) -> DossierLease:
        """Open the dossier for editing. `DossierLockedError` (who, where, since when) while a
        live lease is held by another session; a dead session's lease is taken over."""
        ...

    def open_by(self, dossier_id: str) -> LeaseInfo | None:
        """The live lease of another session on this dossier, if any."""
        ...

    # -- reading ---------------------------------------------------------------------------------
    def load(self, dossier_id: str) -> Dossier:
        """The whole document. `DossierNotFoundError`; `CorruptDossierError` (naming the dossier
        and why) when it cannot be read or does not have the document's shape;
        `InvalidValueError` for an id that is not D-YYYY-NNNNNN."""
        ...

    def iter_dossiers(self) -> Iterator[Dossier]:
        """Every readable dossier, in id order; unreadable or malformed ones are skipped and then
        listed by `corrupt_files()`."""
        ...

    def read_many(self, dossier_ids: Iterable[str]) -> Iterator[Dossier]:
        """The readable dossiers among ``dossier_ids``, in the order given, read in bulk (what
        rebuilds derived data reads: one query or one file read each, not one `load` each); an
        id not found (erased meanwhile) is skipped, an unreadable or malformed one too, and then
        listed by `corrupt_files()`. `InvalidValueError` for an id that is not D-YYYY-NNNNNN."""
        ...

    def corrupt_files(self) -> dict[str, str]:
        """Dossiers found unreadable or malformed so far, by id, with where they are."""
        ...

    def versions(self, dossier_ids: Iterable[str] | None = None) -> dict[str, str]:
        """A token per readable dossier (of `dossier_ids` only, when given: an id not found is
        left out) that changes whenever its content changes (revision and update time), the
        same after a copy or a restore of the store: derived data (statistics records) is
        rebuilt for exactly the dossiers whose token changed. Cheap (no dossier read when the
        store is up to date)."""
        ...

    def changes_since(self, mark: str | None) -> tuple[str, builtins.list[str] | None]:
        """A mark of the store's contents now, and the ids of the dossiers whose content may
        have changed since `mark` (one this method gave before), in id order. None instead of
        the ids when that cannot be told: no mark, a mark of another store or of a copy, a
        dossier erased or purged since, changes too far back. Derived data then compares every
        version (`versions()`); with the ids it compares only theirs. A backend that keeps no
        log of changes always answers None."""
        ...

    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: DateField = "created_at",
        limit: int | None = None,
    ) -> builtins.list[IndexEntry]:
        """Matching dossiers, most recently updated first (at most `limit`). `search`: every
        word must match name, first name or id, accents and case ignored; digits only match a
        phone number or id (index_entry.Query). Never writes anything."""
        ...

    def iter_list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        agent: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        date_field: DateField = "created_at",
    ) -> Iterator[IndexEntry]:
        """The entries of `list()` with the same filters and order, given one at a time: a
        listing of every dossier (an export) then needs memory for a page, not for 200,000
        entries. Consume it promptly: it reads the index in pages as it goes."""
        ...

    def count(self, *, status: str | None = None) -> int:
        """How many readable dossiers (with this status)."""
        ...

    def count_by_status(self, *, search: str | None = None) -> dict[str, int]:
        """How many readable dossiers match `search` (the search of `list()`; every dossier
        without one), per status (statuses with none left out): what a search found, counted
        by the backend, without listing 200,000 entries for a one-letter search."""
        ...

    def reindex(self) -> None:
        """Rebuild whatever the backend derives from the dossiers to list and search them."""
        ...

    # -- writing the dossier -------------------------------------------------------------------
    def create_dossier(
        self,
        *,
        agent: str,
        questionnaire: str | None = None,
        answers: Mapping[str, JSONValue] | None = None,
        now: datetime | None = None,
    ) -> Dossier:
        """A new dossier in the initial status with the next id of its year (ids are never
        given twice, even after a crash or an erasure); durable before returning."""
        ...

    def import_dossiers(
        self, docs: Iterable[Mapping[str, object]], *, durable: bool = True
    ) -> builtins.list[str]:
        """Add complete documents (demo data, a copy from another store); ids are given here.
        Each is checked against the document's shape first. `durable=False` is for building
        benchmark stores only."""
        ...

    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: Mapping[str, JSONValue],
        unknown: Sequence[str],
        events: Sequence[Mapping[str, JSONValue]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Replace the answers and the unknown list, append the events, audit every answer
        changed after it was first given. With `expected_rev` (the revision the caller built
        its answers from) a dossier changed meanwhile gives `ConflictError`."""
        ...

    def save_answer(
        self,
        dossier_id: str,
        answer_id: str,
        value: JSONValue = None,
        *,
        agent: str,
        raw: str | None = None,
        questionnaire: str | None = None,
        unknown: bool = False,
        now: datetime | None = None,
    ) -> Dossier:
        """Set one answer (or mark it « à compléter ») on the current state, with its event and
        audit row: concurrent callers each keep their own answer."""
        ...

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        """Change the status if the life-cycle allows it (`InvalidTransitionError` otherwise),
        kept in `status_history`."""
        ...

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        """A meeting with the person or a partner (`rencontres`); counts as a contact."""
        ...

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """The commission's decision (accorde: amount > 0) and the matching status."""
        ...

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """A free note (not a contact); an empty note is refused."""
        ...

    def set_fields(
        self, dossier_id: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None, **fields: JSONValue,
    ) -> Dossier:
        """Set free top-level fields (evaluation_sociale, duree_retenue...), audited; the keys
        that carry history or rules (status, answers...) are refused: use their method."""
        ...

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Hand the dossier to another agent, audited."""
        ...

    # -- per-dossier row tables (extension point) --------------------------------------------
    def append_rows(
        self,
        dossier_id: str,
        table: str,
        rows: Sequence[Mapping[str, JSONValue]],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Append rows to the dossier's table `table` (a name `[a-z][a-z0-9_]*`, at most 40
        characters: appointments, documents, partner requests, repayments, letters...), in one
        durable change. Each row gets an id, `at` and `agent`; the appended rows are the last
        ones of `doc["tables"][table]`. Rows are erased with the dossier."""
        ...

    def update_row(
        self,
        dossier_id: str,
        table: str,
        row_id: str,
        changes: Mapping[str, JSONValue],
        *,
        agent: str,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Set keys of one row's `data` (a `None` value is kept as null, not deleted), audited
        like answers (`table` in the audit row). `RecordNotFoundError` for an unknown row."""
        ...

    # -- drafts and interviews in progress ------------------------------------------------------
    def save_draft(self, dossier_id: str, draft: Draft | None, *, token: str) -> None:
        """Keep (or, with None, clear) the text typed but not sent, with the dossier: durable,
        not audited, not a contact, no revision change, erased with the dossier. Only the
        session holding the lease (`token`) may: otherwise `DossierLockedError`."""
        ...

    def begin_interview(self, dossier_id: str, questionnaire: str, *, token: str) -> None:
        """Mark an interview in progress (questionnaire, agent, host, since) on the dossier;
        the lease's holder only. Not content: no revision change."""
        ...

    def end_interview(self, dossier_id: str, *, token: str) -> None:
        """Clear the interview marker and the draft (the interview finished)."""
        ...

    def interrupted_interviews(self, agent: str) -> builtins.list[InterruptedInterview]:
        """The dossiers where `agent` has an interview marked in progress while no live session
        holds the dossier (the app or the terminal was killed): to offer to resume, each with its
        draft. Oldest first."""
        ...

    # -- export register ----------------------------------------------------------------------
    def register_export(
        self, dossier_id: str, *, path: str | None, fmt: str, agent: str,
        now: datetime | None = None,
    ) -> None:
        """Record that a file naming the person was made (path, date, agent, format). Allowed
        while the dossier is open elsewhere (exporting is reading); no revision change."""
        ...

    # -- store-wide records (extension point) ---------------------------------------------------
    def put_record(
        self,
        kind: str,
        record_id: str,
        doc: Mapping[str, JSONValue],
        *,
        dossier_id: str | None = None,
        expected_rev: int | None = None,
    ) -> StoredRecord:
        """Create or replace a record (kind `[a-z][a-z0-9_]*`, id of letters, digits and
        `_.@-`, not starting with a dot): agents, commission sessions... Its revision starts at 1
        and rises with each put; `expected_rev` 0 means « must not exist yet », another value
        must match (`ConflictError` otherwise). Attached to `dossier_id`, it is erased with that
        dossier (forget, purge). Durable."""
        ...

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None: ...

    def list_records(
        self, kind: str | None = None, *, dossier_id: str | None = None
    ) -> builtins.list[StoredRecord]:
        """Records of a kind (every kind with None), optionally only those attached to a
        dossier; in (kind, id) order."""
        ...

    def delete_record(
        self, kind: str, record_id: str, *, expected_rev: int | None = None
    ) -> None:
        """`RecordNotFoundError` when absent; `ConflictError` when `expected_rev` differs."""
        ...

    # -- derived data -----------------------------------------------------------------------
    def derived_dir(self, name: str) -> Path:
        """A private local folder (created, owner only) for data rebuilt from the dossiers, such
        as the statistics records. The store never reads it; whoever writes there erases what
        derives from a forgotten dossier (see app/privacy.py)."""
        ...

    # -- RGPD ---------------------------------------------------------------------------------
    def purge(
        self, *, inactive_days: int = 730, dry_run: bool = False, now: datetime | None = None
    ) -> builtins.list[Erasure]:
        """Erase the dossiers without contact for `inactive_days` (CNIL: 2 years), in id order,
        skipping those open in a live session or contacted since the check; returns what was
        (or, with `dry_run`, would be) erased. Unreadable dossiers are never purged."""
        ...

    def forget(self, dossier_id: str) -> Erasure:
        """Erase everything held on one person: the document (answers, audit, notes, rows,
        draft, exports register), its attached records, its lease and whatever the backend
        keeps to list it. Works on an unreadable dossier too. `DossierLockedError` while it is
        open elsewhere; `DossierNotFoundError` when there is nothing to erase."""
        ...


__all__ = [
    "AuditRow", "ConflictError", "CorruptDossierError", "DateField", "Decision", "Dossier",
    "DossierLease", "DossierLockedError", "DossierNotFoundError", "DossierStore", "Draft",
    "Erasure", "ExportRecord", "IndexEntry", "InterruptedInterview", "InterviewEvent",
    "InterviewMarker", "InvalidTransitionError", "InvalidValueError", "JSONObject", "JSONValue",
    "LeaseInfo", "Meeting", "Note", "RecordNotFoundError", "StatusChange", "StoreError",
    "StoreUnavailableError", "StoredRecord", "TableRow", "dossier_version",
]
