"""From the evaluation to the commission's decision: one function per thing staff do.

The written assessment and the proposal (dossier fields ``evaluation_sociale`` and
``proposition``, which only social workers and the unit lead read), the documents checklist
(table ``pieces``), the referent (``assign``, audited), commission sessions (records ``seance``),
the decisions per aid (table ``decisions``, then the dossier's decision and status), and letters
from templates (PDF, table ``courriers`` and the export register). Each function writes through
the store contract and returns what the faces show; the rules are ``core.casework``'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.core import lifecycle
from intake_assistant.core.casework import checklist, decisions, letters, proposal, sessions
from intake_assistant.core.casework.sessions import Session
from intake_assistant.core.casework.settings import (
    CommissionSettings,
    load_commission,
    load_documents,
)
from intake_assistant.core.casework.terms import AidTerms, CaseworkError
from intake_assistant.core.french import format_date, format_money, format_percent
from intake_assistant.core.statuses import Status
from intake_assistant.core.timeutil import iso, local_now
from intake_assistant.orientation.aid_terms import AidLine, aid_lines, aid_terms
from intake_assistant.orientation.build import default_policy
from intake_assistant.orientation.compute import build_env
from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.store import Dossier, DossierLease, DossierStore, StoreError

from .agents import get_agent, list_agents
from .settings import ccas_header

ASSESSMENT_FIELD = "evaluation_sociale"
PROPOSAL_FIELD = "proposition"
LETTERS_TABLE = "courriers"
MAX_ASSESSMENT = 50_000

__all__ = ["AssessmentEditor", "CaseworkError", "ChecklistView", "LetterChoice", "SessionEntry",
           "SessionView", "StoreError"]


class CaseworkRefused(StoreError):
    """A casework rule refused the action (French message), shown like a store refusal."""


def _refused(exc: CaseworkError) -> CaseworkRefused:
    return CaseworkRefused(exc.message)


# -- context ---------------------------------------------------------------------------------
def settings() -> CommissionSettings:
    """commission.yaml, its aids checked against the catalogue (FindingsError otherwise)."""
    return load_commission(None, {a.id: a.kind for a in default_policy().aids})


def documents_settings() -> Any:
    from intake_assistant.core.fields import load_fields

    field = load_fields().get("type_projet")
    return load_documents(None, frozenset(c.value for c in field.choices) if field else None)


def terms() -> dict[str, AidTerms]:
    """The aids of commission.yaml with their limits from the policy, in that order."""
    return aid_terms(default_policy(), settings().aids)


def short_name(aid: str) -> str:
    """An aid's name without its parenthesis, for narrow lists (« Avance remboursable du
    CCAS »)."""
    term = terms().get(aid)
    return term.name.split(" (")[0] if term else aid


def reasons(decision: str) -> list[tuple[str, str]]:
    return [(r.id, r.label) for r in settings().reasons(decision)]


def _day(today: date | None) -> date:
    return today or local_now().date()


def _computed(doc: Mapping[str, Any], today: date) -> Mapping[str, Any]:
    _, computed, _ = build_env(dict(doc.get("answers") or {}), default_policy(),
                               lifecycle.interview_day(doc, today), doc.get("unknown") or ())
    return computed


def agent_name(store: DossierStore, login: str | None) -> str:
    """The agent's name from its record, else the login as stored."""
    if not login:
        return "—"
    try:
        agent = get_agent(store, login)
    except StoreError:
        agent = None
    return agent.name if agent else login


def _identity(store: DossierStore) -> Any:
    return getattr(store, "identity", None)


def _require(store: DossierStore, action: str) -> None:
    identity = _identity(store)
    if identity is not None:
        from .access import require

        require(identity, action)


# -- written assessment ----------------------------------------------------------------------
def _check_assessment(text: str) -> str:
    if len(text) > MAX_ASSESSMENT:
        raise CaseworkRefused(f"Évaluation trop longue ({len(text)} caractères, "
                              f"{MAX_ASSESSMENT} au plus).")
    return text.rstrip()


def write_assessment(store: DossierStore, dossier_id: str, text: str, *, agent: str,
                     expected_rev: int | None = None) -> Dossier:
    """The social evaluation, written for the commission (replaces the previous text, audited)."""
    fields: dict[str, Any] = {ASSESSMENT_FIELD: _check_assessment(text) or None}
    return store.set_fields(dossier_id, agent=agent, expected_rev=expected_rev, **fields)


