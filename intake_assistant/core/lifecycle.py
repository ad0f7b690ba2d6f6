"""Dossier life-cycle of the data dictionary: statuses, allowed changes, derived dates and delays.

Delays are computed from the recorded dates (status history, commission), never typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from intake_assistant.core.timeutil import parse_day


class TransitionError(ValueError):
    """A status or a status change the life-cycle does not allow; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

INITIAL_STATUS = "premier_contact"
STATUS_LABELS = {
    "premier_contact": "premier contact",
    "en_evaluation": "en évaluation",
    "en_instruction": "en instruction",
    "en_commission": "en commission",
    "accorde": "accordé",
    "refuse": "refusé",
    "ajourne": "ajourné",
    "abandonne": "abandonné",
    "clos": "clos",
}
STATUSES = tuple(STATUS_LABELS)
DECISIONS = ("accorde", "refuse", "ajourne")
MEETING_WITH = ("demandeur", "partenaire")
TERMINAL = ("abandonne", "clos")

# The main line of the data dictionary. An adjourned dossier ("ajourné") goes back to instruction
# or to a later commission: adjourning means the commission will look at it again.
_FORWARD: dict[str, tuple[str, ...]] = {
    "premier_contact": ("en_evaluation",),
    "en_evaluation": ("en_instruction",),
    "en_instruction": ("en_commission",),
    "en_commission": DECISIONS,
    "accorde": (),
    "refuse": (),
    "ajourne": ("en_instruction", "en_commission"),
    "abandonne": (),
    "clos": (),
}


def allowed_next(status: str) -> tuple[str, ...]:
    """Statuses reachable from `status`: the main line, plus `abandonne` and `clos`."""
    nexts = list(_FORWARD.get(status, ()))
    if status not in TERMINAL:
        nexts.append("abandonne")
    if status != "clos":
        nexts.append("clos")
    return tuple(nexts)


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def check_status(status: str) -> None:
    if status not in STATUS_LABELS:
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


def _first_day(dossier: Mapping[str, Any], statuses: tuple[str, ...]) -> date | None:
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
        "evaluation": _first_day(dossier, ("en_evaluation",)),
        "commission": _first_day(dossier, ("en_commission",)),
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
    days = [parse_day(dossier["created_at"])]
    days += [parse_day(row["at"]) for row in dossier.get("status_history") or [] if row.get("at")]
    days += [parse_day(row["date"]) for row in dossier.get("rencontres") or [] if row.get("date")]
    days += [parse_day(row["at"]) for row in dossier.get("events") or [] if row.get("at")]
    days += [parse_day(row["at"]) for row in dossier.get("audit") or [] if row.get("at")]
    commission = dossier.get("commission") or {}
    if commission.get("date"):
        days.append(parse_day(commission["date"]))
    return max(days)
