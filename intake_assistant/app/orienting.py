"""The orientation and the loan table from a file of answers (``orient``, ``simulate``): the
policy, the orientation with its reasons, the loan rows, as text or JSON-ready data."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from intake_assistant.orientation.build import load_policy
from intake_assistant.orientation.compute import compute, round_half_up
from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.orientation.policy import Policy
from intake_assistant.orientation.report import orientation_text, simulation_text
from intake_assistant.orientation.simulate import SimulationError, simulate

__all__ = ["SimulationError", "known_answer_ids", "load_policy", "orientation_report",
           "simulation_report"]


def known_answer_ids() -> set[str]:
    """Ids an answer file may hold: the dictionary's and every shipped questionnaire's."""
    from intake_assistant.core.fields import load_fields

    from .questionnaires import available_questionnaires

    known = set(load_fields())
    for questionnaire in available_questionnaires():
        known |= {q.id for q in questionnaire.questions()}
    return known


def orientation_report(answers: dict[str, Any], unknown: Iterable[str], today: date,
                       policy: Policy, fmt: str) -> str:
    result = evaluate(answers, policy, today, list(unknown))
    if fmt == "json":
        return json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    return orientation_text(result, policy, today)


def simulation_report(answers: dict[str, Any], unknown: Iterable[str], today: date,
                      policy: Policy, montant: float | None, fmt: str) -> str:
    """The loan table (raises SimulationError, French, when there is nothing to simulate)."""
    unknown = list(unknown)
    rows = simulate(answers, policy, montant, today, unknown)
    computed = compute(answers, policy, today, unknown)
    if fmt == "json":
        rav = computed.get("rav_jour_uc")
        doc = {"rav_jour_uc": None if rav is None or not isinstance(rav, int | float)
               else round_half_up(rav), "rows": [r.to_json() for r in rows]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return simulation_text(rows, policy, computed)