class AssessmentEditor:
    """The assessment open for writing: the dossier is leased (no one else edits it meanwhile),
    every pause in typing keeps the text as the dossier's draft (durable, like an answer being
    typed), and ``save`` writes it into the dossier. A killed editor loses nothing: reopening
    gives the draft back."""

    def __init__(self, store: DossierStore, dossier_id: str, *, agent: str) -> None:
        self.store, self.dossier_id, self.agent = store, dossier_id, agent
        self.lease: DossierLease = store.session(dossier_id, agent=agent)
        try:
            doc = store.load(dossier_id)
        except BaseException:
            self.lease.close()
            raise
        self.saved_text = str(doc.get(ASSESSMENT_FIELD) or "")
        draft = doc.get("draft")
        self.restored = bool(draft and draft.get("path") == ASSESSMENT_FIELD
                             and draft.get("text") != self.saved_text)
        self.text = str(draft["text"]) if draft and self.restored else self.saved_text
        self.rev = int(doc.get("rev") or 0)

    @property
    def dirty(self) -> bool:
        return self.text.rstrip() != self.saved_text.rstrip()

    def autosave(self, text: str) -> None:
        """Keep the text typed so far (not yet the dossier's assessment)."""
        self.text = text
        _check_assessment(text)
        draft = {"path": ASSESSMENT_FIELD, "text": text} if self.dirty else None
        self.store.save_draft(self.dossier_id, draft, token=self.lease.token)  # type: ignore[arg-type]

    def save(self, text: str | None = None) -> Dossier:
        if text is not None:
            self.text = text
        doc = write_assessment(self.store, self.dossier_id, self.text, agent=self.agent)
        self.saved_text = str(doc.get(ASSESSMENT_FIELD) or "")
        self.rev = int(doc.get("rev") or self.rev)
        with suppress(StoreError):
            self.store.save_draft(self.dossier_id, None, token=self.lease.token)
        return doc

    def close(self) -> None:
        self.lease.close()


def open_assessment(store: DossierStore, dossier_id: str, *, agent: str) -> AssessmentEditor:
    _require(store, "evaluation")
    return AssessmentEditor(store, dossier_id, agent=agent)


# -- proposal --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProposalView:
    lines: list[AidLine]
    rav_after: float | None  # per day and UC, once every instalment is paid
    arguments: str
    warnings: list[str]
    floor: float


def proposal_view(doc: Mapping[str, Any], today: date | None = None) -> ProposalView | None:
    raw = doc.get(PROPOSAL_FIELD)
    if not isinstance(raw, Mapping) or not raw.get("aides"):
        return None
    day = _day(today)
    policy = default_policy()
    lines, after = aid_lines(raw["aides"], terms(), _computed(doc, day), policy)
    answers = doc.get("answers") or {}
    asked = answers.get("montant_demande")
    cost = answers.get("cout_projet")
    warns = proposal.proposal_warnings(raw, asked if isinstance(asked, int | float) else None,
                                       cost if isinstance(cost, int | float) else None)
    floor = float(policy.parameter_env()["rav.plancher_jour_uc"])
    if after is not None and after < floor:
        warns.append(f"Reste à vivre après les remboursements sous le plancher ({after:.2f} € "
                     f"par jour et par UC, plancher {floor:.2f} €).".replace(".", ",", 2))
    return ProposalView(lines, after, str(raw.get("arguments") or ""), warns, floor)


def set_proposal(store: DossierStore, dossier_id: str, items: Sequence[Mapping[str, Any]],
                 arguments: str, *, agent: str, today: date | None = None
                 ) -> tuple[Dossier, ProposalView | None]:
    """The aids proposed to the commission (amount, duration) and the arguments; the
    instalments come from the one loan simulation. Returns the dossier and what to show."""
    try:
        doc = proposal.check_proposal(items, arguments, terms())
    except CaseworkError as exc:
        raise _refused(exc) from None
    doc = {**doc, "at": iso(local_now()), "agent": agent}
    fields: dict[str, Any] = {PROPOSAL_FIELD: doc}
    saved = store.set_fields(dossier_id, agent=agent, **fields)
    return saved, proposal_view(saved, today)


# -- referent --------------------------------------------------------------------------------
def social_workers(store: DossierStore) -> list[tuple[str, str]]:
    """(login, name) of the active social workers, to choose a referent."""
    return [(a.login, a.name) for a in list_agents(store)
            if a.active and a.role == "travailleur_social"]


def set_referent(store: DossierStore, dossier_id: str, login: str, *, agent: str) -> Dossier:
    """Hand the dossier to a social worker (the reassignment is in the audit trail)."""
    known = get_agent(store, login)
    if known is None or not known.active:
        raise CaseworkRefused(f"« {login} » n'est pas un agent actif (intake-assistant agents "
                              "list).")
    if known.role != "travailleur_social":
        raise CaseworkRefused(f"{known.name} n'est pas travailleur social : le référent d'un "
                              "dossier est un travailleur social.")
    doc = store.load(dossier_id)
    if doc.get("agent") == login:
        raise CaseworkRefused(f"{known.name} est déjà référent(e) du dossier {dossier_id}.")
    return store.assign(dossier_id, login, agent=agent, expected_rev=doc["rev"])


