"""The home screen's dossier list: one function (`home_listing`) that the screen calls in a worker.

- A search looks across every status; the status filter then narrows what it found, and the
  listing says how many it found in all (so « 0 dossier » never hides a person who is « en
  évaluation » while the filter shows « À évaluer »).
- Agents are recorded by login (the authenticated identity): the list shows their names.
- A phone intake left before its end (« À évaluer » but questions still unasked) is told apart
  from a finished one: its answers are replayed in the questionnaire (under a millisecond each),
  for the rows shown only, and remembered per dossier version.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from intake_assistant.core.statuses import Status
from intake_assistant.store import DossierStore, IndexEntry, StoreError

from .access import GuardedStore
from .agents import list_agents
from .interviews import make_interview
from .questionnaires import load_questionnaire_by_name

MAX_ROWS = 300
# Intakes checked for completeness per listing (the most recent first): bounds the cost on a
# store where hundreds of phone intakes wait.
MAX_CHECKED = 80


@dataclass(frozen=True)
class HomeRow:
    entry: IndexEntry
    agent_name: str  # the agent's name, or its login when it is not registered
    intake_finished: bool | None = None  # phone intakes awaiting evaluation; None: not checked

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.entry.nom, self.entry.prenom) if p) or "(sans nom)"


@dataclass(frozen=True)
class HomeListing:
    search: str | None
    status: str | None
    rows: list[HomeRow]  # at most MAX_ROWS, most recently updated first
    matched: int  # dossiers matching the search and the filter
    found: int  # dossiers matching the search in every status (= matched without a search)
    found_by_status: dict[str, int] = field(default_factory=dict)  # the search's, per status
    to_evaluate: int = 0
    awaiting_decision: int = 0
    # False: the phone intakes shown are not yet checked for completeness (`with_intakes_checked`
    # does it after the first paint: replaying them costs seconds on a big store's first start).
    complete: bool = True

    @property
    def narrowed(self) -> bool:
        """The filter hides some of what the search found."""
        return self.search is not None and self.found > self.matched


def home_listing(store: DossierStore, *, search: str | None, status: str | None,
                 limit: int = MAX_ROWS, today: date | None = None,
                 check_intakes: bool = True) -> HomeListing:
    search = (search or "").strip() or None
    if search is None:
        entries = store.list(status=status, limit=limit)
        matched = store.count(status=status)
        found, by_status = matched, {}
    else:
        everywhere = store.list(search=search)
        by_status = dict(Counter(e.status for e in everywhere))
        entries = [e for e in everywhere if status is None or e.status == status]
        matched, found = len(entries), len(everywhere)
    names = agent_names(store)
    shown = entries[:limit]
    finished = _intakes_finished(store, shown, today) if check_intakes else {}
    rows = [HomeRow(e, names.get(e.agent or "", e.agent or ""), finished.get(e.id))
            for e in shown]
    complete = check_intakes or not any(e.status == Status.PREMIER_CONTACT for e in shown)
    return HomeListing(search, status, rows, matched, found, by_status,
                       store.count(status=Status.PREMIER_CONTACT),
                       store.count(status=Status.EN_COMMISSION), complete)


def with_intakes_checked(store: DossierStore, listing: HomeListing,
                         today: date | None = None) -> HomeListing:
    """The listing with its phone intakes told finished or not (the second, slower pass)."""
    if listing.complete:
        return listing
    finished = _intakes_finished(store, [row.entry for row in listing.rows], today)
    rows = [replace(row, intake_finished=finished.get(row.id)) for row in listing.rows]
    return replace(listing, rows=rows, complete=True)


def agent_names(store: DossierStore) -> dict[str, str]:
    """login -> name of every registered agent (documents record the login)."""
    try:
        return {a.login: a.name for a in list_agents(store)}
    except StoreError:
        return {}


# dossier id -> (version, finished): a dossier is replayed again only once it has changed.
_finished_cache: dict[str, tuple[str, bool]] = {}
_cache_lock = threading.Lock()


def _intakes_finished(store: DossierStore, entries: list[IndexEntry],
                      today: date | None) -> dict[str, bool]:
    # Completeness says nothing of the content: it is read from the store itself, without an
    # entry in the access log of every dossier the list merely shows.
    raw = store.inner if isinstance(store, GuardedStore) else store
    out: dict[str, bool] = {}
    waiting = [e for e in entries if e.status == Status.PREMIER_CONTACT][:MAX_CHECKED]
    for entry in waiting:
        with _cache_lock:
            hit = _finished_cache.get(entry.id)
        if hit is not None and hit[0] == entry.version:
            out[entry.id] = hit[1]
            continue
        try:
            done = intake_finished(raw, entry.id, today)
        except (StoreError, OSError, ValueError, KeyError):
            continue  # unreadable: the store names it elsewhere (corrupt_files)
        with _cache_lock:
            _finished_cache[entry.id] = (entry.version, done)
        out[entry.id] = done
    return out


def intake_finished(store: DossierStore, dossier_id: str, today: date | None = None) -> bool:
    """Whether the dossier's last interview reached its end (every question that applies was
    answered or marked « ne sait pas »)."""
    doc = store.load(dossier_id)
    names = doc.get("questionnaires") or ["accueil_telephonique"]
    questionnaire = load_questionnaire_by_name(names[-1])
    interview = make_interview(questionnaire, answers=doc.get("answers"),
                               unknown=doc.get("unknown", ()), history=doc.get("events", ()),
                               today=today)
    return interview.finished
