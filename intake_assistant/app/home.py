"""The home screen's dossier list: one function (`home_listing`) that the screen calls in a worker.

- A search looks across every status; the status filter then narrows what it found, and the
  listing says how many it found in all (so « 0 dossier » never hides a person who is « en
  évaluation » while the filter shows « À évaluer »).
- Agents are recorded by login (the authenticated identity): the list shows their names.
- A phone intake left before its end (« À évaluer » but questions still unasked) is told apart
  from a finished one by `app.intake_progress` (a second pass, after the first paint: it needs
  the questionnaire engine, which this module does not import — the list comes up sooner).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake_assistant.core.statuses import Status
from intake_assistant.store import DossierStore, IndexEntry, StoreError

from .agents import list_agents

MAX_ROWS = 300


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
                 limit: int = MAX_ROWS) -> HomeListing:
    """The rows shown (the phone intakes not yet told finished or not: ``complete`` is False
    while some are shown; `app.intake_progress.with_intakes_checked` tells them)."""
    search = (search or "").strip() or None
    if search is None:
        entries = store.list(status=status, limit=limit)
        matched = store.count(status=status)
        found, by_status = matched, {}
    else:  # counted by the backend: a one-letter search must not list 200,000 entries
        by_status = store.count_by_status(search=search)
        entries = store.list(search=search, status=status, limit=limit)
        found = sum(by_status.values())
        matched = found if status is None else by_status.get(status, 0)
    names = agent_names(store)
    shown = entries[:limit]
    rows = [HomeRow(e, names.get(e.agent or "", e.agent or "")) for e in shown]
    complete = not any(e.status == Status.PREMIER_CONTACT for e in shown)
    return HomeListing(search, status, rows, matched, found, by_status,
                       store.count(status=Status.PREMIER_CONTACT),
                       store.count(status=Status.EN_COMMISSION), complete)


def agent_names(store: DossierStore) -> dict[str, str]:
    """login -> name of every registered agent (documents record the login)."""
    try:
        return {a.login: a.name for a in list_agents(store)}
    except StoreError:
        return {}