def take_over_at_evaluation(store: DossierStore, doc: Dossier) -> Dossier:
    """The social worker who starts the evaluation becomes the referent (reception handed over):
    called when the evaluation starts. Without an identity (tests, demo tools) nothing changes."""
    identity = _identity(store)
    if identity is None or identity.role != "travailleur_social":
        return doc
    if doc.get("agent") == identity.login:
        return doc
    return store.assign(doc["id"], identity.login, agent=identity.login,
                        expected_rev=doc["rev"])


def referent_history(store: DossierStore, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(when, from, to) of each change of referent, oldest first."""
    out = []
    for row in doc.get("audit") or ():
        if row.get("field") and row.get("id") == "agent":
            out.append((str(row.get("at")), agent_name(store, row.get("old")),
                        agent_name(store, row.get("new"))))
    return out


# -- documents checklist -----------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistView:
    rows: list[Mapping[str, Any]]  # active rows first, then those no longer asked
    missing: list[Mapping[str, Any]]
    complete: bool
    aids: list[str] = field(default_factory=list)  # aids it was built from

    @property
    def active(self) -> list[Mapping[str, Any]]:
        return [r for r in self.rows if checklist.is_active(r)]


def _rows(doc: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
    return list((doc.get("tables") or {}).get(table) or ())


def checklist_view(doc: Mapping[str, Any]) -> ChecklistView:
    rows = _rows(doc, checklist.TABLE)
    ordered = [r for r in rows if checklist.is_active(r)] + \
        [r for r in rows if not checklist.is_active(r)]
    return ChecklistView(ordered, checklist.missing(rows), checklist.complete(rows))


def _checklist_aids(doc: Mapping[str, Any], today: date) -> list[str]:
    """The proposed aids; before any proposal, the commission's aids the orientation finds
    eligible or to check."""
    raw = doc.get(PROPOSAL_FIELD)
    if isinstance(raw, Mapping) and raw.get("aides"):
        return [str(a["aid"]) for a in raw["aides"]]
    result = evaluate(dict(doc.get("answers") or {}), default_policy(),
                      lifecycle.interview_day(doc, today), doc.get("unknown") or ())
    wanted = set(settings().aids)
    return [s.aid for s in result.suggestions if s.aid in wanted and s.status != "not_eligible"]


def build_checklist(store: DossierStore, dossier_id: str, *, agent: str,
                    today: date | None = None) -> ChecklistView:
    """Make (or bring up to date) the list of documents from the proposed aids' « à apporter »
    and the project type: new items are requested today, received ones stay received."""
    day = _day(today)
    doc = store.load(dossier_id)
    aids = _checklist_aids(doc, day)
    policy = default_policy()
    bring = [(aid, policy.aid(aid).bring) for aid in aids]
    project = (doc.get("answers") or {}).get("type_projet")
    needed = checklist.needed_documents(bring, project if isinstance(project, str) else None,
                                        documents_settings())
    new, changes = checklist.merge(_rows(doc, checklist.TABLE), needed, day.isoformat())
    for row_id, change in changes:
        doc = store.update_row(dossier_id, checklist.TABLE, row_id, change, agent=agent)
    if new:
        doc = store.append_rows(dossier_id, checklist.TABLE, new, agent=agent)
    view = checklist_view(doc)
    return ChecklistView(view.rows, view.missing, view.complete, aids)


def add_document(store: DossierStore, dossier_id: str, label: str, *, agent: str,
                 today: date | None = None) -> ChecklistView:
    try:
        item = checklist.manual_item(label, _day(today).isoformat())
    except CaseworkError as exc:
        raise _refused(exc) from None
    return checklist_view(store.append_rows(dossier_id, checklist.TABLE, [item], agent=agent))


def mark_document(store: DossierStore, dossier_id: str, ref: str, state: str, *, agent: str,
                  day: date | None = None) -> ChecklistView:
    """An item requested, received or not applicable, on ``day`` (today by default); ``ref``:
    its number in the list, its id, or the start of its label."""
    doc = store.load(dossier_id)
    try:
        row = checklist.find_row(_rows(doc, checklist.TABLE), ref)
        change = checklist.state_change(row, state, _day(day).isoformat())
    except CaseworkError as exc:
        raise _refused(exc) from None
    return checklist_view(store.update_row(dossier_id, checklist.TABLE, row["id"], change,
                                           agent=agent, expected_rev=doc["rev"]))


# -- commission sessions ---------------------------------------------------------------------
def list_sessions(store: DossierStore) -> list[Session]:
    """Every session, the most recent first."""
    out = [Session.from_record(r["id"], r["doc"], r["rev"])
           for r in store.list_records(sessions.KIND)]
    return sorted(out, key=lambda s: (s.date, s.id), reverse=True)


def get_session(store: DossierStore, session_id: str) -> Session:
    record = store.get_record(sessions.KIND, session_id)
    if record is None:
        raise CaseworkRefused(f"Séance inconnue : « {session_id} » (intake-assistant session "
                              "list).")
    return Session.from_record(record["id"], record["doc"], record["rev"])


def _put_session(store: DossierStore, session: Session, *, new: bool = False) -> Session:
    _require(store, "decision")
    record = store.put_record(sessions.KIND, session.id, session.to_doc(),
                              expected_rev=0 if new else session.rev)
    return Session.from_record(record["id"], record["doc"], record["rev"])


def create_session(store: DossierStore, *, day: date, time: str | None = None,
                   place: str | None = None) -> Session:
    conf = settings()
    try:
        session = Session(sessions.new_id(day, [s.id for s in list_sessions(store)]),
                          day.isoformat(), sessions.check_time(time or conf.time),
                          sessions.check_place(place or conf.place), ())
    except CaseworkError as exc:
        raise _refused(exc) from None
    return _put_session(store, session, new=True)


def update_session(store: DossierStore, session_id: str, *, day: date | None = None,
                   time: str | None = None, place: str | None = None,
                   today: date | None = None) -> Session:
    session = get_session(store, session_id)
    if _decided_dossiers(store, session):
        if day is not None and day.isoformat() != session.date:
            raise CaseworkRefused("Des décisions ont été prises à cette séance : sa date (la "
                                  "date des décisions) ne peut plus changer.")
    try:
        changed = Session(session.id, (day.isoformat() if day else session.date),
                          sessions.check_time(time) if time else session.time,
                          sessions.check_place(place) if place else session.place,
                          session.agenda, session.rev)
    except CaseworkError as exc:
        raise _refused(exc) from None
    return _put_session(store, changed)


def _decided_dossiers(store: DossierStore, session: Session) -> set[str]:
    out = set()
    for dossier_id in session.agenda:
        with suppress(StoreError):
            doc = store.load(dossier_id)
            if session_decisions(doc, session.id):
                out.add(dossier_id)
    return out


def add_to_session(store: DossierStore, session_id: str, dossier_id: str, *, agent: str,
                   today: date | None = None) -> tuple[Session, list[str]]:
    """Put the dossier on the agenda (it goes « En commission »); returns the session and what
    the commission will find lacking (documents, assessment, proposal)."""
    day = _day(today)
    session = get_session(store, session_id)
    if session.held(day) and session.date != day.isoformat():
        raise CaseworkRefused(f"La séance du {format_date(session.date)} a déjà eu lieu : "
                              "inscrivez le dossier à une prochaine séance.")
    other = sessions.pending_session(list_sessions(store), dossier_id, day)
    if other is not None and other.id != session.id:
        raise CaseworkRefused(f"Le dossier {dossier_id} est déjà inscrit à la séance du "
                              f"{format_date(other.date)} : retirez-le d'abord de celle-ci.")
    doc = store.load(dossier_id)
    status = doc["status"]
    if status not in (Status.EN_INSTRUCTION, Status.AJOURNE, Status.EN_COMMISSION):
        raise CaseworkRefused(
            f"Le dossier {dossier_id} est « {lifecycle.label(status)} » : seul un dossier en "
            "instruction (ou ajourné) est inscrit en commission. Passez-le d'abord « En "
            "instruction » (touche s) quand l'évaluation est terminée.")
    try:
        updated = sessions.with_dossier(session, dossier_id)
    except CaseworkError as exc:
        raise _refused(exc) from None
    updated = _put_session(store, updated)
    if status != Status.EN_COMMISSION:
        doc = store.set_status(dossier_id, Status.EN_COMMISSION, agent=agent,
                               note=f"Inscrit à la séance du {format_date(session.date)}")
    return updated, readiness(doc)


def readiness(doc: Mapping[str, Any]) -> list[str]:
    """What the commission would find lacking in the dossier (warnings, not refusals)."""
    out = []
    if not str(doc.get(ASSESSMENT_FIELD) or "").strip():
        out.append("L'évaluation sociale n'est pas rédigée.")
    if not doc.get(PROPOSAL_FIELD):
        out.append("Aucune proposition d'aide n'est faite.")
    view = checklist_view(doc)
    if not view.rows:
        out.append("La liste des pièces justificatives n'est pas établie.")
    elif view.missing:
        out.append(f"Dossier incomplet : {len(view.missing)} pièce(s) manquante(s).")
    return out


def remove_from_session(store: DossierStore, session_id: str, dossier_id: str) -> Session:
    session = get_session(store, session_id)
    if dossier_id in _decided_dossiers(store, session):
        raise CaseworkRefused(f"La commission a décidé sur le dossier {dossier_id} à cette "
                              "séance : il reste à son ordre du jour.")
    try:
        return _put_session(store, sessions.without_dossier(session, dossier_id))
    except CaseworkError as exc:
        raise _refused(exc) from None


def move_in_session(store: DossierStore, session_id: str, dossier_id: str,
                    delta: int) -> Session:
    try:
        return _put_session(store, sessions.moved(get_session(store, session_id), dossier_id,
                                                  delta))
    except CaseworkError as exc:
        raise _refused(exc) from None


@dataclass(frozen=True)
class SessionEntry:
    dossier_id: str
    name: str
    status: str
    project: str
    complete: bool | None  # None: no checklist yet
    decided: list[Mapping[str, Any]]  # this session's decisions on the dossier
    readable: bool = True


@dataclass(frozen=True)
class SessionView:
    session: Session
    entries: list[SessionEntry]


def session_view(store: DossierStore, session_id: str) -> SessionView:
    from intake_assistant.core.fields import load_fields

    session = get_session(store, session_id)
    field = load_fields().get("type_projet")
    labels = {c.value: c.label for c in field.choices} if field else {}
    entries = []
    for dossier_id in session.agenda:
        try:
            doc = store.load(dossier_id)
        except StoreError:  # erased (RGPD) or damaged: still shown, as such
            entries.append(SessionEntry(dossier_id, "(dossier illisible ou effacé)", "", "",
                                        None, [], readable=False))
            continue
        answers = doc.get("answers") or {}
        name = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k))
        view = checklist_view(doc)
        entries.append(SessionEntry(
            dossier_id, name or "(sans nom)", doc["status"],
            labels.get(str(answers.get("type_projet")), "—"),
            view.complete if view.rows else None, session_decisions(doc, session.id)))
    return SessionView(session, entries)


# -- decisions --------------------------------------------------------------------------------
def session_decisions(doc: Mapping[str, Any], session_id: str) -> list[Mapping[str, Any]]:
    return [r["data"] for r in _rows(doc, decisions.TABLE) if r["data"].get("seance") == session_id]


def decide(store: DossierStore, session_id: str, dossier_id: str,
           items: Sequence[Mapping[str, Any]], *, agent: str,
           today: date | None = None) -> Dossier:
    """The commission's decision on each aid of the dossier at this session (a grant and a loan
    are two items); the decision date is the session's. The dossier then takes the decision
    that follows from its aids' (``decisions.dossier_decision``)."""
    _require(store, "decision")
    day = _day(today)
    session = get_session(store, session_id)
    if dossier_id not in session.agenda:
        raise CaseworkRefused(f"Le dossier {dossier_id} n'est pas à l'ordre du jour de la "
                              f"séance du {format_date(session.date)}.")
    if not session.held(day):
        raise CaseworkRefused(f"La séance du {format_date(session.date)} n'a pas encore eu "
                              "lieu : la décision s'enregistre le jour de la séance ou après.")
    doc = store.load(dossier_id)
    if session_decisions(doc, session.id):
        if doc["status"] == Status.EN_COMMISSION:  # an earlier run stopped between two writes
            return _apply_dossier_decision(store, doc, session, agent)
        raise CaseworkRefused(f"La décision de la séance du {format_date(session.date)} est "
                              f"déjà enregistrée pour le dossier {dossier_id}.")
    if doc["status"] != Status.EN_COMMISSION:
        raise CaseworkRefused(f"Le dossier {dossier_id} est « {lifecycle.label(doc['status'])} »"
                              " : il n'attend pas de décision de la commission.")
    known = terms()
    try:
        rows = decisions.check_decisions(items, known, settings())
    except CaseworkError as exc:
        raise _refused(exc) from None
    computed = _computed(doc, day)
    lines, _ = aid_lines(rows, known, computed, default_policy())
    for row, line in zip(rows, lines, strict=True):
        row.update(seance=session.id, date=session.date,
                   mensualite=None if line.mensualite is None else round(line.mensualite, 2))
    doc = store.append_rows(dossier_id, decisions.TABLE, rows, agent=agent,
                            expected_rev=doc["rev"])
    return _apply_dossier_decision(store, doc, session, agent)


