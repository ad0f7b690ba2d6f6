"""The changes of a dossier's content: answers, status, meetings, the commission's decision,
notes, free fields, the agent in charge. Each builds its change from the dossier as it is in the
database (its row locked), so concurrent writers of one dossier each keep their change."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from intake_assistant.core import lifecycle
from intake_assistant.core.timeutil import iso, local_now

from ..api import Dossier
from ..audit import answer_changes, field_changes
from ..changes import answer_change, status_change
from ..errors import InvalidValueError
from .checks import check_day, check_json, check_transition
from .documents import META_KEYS, OTHER_KEYS, ROW_TABLES
from .writing import Change, Writing, touch

# Keys that only dedicated methods may change (they carry history or life-cycle rules).
_PROTECTED = frozenset({*META_KEYS, *ROW_TABLES, *OTHER_KEYS})


class Changes(Writing):
    def save_answers(
        self,
        dossier_id: str,
        *,
        answers: dict[str, Any],
        unknown: builtins.list[str],
        events: builtins.list[dict[str, Any]],
        agent: str,
        questionnaire: str | None = None,
        now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Replace the answers and unknown list, append `events`, audit every changed answer;
        committed before returning. A stale `expected_rev` raises ConflictError, nothing
        written."""
        new_answers, new_unknown = dict(answers), list(dict.fromkeys(unknown))
        check_json(new_answers, "les réponses")
        check_json(events, "le journal de l'entretien")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at, expected_rev)
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
    ) -> Dossier:
        """Set one answer (or mark it unknown) on the current state of the dossier, with its
        event and audit row; concurrent callers each keep their own answer."""
        check_json(value, answer_id)
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at)
            fields, rows = answer_change(doc, answer_id, value, unknown=unknown,
                                         questionnaire=questionnaire, raw=raw, agent=agent, at=at)
            meta.update(fields)
            return meta, rows

        return self._update(dossier_id, build)

    def set_status(
        self, dossier_id: str, status: str, *, agent: str, note: str | None = None,
        now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at, expected_rev)
            check_transition(doc["status"], status)
            meta.update(status_change(doc, status, agent=agent, note=note, at=at))
            return meta, {}

        return self._update(dossier_id, build)

    def add_meeting(
        self, dossier_id: str, *, date: str, avec: str, partenaire: str | None, note: str,
        agent: str, now: datetime | None = None, expected_rev: int | None = None,
    ) -> Dossier:
        day = check_day(date, "la rencontre")
        if avec not in lifecycle.MEETING_WITH:
            raise InvalidValueError(
                f"Rencontre avec « {avec} » : choisir « demandeur » ou « partenaire »."
            )
        if avec == "partenaire" and not (partenaire or "").strip():
            raise InvalidValueError("Indiquez le nom du partenaire rencontré.")
        at = iso(local_now(now))
        meeting = {"date": day, "avec": avec, "partenaire": partenaire or None, "note": note,
                   "agent": agent, "at": at}
        return self._update(dossier_id, lambda doc: (touch(doc, at, expected_rev),
                                                     {"rencontres": [meeting]}))

    def record_decision(
        self, dossier_id: str, *, date: str, decision: str, montant_accorde: float | None,
        conditions: str, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Record the commission's decision and move the dossier to that status."""
        day = check_day(date, "la commission")
        if decision not in lifecycle.DECISIONS:
            raise InvalidValueError(
                f"Décision inconnue : « {decision} » (accorde, refuse ou ajourne)."
            )
        if decision == "accorde" and not (
            isinstance(montant_accorde, int | float) and montant_accorde > 0
        ):
            raise InvalidValueError("Un accord doit indiquer le montant accordé (plus de 0 €).")
        if montant_accorde is not None and not isinstance(montant_accorde, int | float):
            raise InvalidValueError("Le montant accordé doit être un nombre.")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            touch(doc, at, expected_rev)
            check_transition(doc["status"], decision)
            commission = {"date": day, "decision": decision, "montant_accorde": montant_accorde,
                          "conditions": conditions, "agent": agent, "at": at}
            change = {"status": decision, "at": at, "agent": agent}
            meta = touch(doc, at, expected_rev)
            meta.update(status=decision, commission=commission,
                        status_history=[*doc["status_history"], change])
            return meta, {}

        return self._update(dossier_id, build)

    def add_note(
        self, dossier_id: str, text: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        if not text.strip():
            raise InvalidValueError("La note est vide.")
        at = iso(local_now(now))
        note = {"at": at, "agent": agent, "text": text}
        return self._update(dossier_id, lambda doc: (touch(doc, at, expected_rev),
                                                     {"notes": [note]}))

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
        check_json(fields, "les champs du dossier")
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at, expected_rev)  # a stale caller still hears of it
            audit = field_changes(doc, fields, agent=agent, at=at)
            if not audit:
                return {}, {}
            meta.update(fields)
            return meta, {"audit": audit}

        return self._update(dossier_id, build)

    def assign(
        self, dossier_id: str, agent_in_charge: str, *, agent: str, now: datetime | None = None,
        expected_rev: int | None = None,
    ) -> Dossier:
        """Hand the dossier to another agent (e.g. reception -> social worker), audited."""
        at = iso(local_now(now))

        def build(doc: dict[str, Any]) -> Change:
            meta = touch(doc, at, expected_rev)
            audit = field_changes(doc, {"agent": agent_in_charge}, agent=agent, at=at)
            meta["agent"] = agent_in_charge
            return meta, {"audit": audit}

        return self._update(dossier_id, build)
