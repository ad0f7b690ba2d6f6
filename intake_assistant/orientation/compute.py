"""Computed values of the data dictionary (budget figures), from ``calculs.yaml``.

The interview's live panel and ``orient`` both go through ``compute`` so they always agree.
Values keep full precision; only the JSON output and the texts round.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake_assistant.core.expressions import (
    EvaluationError,
    Expression,
    LazyEnv,
    Missing,
    evaluator,
)
from intake_assistant.core.fields import FieldDef, load_fields
from intake_assistant.orientation.policy import Policy


def answers_env(answers: Mapping[str, Any], unknown: Iterable[str] = (),
                fields: Mapping[str, FieldDef] | None = None) -> dict[str, Any]:
    """Answers as the rules see them.

    A resource or charge never mentioned counts as 0 (its dictionary ``absent`` value), but an
    answer marked unknown stays missing so that the rules ask for it. ``None`` means no answer.
    """
    fill = _filled(load_fields()) if fields is None else _Fill(_fillable(fields))
    # Comprehensions, not one loop over the fields: every statistics record starts here.
    if not unknown and None not in answers.values():  # the usual dossier: a copy in C
        env = dict(answers)
        lacking = {fid: value for fid, value in fill.absent.items() if fid not in env}
    else:
        unknown = set(unknown)
        env = {k: v for k, v in answers.items() if v is not None and k not in unknown}
        lacking = {fid: value for fid, value in fill.absent.items()
                   if fid not in env and fid not in unknown}
    env.update(lacking)  # after the answers, in dictionary order, as the loop added them
    for fid, children in fill.items:  # an item field left out is Missing (_with_gaps)
        if fid not in lacking and isinstance(env.get(fid), list):
            env[fid] = [_with_gaps(fid, children, item) for item in env[fid]]
    return env


class _Fill:
    """What ``answers_env`` fills from a dictionary: the absent value of each field that has
    one (dictionary order), and the fields whose items get their gaps filled (not those filled
    with their absent value)."""

    __slots__ = ("absent", "items")

    def __init__(self, fillable: tuple[tuple[str, Any, Any], ...]) -> None:
        self.absent = {fid: absent for fid, absent, _ in fillable if absent is not None}
        self.items = tuple((fid, children) for fid, _, children in fillable if children)


_FILLED: dict[int, tuple[Mapping[str, FieldDef], _Fill]] = {}


def _fillable(fields: Mapping[str, FieldDef]) -> tuple[tuple[str, Any, Any], ...]:
    """(id, absent value, item fields) of the fields ``answers_env`` may fill, in dictionary
    order: the others are left as answered."""
    return tuple((fid, f.absent_default, f.item) for fid, f in fields.items()
                 if f.absent_default is not None or f.item)


def _filled(fields: Mapping[str, FieldDef]) -> _Fill:
    """``_Fill`` of the dictionary ``load_fields`` keeps (loaded once, read per dossier)."""
    known = _FILLED.get(id(fields))
    if known is not None and known[0] is fields:
        return known[1]
    filled = _Fill(_fillable(fields))
    if len(_FILLED) >= 8:
        _FILLED.clear()
    _FILLED[id(fields)] = (fields, filled)
    return filled


def _with_gaps(fid: str, children: Mapping[str, FieldDef], item: Any) -> Any:
    """An item field left out is Missing, so that ``count(enfants, age >= 14)`` never falls back
    on the applicant's own ``age``."""
    if not isinstance(item, Mapping):
        return item
    return {**{c: Missing({f"{fid}.{c}"}) for c in children}, **item}


