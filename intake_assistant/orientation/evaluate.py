"""Evaluate every aid of the catalogue against the answers: one status per aid, every reason.

Status rule (the same for every aid, so a local aid is only YAML):
- a ``not_eligible`` gate whose condition is true -> ``not_eligible``;
- else a gate that lacks an answer, or a ``to_check`` gate whose condition is true -> ``to_check``;
- else the aid's default status (``eligible``, or ``to_check`` for rights the paying body computes).
A gate never decides silently on a missing answer: it yields ``to_check`` and names the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake_assistant.core.expressions import EvaluationError, interpolate, is_missing
from intake_assistant.core.fields import load_fields
from intake_assistant.orientation.compute import build_env, round_half_up
from intake_assistant.orientation.formatting import format_with_unit, plain_value
from intake_assistant.orientation.policy import Aid, DatedValue, Gate, Parameter, Policy, Template

_RANK = {"eligible": 0, "to_check": 1, "not_eligible": 2}


@dataclass(frozen=True)
class GateResult:
    id: str
    label: str
    state: str  # "met" | "failed" | "missing"
    effect: str  # what a failed gate yields: "not_eligible" | "to_check"
    reason: str
    parameters: tuple[str, ...]
    needs: tuple[str, ...]
    sources: tuple[str, ...] = ()  # the dated legal values behind the reason, with their texts

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "state": self.state, "effect": self.effect,
                "reason": self.reason, "parameters": list(self.parameters),
                "needs": list(self.needs), "sources": list(self.sources)}


@dataclass(frozen=True)
class Suggestion:
    aid: str
    name: str
    kind: str
    status: str
    reasons: tuple[str, ...]
    orient_to: str
    bring: tuple[str, ...]
    parameters: tuple[str, ...]
    needs: tuple[str, ...]
    gates: tuple[GateResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"aid": self.aid, "name": self.name, "status": self.status,
                "reasons": list(self.reasons), "orient_to": self.orient_to,
                "parameters": list(self.parameters), "needs": list(self.needs),
                "kind": self.kind, "bring": list(self.bring),
                "gates": [g.to_json() for g in self.gates]}


@dataclass(frozen=True)
class Orientation:
    computed: Mapping[str, Any]  # full precision; Missing where an answer is lacking
    missing: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]  # eligible, then to_check, then not_eligible
    errors: tuple[str, ...] = ()
    on: date | None = None  # the date whose parameter values were used
    parameter_values: Mapping[str, DatedValue] = field(default_factory=dict)

    def suggestion(self, aid_id: str) -> Suggestion:
        return next(s for s in self.suggestions if s.aid == aid_id)

    def to_json(self) -> dict[str, Any]:
        """The ``orient --format json`` document: figures rounded to the cent (half-up)."""
        out: dict[str, Any] = {
            "computed": {k: None if is_missing(v) else round_half_up(v)
                         for k, v in self.computed.items()},
            "missing": list(self.missing),
            "suggestions": [s.to_json() for s in self.suggestions],
        }
        if self.errors:
            out["errors"] = list(self.errors)
        if self.on is not None:
            out["date"] = self.on.isoformat()
        # The value, date and text of every parameter used: the orientation stays explainable
        # after a revaluation (the parameters file keeps every dated value).
        out["parameters"] = {pid: dv.to_json() for pid, dv in self.parameter_values.items()}
        return out


def _field_label(fid: str) -> str:
    field = load_fields().get(fid)
    return f"{field.label} ({fid})" if field and field.label != fid else fid


def _render(template: Template, env: Mapping[str, Any], today: date | None) -> str:
    try:
        return interpolate(template.source, env, today, plain_value)
    except EvaluationError as exc:  # never hide the verdict behind a formatting problem
        return f"{template.source} [calcul impossible : {exc.message}]"


def source_text(p: Parameter, day: date | None) -> str:
    """« Montant forfaitaire du RSA : 651,69 € par mois depuis le 01/04/2026 (décret …) »."""
    from intake_assistant.core.french import format_date

    dv = p.at(day)
    since = f" depuis le {format_date(dv.start)}" if dv.start else ""
    return f"{p.label} : {format_with_unit(dv.value, p.unit)}{since} ({dv.source})"


def _sources(gate: Gate, parameters: Mapping[str, Parameter],
             today: date | None) -> tuple[str, ...]:
    return tuple(source_text(parameters[pid], today) for pid in gate.cited if pid in parameters)


def _gate(gate: Gate, env: Mapping[str, Any], today: date | None,
          parameters: Mapping[str, Any]) -> GateResult:
    try:
        value = gate.fails_when.evaluate(env, today)
    except EvaluationError as exc:
        reason = f"{gate.label} : à vérifier, calcul impossible ({exc.message})"
        return GateResult(gate.id, gate.label, "missing", gate.status, reason, gate.parameters, ())
    if is_missing(value):
        needs = tuple(sorted(n for n in value.names if n not in parameters))
        listed = ", ".join(_field_label(n) for n in needs)
        reason = f"{gate.label} : à vérifier, réponse manquante : {listed}"
        return GateResult(gate.id, gate.label, "missing", gate.status, reason, gate.parameters,
                          needs)
    failed = bool(value)
    reason = _render(gate.failed if failed else gate.met, env, today)
    return GateResult(gate.id, gate.label, "failed" if failed else "met", gate.status, reason,
                      gate.parameters, (), _sources(gate, parameters, today))


def _reason_order(result: GateResult) -> int:
    if result.state == "failed":
        return 0 if result.effect == "not_eligible" else 1
    return 2 if result.state == "missing" else 3


def resolve_status(failed: set[str], missing: bool, default: str) -> str:
    """The one status rule: a failed bar wins, then anything missing or to check, else the
    aid's default status."""
    if "not_eligible" in failed:
        return "not_eligible"
    if missing or "to_check" in failed:
        return "to_check"
    return default