def _apply_dossier_decision(store: DossierStore, doc: Dossier, session: Session,
                            agent: str) -> Dossier:
    latest = decisions.latest_by_aid(_rows(doc, decisions.TABLE))
    overall = decisions.dossier_decision(latest)
    names = {k: t.name for k, t in terms().items()}
    total = decisions.granted_total(latest)
    return store.record_decision(
        doc["id"], date=session.date, decision=overall,
        montant_accorde=total if overall == Status.ACCORDE else None,
        conditions=decisions.conditions_text(latest, names), agent=agent,
        expected_rev=doc["rev"])


def decision_lines(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every per-aid decision of the dossier, oldest first."""
    return [r["data"] for r in _rows(doc, decisions.TABLE)]


# -- letters ----------------------------------------------------------------------------------
def templates() -> dict[str, letters.Template]:
    from intake_assistant.core.casework.settings import letters_dir
    from intake_assistant.core.findings import FindingsError, errors_of

    found, findings = letters.read_templates(letters_dir())
    if errors_of(findings):
        raise FindingsError(errors_of(findings))
    return found


@dataclass(frozen=True)
class LetterChoice:
    template: letters.Template
    missing: str | None  # why it cannot be written now (None: it can)


def _last_decided_session(store: DossierStore, doc: Mapping[str, Any]) -> Session | None:
    ids = [str(r["data"].get("seance")) for r in _rows(doc, decisions.TABLE)]
    for session_id in reversed(ids):
        with suppress(StoreError):
            return get_session(store, session_id)
    return None


def _aid_text(d: Mapping[str, Any], names: Mapping[str, str]) -> str:
    name = names.get(str(d["aid"]), str(d["aid"]))
    if d["decision"] == Status.ACCORDE:
        text = f"{name} : {format_money(d['montant'])}"
        if d.get("duree_mois"):
            text += f" remboursable en {d['duree_mois']} mois"
            if d.get("mensualite") is not None:
                rate = d.get("taux_annuel") or 0
                text += f" (mensualité de {format_money(d['mensualite'], 2)}"
                text += f", taux annuel {format_percent(rate, 2)})" if rate else ", sans intérêts)"
        if d.get("conditions"):
            text += f" — condition : {d['conditions']}"
        return text
    return f"{name} — motif : {d.get('motif_label') or d.get('motif')}"


def letter_values(store: DossierStore, doc: Mapping[str, Any], *, today: date,
                  appointment: Mapping[str, str] | None = None) -> dict[str, letters.Value]:
    from intake_assistant.core.fields import load_fields

    ccas = ccas_header()
    answers = doc.get("answers") or {}
    field = load_fields().get("type_projet")
    labels = {c.value: c.label for c in field.choices} if field else {}
    names = {k: t.name for k, t in terms().items()}
    view = checklist_view(doc)
    session = _last_decided_session(store, doc)
    this = session_decisions(doc, session.id) if session else []

    def money(value: Any) -> str:
        return format_money(value) if isinstance(value, int | float) else ""

    values: dict[str, letters.Value] = {
        "date_du_jour": format_date(today), "ccas.nom": ccas.name, "ccas.service": ccas.service,
        "ccas.telephone": ccas.phone, "ccas.courriel": ccas.email, "ccas.ville": ccas.city,
        "ccas.signataire": ccas.signatory, "ccas.qualite": ccas.signatory_title,
        "banque.nom": ccas.bank_name,
        "personne.nom": str(answers.get("nom") or ""),
        "personne.prenom": str(answers.get("prenom") or ""),
        "personne.nom_complet": " ".join(str(answers[k]) for k in ("prenom", "nom")
                                         if answers.get(k)),
        "personne.commune": str(answers.get("commune_residence") or ""),
        "dossier.numero": str(doc["id"]),
        "referent.nom": agent_name(store, doc.get("agent")),
        "projet.type": labels.get(str(answers.get("type_projet")), "votre projet"),
        "projet.montant_demande": money(answers.get("montant_demande")),
        "projet.cout": money(answers.get("cout_projet")),
        "pieces.a_fournir": [str(r["data"]["libelle"]) for r in view.active
                             if r["data"].get("etat") != "sans_objet"],
        "pieces.manquantes": [str(r["data"]["libelle"]) for r in view.missing],
        "seance.date": format_date(session.date) if session else "",
        "seance.lieu": session.place if session else "",
        "decision.aides_accordees": [_aid_text(d, names) for d in this
                                     if d["decision"] == Status.ACCORDE],
        "decision.aides_refusees": [_aid_text(d, names) for d in this
                                    if d["decision"] == Status.REFUSE],
        "decision.aides_ajournees": [_aid_text(d, names) for d in this
                                     if d["decision"] == Status.AJOURNE],
        "decision.total_accorde": money(sum(d["montant"] or 0 for d in this
                                            if d["decision"] == Status.ACCORDE)),
        "decision.conditions": decisions.conditions_text(
            {str(d["aid"]): d for d in this if d["decision"] == Status.ACCORDE}, names),
    }
    micro = next((d for d in this if d["aid"] == "microcredit_personnel"
                  and d["decision"] == Status.ACCORDE), None)
    if micro:
        values.update({"microcredit.montant": money(micro["montant"]),
                       "microcredit.duree": f"{micro['duree_mois']} mois",
                       "microcredit.taux": format_percent(micro.get("taux_annuel") or 0, 2),
                       "microcredit.mensualite": format_money(micro["mensualite"], 2)
                       if micro.get("mensualite") is not None else ""})
    appointment = appointment or {}
    values.update({"rendez_vous.date": appointment.get("date", ""),
                   "rendez_vous.heure": appointment.get("heure", ""),
                   "rendez_vous.lieu": appointment.get("lieu", "")})
    return values


def _missing_requirement(template: letters.Template, values: Mapping[str, Any]) -> str | None:
    checks = {
        "rendez_vous": bool(values.get("rendez_vous.date")),
        "seance": bool(values.get("seance.date")),
        "decision_accord": bool(values.get("decision.aides_accordees")),
        "decision_refus": bool(values.get("decision.aides_refusees")),
        "decision_ajournement": bool(values.get("decision.aides_ajournees")),
        "microcredit_accorde": bool(values.get("microcredit.montant")),
    }
    for need in template.requires:
        if not checks.get(need, False):
            return f"il faut {letters.REQUIREMENTS[need]}"
    return None


def letter_choices(store: DossierStore, dossier_id: str, *, today: date | None = None
                   ) -> list[LetterChoice]:
    """Every template, and for each why it cannot be written yet (a decision letter before the
    decision…). An appointment is typed when writing, so it never bars a letter here."""
    doc = store.load(dossier_id)
    values = letter_values(store, doc, today=_day(today),
                           appointment={"date": "x"})
    return [LetterChoice(t, _missing_requirement(t, values)) for t in templates().values()]


@dataclass(frozen=True)
class LetterResult:
    path: Path
    subject: str
    body: str


def write_letter(store: DossierStore, dossier_id: str, template_id: str,
                 output: str | Path | None = None, *, agent: str, today: date | None = None,
                 appointment: Mapping[str, str] | None = None) -> LetterResult:
    """Fill the template, write the PDF (owner-only file), and keep in the dossier what was
    sent, when and by whom (table ``courriers``, export register)."""
    from intake_assistant.reports.letters import letter_pdf

    day = _day(today)
    found = templates()
    template = found.get(template_id)
    if template is None:
        raise CaseworkRefused(f"Modèle de courrier inconnu : « {template_id} » (modèles : "
                              f"{', '.join(found)}).")
    if template.about_decision:
        _require(store, "decision")
    doc = store.load(dossier_id)
    values = letter_values(store, doc, today=day, appointment=appointment)
    missing = _missing_requirement(template, values)
    if missing:
        raise CaseworkRefused(f"Courrier « {template.title} » impossible pour le dossier "
                              f"{dossier_id} : {missing}.")
    subject = letters.fill_subject(template, values)
    body = letters.fill(template, values)
    recipient = _recipient(template, values)
    pdf = letter_pdf(ccas_header(), recipient=recipient, subject=subject, body=body,
                     day=day, reference=str(doc["id"]))
    path = Path(output) if output else Path(f"{dossier_id}-{template_id}.pdf")
    _write_private(path, pdf)
    try:
        store.register_export(dossier_id, path=str(path.resolve()), fmt="pdf", agent=agent)
        store.append_rows(dossier_id, LETTERS_TABLE, [{
            "modele": template.id, "titre": template.title, "destinataire": template.recipient,
            "objet": subject, "date": day.isoformat(), "fichier": str(path.resolve()),
            "texte": body}], agent=agent)
    except StoreError:
        with suppress(OSError):
            path.unlink()
        raise
    return LetterResult(path, subject, body)


def _recipient(template: letters.Template, values: Mapping[str, Any]) -> list[str]:
    if template.recipient == "banque":
        ccas = ccas_header()
        return [ccas.bank_name, *ccas.bank_address]
    lines = [str(values.get("personne.nom_complet") or "")]
    if values.get("personne.commune"):
        lines.append(str(values["personne.commune"]))
    return [line for line in lines if line]


def letters_sent(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [{**r["data"], "agent": r.get("agent"), "at": r.get("at")}
            for r in _rows(doc, LETTERS_TABLE)]


def documents_pdf(store: DossierStore, dossier_id: str, output: str | Path | None = None, *,
                  agent: str, today: date | None = None) -> Path:
    """The printable list of documents for the person (received ones ticked)."""
    from intake_assistant.reports.letters import checklist_pdf

    day = _day(today)
    doc = store.load(dossier_id)
    view = checklist_view(doc)
    if not view.rows:
        raise CaseworkRefused("La liste des pièces n'est pas encore établie (touche j, puis b ; "
                              "ou intake-assistant documents ID --etablir).")
    answers = doc.get("answers") or {}
    who = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k))
    items = [(str(r["data"]["libelle"]), str(r["data"].get("etat")),
              r["data"].get("recue_le")) for r in view.active]
    pdf = checklist_pdf(ccas_header(), person=who, dossier_id=str(doc["id"]),
                        referent=agent_name(store, doc.get("agent")), items=items, day=day)
    path = Path(output) if output else Path(f"{dossier_id}-pieces.pdf")
    _write_private(path, pdf)
    try:
        store.register_export(dossier_id, path=str(path.resolve()), fmt="pdf", agent=agent)
    except StoreError:
        with suppress(OSError):
            path.unlink()
        raise
    return path


# -- the commission's documents ------------------------------------------------------------------
def session_pdf(store: DossierStore, session_id: str, output: str | Path | None = None, *,
                agent: str, today: date | None = None) -> Path:
    """One PDF for the session: the agenda, then each dossier's summary (written assessment,
    proposal, missing documents, decisions per aid), entered in each dossier's export register."""
    from intake_assistant.reports.commission import session_document

    _require(store, "export_dossier")
    day = _day(today)
    view = session_view(store, session_id)
    docs = [store.load(e.dossier_id) for e in view.entries if e.readable]
    names = {d["id"]: agent_name(store, d.get("agent")) for d in docs}
    pdf = session_document(view.session, docs, today=day, referents=names)
    path = Path(output) if output else Path(f"seance-{view.session.id}.pdf")
    _write_private(path, pdf)
    try:
        for doc in docs:
            store.register_export(doc["id"], path=str(path.resolve()), fmt="pdf", agent=agent)
    except StoreError:
        with suppress(OSError):
            path.unlink()
        raise
    return path