def build_env(answers: Mapping[str, Any], policy: Policy, today: date | None = None,
              unknown: Iterable[str] = ()) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(env for the gates, computed values, evaluation errors).

    The env holds parameters, answers and computed values; a computed value that lacks an answer is
    a ``Missing`` naming the answers it needs, and propagates through the gates that read it.
    """
    env: dict[str, Any] = policy.parameter_env(today)
    env.update(answers_env(answers, unknown))
    computed: dict[str, Any] = {}
    errors: list[str] = []
    for cid, calc in policy.calculs.items():
        try:
            value = calc.expression.evaluate(env, today)
        except EvaluationError as exc:
            errors.append(f"{calc.label} ({cid}) : {exc.message}")
            value = Missing({cid})
        env[cid] = computed[cid] = value
    return env, computed, errors


@dataclass(frozen=True)
class _Plan:
    """What ``gate_env`` needs of a policy, worked out once per policy."""

    position: Mapping[str, int]  # evaluation order of the computed values
    needs: Mapping[str, tuple[str, ...]]  # the values each one reads, itself last, in order
    up_front: tuple[str, ...]  # computed before any gate (see gate_env)
    daily: tuple[str, ...]  # computed values of parameters alone: once a day, with them
    reserved: frozenset[str]  # ids of the parameters and computed values
    parameters: dict[date, dict[str, Any]]  # parameter env (and daily values) by day, bounded
    expressions: Mapping[str, Expression]  # of each computed value


_PLANS: dict[int, tuple[Policy, _Plan]] = {}
_PLANS_LOCK = threading.Lock()
_DAYS_KEPT = 4096
_NESTED = 16  # computed values computing others, at most, before their needs are computed in order


def _plan(policy: Policy) -> _Plan:
    with _PLANS_LOCK:
        known = _PLANS.get(id(policy))
        if known is not None and known[0] is policy:
            return known[1]
    calculs = policy.calculs
    position = {cid: i for i, cid in enumerate(calculs)}
    needs: dict[str, tuple[str, ...]] = {}
    for cid, calc in calculs.items():  # dependencies first: theirs are known already
        reads = {n for dep in calc.depends_on if dep in needs for n in needs[dep]}
        needs[cid] = (*sorted(reads, key=position.__getitem__), cid)
    # A name read only inside count()/sum_over() is no dependency (an item field may hold it),
    # so such a value may read one computed after it (so may any value of a policy built out of
    # order): where every value is computed in order (build_env) it finds none. Those values,
    # and what they need, are computed first, in order, before any other can exist.
    early = {n for cid, calc in calculs.items()
             if any(position.get(name, -1) >= position[cid] for name in calc.expression.names)
             for n in needs[cid]}
    # A value reading parameters (and such values) only is the same for every dossier of a
    # day; unless a value before it reads it (then it must find none, as in build_env).
    daily: list[str] = []
    read_before: set[str] = set()
    for cid, calc in calculs.items():
        if cid not in read_before and all(n in policy.parameters or n in daily
                                          for n in calc.expression.names):
            daily.append(cid)
        read_before |= calc.expression.names
    plan = _Plan(position, needs, tuple(sorted(early, key=position.__getitem__)), tuple(daily),
                 frozenset(calculs) | frozenset(policy.parameters), {},
                 {cid: calc.expression for cid, calc in calculs.items()})
    with _PLANS_LOCK:
        if len(_PLANS) >= 8:
            _PLANS.clear()
        _PLANS[id(policy)] = (policy, plan)
    return plan


def gate_env(answers: Mapping[str, Any], policy: Policy, today: date,
             unknown: Iterable[str] = ()) -> dict[str, Any]:
    """The env of ``build_env`` for reading a few values: a computed value is computed the first
    time something reads it (with what it needs), so the gates of an aid already decided cost
    nothing. Every value read is the one ``build_env`` gives: a value sees only the values
    computed before it in ``calculs.yaml``'s order (``up_front``), and answers named like a
    computed value (imported data) take ``build_env`` itself."""
    return _lazy_env(answers, policy, today, unknown, one_reader=False)


def record_env(answers: Mapping[str, Any], policy: Policy, today: date,
               unknown: Iterable[str] = ()) -> dict[str, Any]:
    """``gate_env`` for a caller that reads it in one thread and then drops it (a statistics
    record, reports/records.py): its computed values are evaluated in one context
    (``expressions.evaluator``), which an evaluation in another thread would disturb."""
    return _lazy_env(answers, policy, today, unknown, one_reader=True)


def _lazy_env(answers: Mapping[str, Any], policy: Policy, today: date, unknown: Iterable[str],
              *, one_reader: bool) -> dict[str, Any]:
    plan = _plan(policy)
    given = answers_env(answers, unknown)
    if not plan.reserved.isdisjoint(given):  # answers named like a parameter or a value
        return build_env(answers, policy, today, unknown)[0]
    position, needs, calculs = plan.position, plan.needs, policy.calculs
    parameters = plan.parameters.get(today)
    if parameters is None:
        parameters = policy.parameter_env(today)
        for cid in plan.daily:
            try:
                parameters[cid] = calculs[cid].expression.evaluate(parameters, today)
            except EvaluationError:
                parameters[cid] = Missing({cid})
        if len(plan.parameters) >= _DAYS_KEPT:
            plan.parameters.clear()
        plan.parameters[today] = parameters
    computing: list[int] = []  # positions of the values being computed, innermost last
    expressions = plan.expressions

    def supply(name: str) -> bool:
        at = position.get(name)
        if at is None or (computing and at >= computing[-1]):
            return False  # not a computed value, or one computed after the reader
        if len(computing) < _NESTED:  # what it reads is computed as it reads it (compute, inline)
            computing.append(at)
            try:
                value = run(expressions[name])
            except EvaluationError:
                value = Missing({name})
            finally:
                computing.pop()
            env[name] = value
        else:  # a long chain: what it may read first, in order, so that the stack stays short
            for cid in needs[name]:
                if cid not in env:
                    compute(cid)
        return True

    def compute(cid: str) -> None:
        computing.append(position[cid])
        try:
            value = run(expressions[cid])
        except EvaluationError:
            value = Missing({cid})
        finally:
            computing.pop()
        env[cid] = value

    env = LazyEnv(parameters, supply)
    env.update(given)
    if one_reader:
        run = evaluator(env, today)
    else:
        def run(expression: Expression) -> object:  # a context each: any thread may read
            return expression.evaluate(env, today)
    for cid in plan.up_front:
        if cid not in env:
            compute(cid)
    return env


def compute(answers: dict, policy: Policy, today: date | None = None,
            unknown: Iterable[str] = ()) -> dict[str, object]:
    """Every computed value of ``calculs.yaml``: a number (full precision), a bool, or Missing."""
    return build_env(answers, policy, today, unknown)[1]


def round_half_up(value: Any, decimals: int = 2) -> Any:
    """Numbers rounded the way people do (2.675 -> 2.68); other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return value
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    result = float(rounded)
    return 0.0 if result == 0 else result
