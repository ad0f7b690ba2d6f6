"""The six personas give exactly the listed statuses and computed values, through the CLI and the
Python API."""

from __future__ import annotations

import json

import pytest

from intake_assistant.cli import main
from intake_assistant.orientation import evaluate as evaluate_module
from intake_assistant.orientation.compute import compute
from intake_assistant.orientation.lint import POLICY_AIDS

from .conftest import PERSONA_IDS, PERSONAS, TODAY, persona


def run_orient_json(capsys, path: str, *extra: str) -> dict:
    code = main(["orient", path, "--format", "json", "--date", TODAY.isoformat(), *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_cli_json_statuses_and_figures(pid, capsys, write_answers):
    case = persona(pid)
    doc = run_orient_json(capsys, write_answers(case["answers"]))
    assert set(doc) == {"computed", "missing", "suggestions", "date", "parameters"}
    # the orientation records the dated values it used (explainable after a revaluation)
    assert doc["date"] == TODAY.isoformat()
    rsa = doc["parameters"]["rsa.montant_forfaitaire"]
    assert rsa == {"from": "2026-04-01", "value": 651.69,
                   "source": "Décret n° 2026-220 du 30 mars 2026, art. 1"}
    assert doc["parameters"]["commune_ccas"]["from"] is None  # a local value
    statuses = {s["aid"]: s["status"] for s in doc["suggestions"]}
    assert statuses == case["expect"]
    for cid, expected in case["computed"].items():
        assert doc["computed"][cid] == pytest.approx(expected, abs=0.0049), cid
    assert doc["missing"] == []


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_python_api(pid, policy):
    case = persona(pid)
    result = evaluate_module.evaluate(case["answers"], policy, TODAY)
    assert {s.aid: s.status for s in result.suggestions} == case["expect"]
    values = compute(case["answers"], policy, TODAY)
    for cid, expected in case["computed"].items():
        assert round(values[cid], 2) == pytest.approx(expected), cid
    assert result.to_json()["suggestions"] == [s.to_json() for s in result.suggestions]


def test_suggestion_shape_and_ranking(capsys, write_answers):
    doc = run_orient_json(capsys, write_answers(persona("martin_permis")["answers"]))
    aids = [s["aid"] for s in doc["suggestions"]]
    assert sorted(aids) == sorted(POLICY_AIDS)
    ranks = [("eligible", "to_check", "not_eligible").index(s["status"])
             for s in doc["suggestions"]]
    assert ranks == sorted(ranks)
    micro = next(s for s in doc["suggestions"] if s["aid"] == "microcredit_personnel")
    assert micro["orient_to"] == "Parcours Confiance (Caisse d'Épargne)"
    assert "microcredit.montant_max" in micro["parameters"]
    assert "Montant 850 € entre 300 € et 3 000 €" in micro["reasons"]
    assert ("Mensualité estimée 36,91 € sur 24 mois ; reste à vivre après : 16,10 €/jour/UC, "
            "plancher 7,00 €") in micro["reasons"]
    assert micro["needs"] == []


def test_json_rounds_half_up_to_the_cent(capsys, write_answers):
    doc = run_orient_json(capsys, write_answers(persona("petit_rachat_dettes")["answers"]))
    assert doc["computed"]["taux_endettement"] == 0.36  # 700 / 1950 = 0.35897…
    for value in doc["computed"].values():
        if isinstance(value, float):
            assert round(value, 2) == value


def test_every_persona_shows_met_and_failed_gates(policy):
    for case in PERSONAS:
        result = evaluate_module.evaluate(case["answers"], policy, TODAY)
        for s in result.suggestions:
            assert len(s.gates) == len(policy.aid(s.aid).gates)
            for gate in s.gates:
                assert gate.reason in s.reasons
