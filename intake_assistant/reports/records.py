"""One name-free statistics record per dossier: what the aggregates need and nothing else.

A record holds no name, phone or birth date (only an age band), so the record cache and anything
built from it can only ever leak aggregates. The orientation is evaluated on the day the answers
were last changed: that is what was suggested to the person, and it makes a record depend on the
dossier file alone (so it can be cached until the file changes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from operator import itemgetter
from typing import Any

from intake_assistant.core.casework import decisions
from intake_assistant.core.expressions import (
    EvaluationError,
    Expression,
    LazyEnv,
    Missing,
    evaluator,
)
from intake_assistant.core.lifecycle import step_dates
from intake_assistant.core.statuses import DECISIONS, WAITING, AidStatus, Status
from intake_assistant.core.timeutil import parse_day
from intake_assistant.orientation.compute import record_env
from intake_assistant.orientation.evaluate import resolve_status
from intake_assistant.orientation.policy import Policy

# Position on the main line; a decision or an adjournment implies the commission was reached.
STAGE = {Status.PREMIER_CONTACT: 0, Status.EN_EVALUATION: 1, Status.EN_INSTRUCTION: 2,
         Status.EN_COMMISSION: 3, Status.ACCORDE: 4, Status.REFUSE: 4, Status.AJOURNE: 4}
OPEN_STATUSES = WAITING
# One letter per orientation status keeps 50,000 cached records small.
STATUS_CODES = {AidStatus.ELIGIBLE: "E", AidStatus.TO_CHECK: "V", AidStatus.NOT_ELIGIBLE: "N"}
CODE_STATUSES = {code: status for status, code in STATUS_CODES.items()}

AGE_BANDS = (("moins_25", 0, 24), ("25_34", 25, 34), ("35_44", 35, 44), ("45_54", 45, 54),
             ("55_64", 55, 64), ("65_plus", 65, 200))
HOUSEHOLDS = ("seul_sans_enfant", "seul_avec_enfants", "couple_sans_enfant",
              "couple_avec_enfants")


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def age_band(birth: Any, on: date) -> str | None:
    try:
        born = date.fromisoformat(str(birth)[:10])
    except ValueError:
        return None
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((band for band, low, high in AGE_BANDS if low <= years <= high), None)


def household_type(answers: Mapping[str, Any]) -> str | None:
    situation = answers.get("situation_familiale")
    if situation not in ("seul", "couple"):
        return None
    children = answers.get("enfants")
    if not isinstance(children, list):
        return None
    return f"{situation}_{'avec_enfants' if children else 'sans_enfant'}"


def orientation_statuses(answers: Mapping[str, Any], unknown: Iterable[str], policy: Policy,
                         today: date) -> str:
    """The status of every aid, one letter each in catalogue order.

    The same rule as ``orientation.evaluate`` (``resolve_status``) without rendering the
    reasons, and stopping as soon as an aid's status is known: its ``not_eligible`` gates first
    (one that fails decides), then, unless one lacked an answer (``to_check`` already), its other
    gates until one fails or lacks an answer. Computed values are computed only when a gate
    reads them (``record_env``, a ``gate_env``). Tests check it agrees with
    ``orientation.evaluate`` and with the evaluation of every gate on demo dossiers.
    """
    env = record_env(answers, policy, today, unknown)
    run = evaluator(env, today)  # one context for every gate of the dossier (this thread's)
    try:
        return "".join([_aid_status(bars, checks, default, run)
                        for bars, checks, default in _gates(policy)])
    finally:
        if isinstance(env, LazyEnv):  # its values reference it: freed now, not by the collector
            env.supply = _no_value


def _no_value(name: str) -> bool:
    return False


# Per policy: for each aid in catalogue order, its not_eligible gates' conditions, its other
# gates' conditions with whether a failure means to_check, and its default status.
_AidGates = tuple[tuple[Expression, ...], tuple[tuple[Expression, bool], ...], str]
_GATES: dict[int, tuple[Policy, tuple[_AidGates, ...]]] = {}


def _gates(policy: Policy) -> tuple[_AidGates, ...]:
    known = _GATES.get(id(policy))
    if known is not None and known[0] is policy:
        return known[1]
    gates = tuple(
        (tuple(g.fails_when for g in aid.gates if g.status == AidStatus.NOT_ELIGIBLE),
         tuple((g.fails_when, g.status == AidStatus.TO_CHECK) for g in aid.gates
               if g.status != AidStatus.NOT_ELIGIBLE),
         aid.default_status)
        for aid in policy.aids)
    if len(_GATES) >= 8:
        _GATES.clear()
    _GATES[id(policy)] = (policy, gates)
    return gates


def _aid_status(bars: tuple[Expression, ...], checks: tuple[tuple[Expression, bool], ...],
                default: str, run: Callable[[Expression], object]) -> str:
    missing = False
    for condition in bars:
        try:
            value = run(condition)
        except EvaluationError:
            missing = True
            continue
        if isinstance(value, Missing):
            missing = True
        elif value:
            return _NOT_ELIGIBLE  # a failed bar wins over everything else
    if missing:
        return _TO_CHECK
    for condition, to_check in checks:
        try:
            value = run(condition)
        except EvaluationError:
            return _TO_CHECK
        if isinstance(value, Missing) or (value and to_check):
            return _TO_CHECK
    return STATUS_CODES[resolve_status(set(), False, default)]


_NOT_ELIGIBLE = STATUS_CODES[AidStatus.NOT_ELIGIBLE]
_TO_CHECK = STATUS_CODES[AidStatus.TO_CHECK]


def answers_day(dossier: Mapping[str, Any]) -> date:
    """The day the answers were last changed (last interview event), else the first contact."""
    events = dossier.get("events") or ()
    try:  # every event dated with text, as written: the latest in one pass without a call each
        last = max(map(_AT, events), default=None)
    except (KeyError, TypeError):
        last = None
    if type(last) is not str or not last:  # else only the events with a date count
        last = max(filter(None, [row.get("at") for row in events]), default=None)
    return parse_day(last if last is not None else dossier["created_at"])


_AT = itemgetter("at")


def build_record(dossier: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    answers = dossier.get("answers") or {}
    history = dossier.get("status_history") or []
    steps = step_dates(dossier)
    created = steps["premier_contact"]
    commission = dossier.get("commission") or {}
    decision = commission.get("decision")
    reached = {row.get("status") for row in history}
    if decision is None:  # a decision recorded only in the history (imported dossiers)
        decision = next((s.value for s in DECISIONS if s in reached), None)
    stage = max((STAGE.get(s, 0) for s in reached | {dossier.get("status")}), default=0)
    status = dossier.get("status")
    since = parse_day(history[-1]["at"]) if history else created
    return {
        "id": dossier["id"],
        "created": created.isoformat(),
        "status": status,
        "stage": stage,
        "decision": decision,
        "granted_ever": decision == Status.ACCORDE or Status.ACCORDE in reached,
        "refused_ever": decision == Status.REFUSE or Status.REFUSE in reached,
        "abandoned": Status.ABANDONNE in reached,
        "since": since.isoformat(),
        "evaluation": _iso(steps["evaluation"]),
        "commission": _iso(steps["commission"]),
        "decided": _iso(steps["decision"]),
        "type_projet": answers.get("type_projet") if isinstance(answers.get("type_projet"), str)
        else None,
        "household": household_type(answers),
        "age_band": age_band(answers.get("date_naissance"), created),
        "commune": _commune(answers.get("commune_residence")),
        "montant_demande": _number(answers.get("montant_demande")),
        "montant_accorde": _number(commission.get("montant_accorde")),
        "orientation": orientation_statuses(answers, dossier.get("unknown") or (), policy,
                                            answers_day(dossier)),
        "aids": aid_decisions(dossier),
    }


def aid_decisions(dossier: Mapping[str, Any]) -> list[list[Any]]:
    """[aid, decision, amount granted, reason id, reason label] for the decision in force on
    each aid (the commission's per-aid decisions, app/casework.py)."""
    rows = ((dossier.get("tables") or {}).get(decisions.TABLE)) or []
    return [[aid, d.get("decision"), _number(d.get("montant")), d.get("motif"),
             d.get("motif_label")]
            for aid, d in decisions.latest_by_aid(rows).items()]


# The keys of a record, in the order the record cache stores them.
RECORD_FIELDS = ("id", "created", "status", "stage", "decision", "granted_ever", "refused_ever",
                 "abandoned", "since", "evaluation", "commission", "decided", "type_projet",
                 "household", "age_band", "commune", "montant_demande", "montant_accorde",
                 "orientation", "aids")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _commune(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())