def _write_private(path: Path, data: bytes) -> None:
    """A document naming a person: readable by its owner only, like the store (CNIL)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


# -- what the dossier screen shows ---------------------------------------------------------------
@dataclass(frozen=True)
class CaseworkPanel:
    referent: str
    referents: list[tuple[str, str, str]]  # (when, from, to)
    assessment: str | None  # None: not readable by this role, "" : not written
    draft: bool  # an autosaved assessment not yet saved
    proposal: ProposalView | None
    checklist: ChecklistView
    session: Session | None  # the last session whose agenda holds the dossier
    decisions: list[Mapping[str, Any]]
    letters: list[Mapping[str, Any]]
    names: dict[str, str]


def dossier_panel(store: DossierStore, doc: Mapping[str, Any],
                  today: date | None = None) -> CaseworkPanel:
    """Everything of the casework the dossier screen shows, read once (in a worker thread)."""
    identity = _identity(store)
    readable = identity is None or identity.may("lire_evaluation")
    draft = doc.get("draft") or {}
    mine = sessions.latest_session_of(list_sessions(store), str(doc["id"]))
    return CaseworkPanel(
        agent_name(store, doc.get("agent")), referent_history(store, doc),
        str(doc.get(ASSESSMENT_FIELD) or "") if readable else None,
        draft.get("path") == ASSESSMENT_FIELD,
        proposal_view(doc, today) if readable else None, checklist_view(doc), mine,
        decision_lines(doc), letters_sent(doc), {k: t.name for k, t in terms().items()})


def decision_session(store: DossierStore, dossier_id: str, today: date | None = None
                     ) -> Session:
    """The session whose decision on the dossier is to be recorded now: the last one holding it
    on its agenda, already held, without a decision on it yet."""
    day = _day(today)
    doc = store.load(dossier_id)
    mine = [s for s in list_sessions(store) if dossier_id in s.agenda]
    if not mine:
        raise CaseworkRefused(f"Le dossier {dossier_id} n'est inscrit à aucune séance : "
                              "inscrivez-le depuis l'écran Commission (F6).")
    for session in mine:  # most recent first
        if session.held(day) and not session_decisions(doc, session.id):
            return session
    coming = [s for s in mine if not s.held(day)]
    if coming:
        raise CaseworkRefused(f"La séance du {format_date(coming[-1].date)} n'a pas encore eu "
                              "lieu : la décision s'enregistre le jour de la séance ou après.")
    raise CaseworkRefused(f"La décision de la séance du {format_date(mine[0].date)} est déjà "
                          "enregistrée.")


def decision_defaults(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The aids to decide on, prefilled from the proposal (all the commission's aids without)."""
    raw = doc.get(PROPOSAL_FIELD)
    if isinstance(raw, Mapping) and raw.get("aides"):
        return [dict(a) for a in raw["aides"]]
    return [{"aid": aid, "montant": None, "duree_mois": None} for aid in settings().aids]
