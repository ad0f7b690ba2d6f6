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
                       policy: Policy, fmt: str, *, estimate: bool = False) -> str:
    """The orientation as text or JSON; with ``estimate``, OpenFisca's amounts beside each status
    (or a plain message when the extra is not installed)."""
    unknown = list(unknown)
    result = evaluate(answers, policy, today, unknown)
    estimates = None
    if estimate:
        from .estimates import shared_service

        service = shared_service()
        try:
            estimates = service.estimate(answers, today, set(unknown))
        finally:
            service.close()
    if fmt == "json":
        doc = result.to_json()
        if estimates is not None:
            doc["estimates"] = estimates.to_json()
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    texts = None
    if estimates is not None:
        texts = {aid: t for aid in estimates.by_aid if (t := estimates.text(aid))}
    return orientation_text(result, policy, today, texts,
                            estimates.message if estimates is not None else "")


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
