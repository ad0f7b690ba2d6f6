"""Dossier life-cycle of the data dictionary: statuses, allowed changes, derived dates and delays.

Delays are computed from the recorded dates (status history, commission), never typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from intake_assistant.core.statuses import (
    DECISIONS,
    INITIAL_STATUS,
    STATUS_LABELS,
    TERMINAL,
    WAITING,
    Status,
    status_label,
)
from intake_assistant.core.timeutil import parse_day

__all__ = ["DECISIONS", "INITIAL_STATUS", "MEETING_WITH", "STATUSES", "STATUS_LABELS", "TERMINAL",
           "WAITING", "Status", "TransitionError", "allowed_next", "check_status",
           "check_transition", "delays", "label", "last_contact", "step_dates"]


class TransitionError(ValueError):
    """A status or a status change the life-cycle does not allow; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

# The vocabulary (statuses, labels, decisions) is ``statuses``; re-exported for the callers here.
STATUSES = tuple(s.value for s in Status)  # plain strings: argparse choices, messages
MEETING_WITH = ("demandeur", "partenaire")

# The main line of the data dictionary. An adjourned dossier ("ajourné") goes back to instruction
# or to a later commission: adjourning means the commission will look at it again.
_FORWARD: dict[Status, tuple[Status, ...]] = {
    Status.PREMIER_CONTACT: (Status.EN_EVALUATION,),
    Status.EN_EVALUATION: (Status.EN_INSTRUCTION,),
    Status.EN_INSTRUCTION: (Status.EN_COMMISSION,),
    Status.EN_COMMISSION: DECISIONS,
    Status.ACCORDE: (),
    Status.REFUSE: (),
    Status.AJOURNE: (Status.EN_INSTRUCTION, Status.EN_COMMISSION),
    Status.ABANDONNE: (),
    Status.CLOS: (),
}


def allowed_next(status: str) -> tuple[Status, ...]:
    """Statuses reachable from `status`: the main line, plus `abandonne` and `clos`."""
    nexts = list(_FORWARD.get(status, ()))  # type: ignore[call-overload]
    if status not in TERMINAL:
        nexts.append(Status.ABANDONNE)
    if status != Status.CLOS:
        nexts.append(Status.CLOS)
    return tuple(nexts)


def label(status: str) -> str:
    """The one French label of a status (``statuses.STATUS_LABELS``)."""
    return status_label(status)


def check_status(status: str) -> None:
    if status not in STATUSES:
        known = ", ".join(STATUSES)
        raise TransitionError(f"Statut inconnu : « {status} ». Statuts possibles : {known}.")


def check_transition(current: str, new: str) -> None:
    check_status(new)
    if new == current:
        raise TransitionError(f"Le dossier est déjà au statut « {label(new)} ».")
    nexts = allowed_next(current)
    if new not in nexts:
        possible = ", ".join(f"« {label(s)} »" for s in nexts) or "aucun"
        raise TransitionError(
            f"Passage impossible du statut « {label(current)} » au statut « {label(new)} ». "
            f"Statuts possibles depuis « {label(current)} » : {possible}."
        )


def _first_day(dossier: Mapping[str, Any], statuses: tuple[Status, ...]) -> date | None:
    for change in dossier.get("status_history") or []:
        if change.get("status") in statuses:
            return parse_day(change["at"])
    return None


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start is not None and end is not None else None


def step_dates(dossier: Mapping[str, Any]) -> dict[str, date | None]:
    """Dates of the steps: first contact, evaluation start, sent to commission, decision."""
    commission = dossier.get("commission") or {}
    decision = parse_day(commission["date"]) if commission.get("date") else None
    if decision is None:
        decision = _first_day(dossier, DECISIONS)
    return {
        "premier_contact": parse_day(dossier["created_at"]),
        "evaluation": _first_day(dossier, (Status.EN_EVALUATION,)),
        "commission": _first_day(dossier, (Status.EN_COMMISSION,)),
        "decision": decision,
    }


def delays(dossier: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Days between steps (None until a step is reached) and days spent in the current status."""
    steps = step_dates(dossier)
    history = dossier.get("status_history") or []
    since = parse_day(history[-1]["at"]) if history else steps["premier_contact"]
    return {
        "dates": {key: value.isoformat() if value else None for key, value in steps.items()},
        "contact_evaluation": _days(steps["premier_contact"], steps["evaluation"]),
        "evaluation_commission": _days(steps["evaluation"], steps["commission"]),
        "commission_decision": _days(steps["commission"], steps["decision"]),
        "contact_decision": _days(steps["premier_contact"], steps["decision"]),
        "status": dossier.get("status"),
        "days_in_status": _days(since, today),
    }


def last_contact(dossier: Mapping[str, Any]) -> date:
    """Day of the last contact: answer saved, meeting, status change or commission decision.

    Notes and free-text fields written by staff alone are not contacts with the person.
    """
    values = [dossier["created_at"]]
    values += [row["at"] for row in dossier.get("status_history") or [] if row.get("at")]
    values += [row["date"] for row in dossier.get("rencontres") or [] if row.get("date")]
    values += [row["at"] for row in dossier.get("events") or [] if row.get("at")]
    values += [row["at"] for row in dossier.get("audit") or [] if row.get("at")]
    commission = dossier.get("commission") or {}
    if commission.get("date"):
        values.append(commission["date"])
    # Each distinct day parsed once (every one still checked): a dossier's events and audit
    # rows (~100) fall on a few days, and this runs at every save, for the index row.
    days = {value[:10] if isinstance(value, str) else value for value in values}
    return max(parse_day(day) for day in days)


def interview_day(dossier: Mapping[str, Any], today: date) -> date:
    """The day of the last answer given: the orientation of a dossier uses the legal values in
    force that day, so that it stays the same (and explainable) after a revaluation."""
    days = [parse_day(row["at"]) for row in dossier.get("events") or []
            if row.get("at") and row.get("type") in ("answer", "unknown", "repeat", "remove_item")]
    if not days and dossier.get("created_at"):
        days = [parse_day(dossier["created_at"])]
    return min(max(days), today) if days else today
