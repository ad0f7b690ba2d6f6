"""Computed values of the data dictionary (budget figures), from ``calculs.yaml``.

The interview's live panel and ``orient`` both go through ``compute`` so they always agree.
Values keep full precision; only the JSON output and the texts round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake_assistant.core.expressions import EvaluationError, Missing
from intake_assistant.core.fields import FieldDef, load_fields
from intake_assistant.orientation.policy import Policy


def answers_env(answers: Mapping[str, Any], unknown: Iterable[str] = (),
                fields: Mapping[str, FieldDef] | None = None) -> dict[str, Any]:
    """Answers as the rules see them.

    A resource or charge never mentioned counts as 0 (its dictionary ``absent`` value), but an
    answer marked unknown stays missing so that the rules ask for it. ``None`` means no answer.
    """
    fields = fields if fields is not None else load_fields()
    unknown = set(unknown)
    env = {k: v for k, v in answers.items() if v is not None and k not in unknown}
    for fid, fdef in fields.items():
        if fid not in env and fid not in unknown and fdef.absent_default is not None:
            env[fid] = fdef.absent_default
        elif fdef.item and isinstance(env.get(fid), list):
            env[fid] = [_with_gaps(fid, fdef.item, item) for item in env[fid]]
    return env


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
