"""Dossier actions and the dossier as the screens show it.

One function per thing staff do on a dossier (meeting, status, decision, abandon, note, export);
each writes through the store contract and returns the new document. `dossier_view` gathers what
the dossier screen shows (answers replayed in their questionnaire, orientation, loan simulation,
delays) so that no screen computes anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.core import lifecycle
from intake_assistant.core.engine import Interview
from intake_assistant.core.fields import load_fields
from intake_assistant.core.model import Questionnaire
from intake_assistant.core.qtypes import display_value
from intake_assistant.orientation.build import default_policy
from intake_assistant.orientation.evaluate import Orientation, evaluate
from intake_assistant.orientation.simulate import (  # noqa: F401 (labels for the screens)
    PRODUCT_SHORT_LABELS,
    SimulationError,
    SimulationRow,
    simulate,
)
from intake_assistant.store import Dossier, DossierStore, StoreError

from .interviews import make_interview
from .questionnaires import load_questionnaire_by_name
from .records_upkeep import dossier_saved

DECISION_STATUSES = lifecycle.DECISIONS


@dataclass(frozen=True)
class AuditLine:
    at: str | None
    agent: str | None
    label: str
    old: str | None  # None for a first value
    new: str


@dataclass
class DossierView:
    doc: Dossier
    questionnaire: Questionnaire  # the questionnaire that covers the most (sections, labels)
    interview: Interview  # the dossier replayed in it (transcript, what is left)
    orientation: Orientation
    simulation: list[SimulationRow]
    simulation_error: str
    delays: dict[str, Any]
    audit: list[AuditLine]

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """Statuses a change of status may pick (decisions have their own form)."""
        return tuple(s for s in lifecycle.allowed_next(self.doc["status"])
                     if s not in DECISION_STATUSES)


def _audit_line(questionnaire: Questionnaire, row: Mapping[str, Any]) -> AuditLine:
    """An audit row as staff read it: the field's label and values shown like answers."""
    fid = str(row.get("id") or "")
    field = load_fields().get(fid)
    try:
        question = questionnaire.question(fid)
    except KeyError:
        question = None
    old_raw, new_raw = row.get("old"), row.get("new")
    if question is None:
        old, new, label = str(old_raw), str(new_raw), fid
    else:
        label = field.label if field is not None else fid
        old = display_value(question, old_raw)
        new = "à compléter" if row.get("unknown") else display_value(question, new_raw)
    return AuditLine(row.get("at"), row.get("agent"), label,
                     old if old_raw is not None else None, new)


def dossier_view(store: DossierStore, dossier_id: str, today: date) -> DossierView:
    doc = store.load(dossier_id)
    from .questionnaires import questionnaire_path

    # The evaluation covers the most; else the last questionnaire used that still exists (a
    # questionnaire renamed or retired since must not make the dossier unreadable).
    names = [n for n in doc.get("questionnaires") or () if questionnaire_path(n).exists()]
    names = names or ["accueil_telephonique"]
    name = "evaluation" if "evaluation" in names else names[-1]
    questionnaire = load_questionnaire_by_name(name)
    interview = make_interview(questionnaire, answers=doc.get("answers"),
                               unknown=doc.get("unknown", ()), today=today)
    policy = default_policy()
    answers, unknown = doc.get("answers") or {}, doc.get("unknown") or []
    # the values in force on the day of the interview (explainable after a revaluation)
    orientation = evaluate(answers, policy, lifecycle.interview_day(doc, today), unknown)
    try:
        rows, error = simulate(answers, policy, today=today, unknown=unknown), ""
    except SimulationError as exc:
        rows, error = [], exc.message
    audit = [_audit_line(questionnaire, row) for row in reversed(doc.get("audit") or [])]
    return DossierView(doc, questionnaire, interview, orientation, rows, error,
                       lifecycle.delays(doc, today), audit)


def resume_questionnaire(store: DossierStore, dossier_id: str, role: str | None) -> str:
    """The questionnaire to continue a dossier with: the last one used, else the role's."""
    from .questionnaires import questionnaire_for_role

    done = store.load(dossier_id).get("questionnaires") or []
    return done[-1] if done else questionnaire_for_role(role)


# -- actions ---------------------------------------------------------------------------------------
# Each saved change also has the dossier's statistics record refreshed (records_upkeep: a note
# taken here, the work done by a thread of the process after the save).
def add_meeting(store: DossierStore, dossier_id: str, *, agent: str, date: str, avec: str,
                partenaire: str | None, note: str) -> Dossier:
    doc = store.add_meeting(dossier_id, date=date, avec=avec, partenaire=partenaire, note=note,
                            agent=agent)
    dossier_saved(store, dossier_id)
    return doc


def set_status(store: DossierStore, dossier_id: str, status: str, *, agent: str,
               note: str | None = None) -> Dossier:
    doc = store.set_status(dossier_id, status, agent=agent, note=note)
    dossier_saved(store, dossier_id)
    return doc


def abandon(store: DossierStore, dossier_id: str, *, agent: str) -> Dossier:
    doc = store.set_status(dossier_id, lifecycle.Status.ABANDONNE, agent=agent)
    dossier_saved(store, dossier_id)
    return doc


def record_decision(store: DossierStore, dossier_id: str, *, agent: str, date: str,
                    decision: str, montant_accorde: float | None, conditions: str) -> Dossier:
    doc = store.record_decision(dossier_id, date=date, decision=decision,
                                montant_accorde=montant_accorde, conditions=conditions,
                                agent=agent)
    dossier_saved(store, dossier_id)
    return doc


def add_note(store: DossierStore, dossier_id: str, text: str, *, agent: str) -> Dossier:
    doc = store.add_note(dossier_id, text, agent=agent)
    dossier_saved(store, dossier_id)
    return doc


def export_summary(store: DossierStore, dossier_id: str, fmt: str,
                   output: str | Path | None = None, *, today: date | None = None,
                   agent: str = "", estimate: bool = False) -> Path | str:
    """The commission summary of one dossier (pdf, md or json), entered in the dossier's export
    register (file, date, agent, format) so that forgetting the person lists the file to destroy.
    A file that cannot be registered is removed again: no untracked copy of a person's data.
    ``estimate``: with OpenFisca's estimated amounts (optional extra; without it the summary is
    the same, minus the amounts)."""
    from intake_assistant.reports.commission import export_dossier

    texts = None
    if estimate:
        texts = estimate_texts(store.load(dossier_id), today or date.today())
    from intake_assistant.app.settings import issuer

    result = export_dossier(store, dossier_id, fmt, output, today=today, estimates=texts,
                            issuer=issuer())
    path = str(result.resolve()) if isinstance(result, Path) else None
    try:
        store.register_export(dossier_id, path=path, fmt=fmt, agent=agent)
    except StoreError:
        if isinstance(result, Path):
            with suppress(OSError):
                result.unlink()
        raise
    return result


def estimate_texts(doc: Dossier, today: date) -> dict[str, str]:
    """« montant estimé : … selon OpenFisca-France » per aid of a dossier ({} without the extra)."""
    from .estimates import shared_service

    result = shared_service().estimate(doc.get("answers") or {}, today,
                                       set(doc.get("unknown") or ()))
    return {aid: text for aid in result.by_aid if (text := result.text(aid))}
