"""Missing or unknown answers give ``to_check`` naming the field, never a silent verdict."""

from __future__ import annotations

from intake_assistant.core.expressions import is_missing
from intake_assistant.orientation.evaluate import evaluate

from .conftest import TODAY, persona


def test_unknown_ficp_makes_the_microcredit_to_check(policy):
    answers = persona("martin_permis")["answers"]
    result = evaluate(answers, policy, TODAY, unknown=["ficp"])
    micro = result.suggestion("microcredit_personnel")
    assert micro.status == "to_check"
    assert micro.needs == ("ficp",)
    assert result.missing == ("ficp",)
    assert any("ficp" in r and "manquante" in r for r in micro.reasons)
    # the CCAS advance does not look at the FICP
    assert result.suggestion("avance_remboursable").status == "eligible"


def test_absent_answer_is_missing_too(policy):
    answers = dict(persona("martin_permis")["answers"])
    del answers["compte_bancaire"]
    micro = evaluate(answers, policy, TODAY).suggestion("microcredit_personnel")
    assert micro.status == "to_check"
    assert micro.needs == ("compte_bancaire",)


def test_absent_resource_counts_zero_but_unknown_one_is_missing(policy):
    answers = persona("martin_permis")["answers"]  # no rsa_percu: counts 0
    assert evaluate(answers, policy, TODAY).computed["total_ressources"] == 1350
    result = evaluate(answers, policy, TODAY, unknown=["rsa_percu"])
    assert is_missing(result.computed["total_ressources"])
    assert "rsa_percu" in result.missing
    assert result.to_json()["computed"]["total_ressources"] is None
    # every gate reading the budget now waits for the answer instead of deciding
    assert result.suggestion("microcredit_personnel").status == "to_check"
    assert "rsa_percu" in result.suggestion("microcredit_personnel").needs


def test_decisive_gate_wins_over_missing_answers(policy):
    answers = dict(persona("petit_rachat_dettes")["answers"])
    del answers["ficp"]
    micro = evaluate(answers, policy, TODAY).suggestion("microcredit_personnel")
    assert micro.status == "not_eligible"  # rachat de dettes: the FICP changes nothing
    assert micro.needs == ()


def test_empty_answers(policy):
    result = evaluate({}, policy, TODAY)
    statuses = {s.aid: s.status for s in result.suggestions}
    assert "eligible" not in statuses.values()
    assert set(statuses.values()) <= {"to_check", "not_eligible"}
    for s in result.suggestions:
        if s.status == "to_check":
            assert s.needs, s.aid
    assert "commune_residence" in result.missing
    assert "type_projet" in result.missing


def test_missing_project_amount_defaults_to_cost_minus_contribution(policy):
    answers = dict(persona("martin_permis")["answers"])
    del answers["montant_demande"]  # 1 200 − 350 = 850 as before
    result = evaluate(answers, policy, TODAY)
    assert result.computed["montant_calcul"] == 850
    assert result.suggestion("microcredit_personnel").status == "eligible"


def test_extra_ids_are_ignored(policy):
    answers = {**persona("roux_refrigerateur")["answers"], "animal_de_compagnie": "chat"}
    result = evaluate(answers, policy, TODAY)
    assert {s.aid: s.status for s in result.suggestions} == persona("roux_refrigerateur")["expect"]


def test_child_without_age_is_missing_not_the_applicants_age(policy):
    answers = {**persona("martin_permis")["answers"], "enfants": [{"age": 6}, {}]}
    result = evaluate(answers, policy, TODAY)
    assert is_missing(result.computed["nb_uc"])
    assert "enfants.age" in result.missing
    assert result.computed["nb_personnes"] == 3