def evaluate_aid(aid: Aid, env: Mapping[str, Any], today: date | None,
                 parameters: Mapping[str, Any]) -> Suggestion:
    results = tuple(_gate(g, env, today, parameters) for g in aid.gates)
    failed = {r.effect for r in results if r.state == "failed"}
    status = resolve_status(failed, any(r.state == "missing" for r in results), aid.default_status)
    reasons = [r.reason for r in sorted(results, key=_reason_order)]
    if aid.default_reason is not None and status != "not_eligible":
        reasons.append(_render(aid.default_reason, env, today))
    needs: set[str] = set()
    if status != "not_eligible":  # once a gate bars the aid, other answers change nothing
        needs = {n for r in results for n in r.needs}
    orient_to = aid.orient_to
    if aid.orient_to_template is not None:
        orient_to = _render(aid.orient_to_template, env, today)
        if "…" in orient_to or "calcul impossible" in orient_to:  # an answer still missing
            orient_to = interpolate(aid.orient_to_template.source, {"organisme_payeur": "CAF"},
                                    today, plain_value) if aid.orient_to_template.names == {
                                        "organisme_payeur"} else aid.orient_to
    return Suggestion(aid.id, aid.name, aid.kind, status, tuple(reasons), orient_to,
                      aid.bring, aid.parameters, tuple(_dictionary_order(needs)), results)


def _dictionary_order(ids: Iterable[str]) -> list[str]:
    order = {fid: i for i, fid in enumerate(load_fields())}
    return sorted(set(ids), key=lambda fid: (order.get(fid, len(order)), fid))


def evaluate(answers: dict, policy: Policy, today: date | None = None,
             unknown: Iterable[str] = ()) -> Orientation:
    """Computed values and one suggestion per aid of the catalogue, ranked by status."""
    env, computed, errors = build_env(answers, policy, today, unknown)
    parameters = policy.parameters
    suggestions = [evaluate_aid(aid, env, today, parameters) for aid in policy.aids]
    suggestions.sort(key=lambda s: _RANK[s.status])  # stable: catalogue order within a status
    missing = {n for s in suggestions for n in s.needs}
    for value in computed.values():
        if is_missing(value):
            missing |= {n for n in value.names if n not in parameters and n not in computed}
    used = sorted({pid for s in suggestions for pid in s.parameters})
    return Orientation(computed, tuple(_dictionary_order(missing)), tuple(suggestions),
                       tuple(errors), today or date.today(), policy.parameter_values(used, today))
