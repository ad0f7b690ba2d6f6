"""Issue 10 §2: an amount of the budget is said (« 0 », « aucun »), never taken by a stray Enter."""

from __future__ import annotations

import pytest

from intake_assistant.app.interviews import make_interview
from intake_assistant.app.questionnaires import load_questionnaire_by_name
from intake_assistant.core import french, qtypes
from intake_assistant.core.fields import load_fields
from intake_assistant.core.french import ParseError
from intake_assistant.core.linter import context_for, lint_questionnaire
from intake_assistant.core.loader import parse_questionnaire

from .conftest import TODAY

BUDGET = sorted(fid for fid, f in load_fields().items()
                if f.type == "money" and f.absent_default is not None)


@pytest.mark.parametrize("name", ["accueil_telephonique", "evaluation"])
def test_no_budget_amount_of_the_shipped_questionnaires_has_a_default(name) -> None:
    questionnaire = load_questionnaire_by_name(name)
    asked = [q for q in questionnaire.all_questions() if q.id in BUDGET]
    assert asked  # both ask resources (and the evaluation every charge)
    for q in asked:
        assert q.default is None and q.default_expression is None, q.id


@pytest.mark.parametrize("typed", ["0", "aucun", "Aucune", "rien", "rien du tout", "néant",
                                   "zéro", "pas de loyer", "0 €"])
def test_zero_said_in_words_is_zero(typed) -> None:
    assert french.parse_money(typed) == 0


@pytest.mark.parametrize("typed", ["aucune idée", "je sais pas", "je ne sais pas"])
def test_not_knowing_is_not_a_zero(typed) -> None:
    with pytest.raises(ParseError, match="F3"):
        french.parse_money(typed)


def test_words_get_through_the_answer_line_of_amounts_and_counts() -> None:
    import re

    q = load_questionnaire_by_name("evaluation")
    for qid, typed in (("loyer", "néant"), ("loyer", "aucun"), ("autres_personnes", "aucun")):
        allowed = qtypes.input_hint(q.question(qid)).allowed
        assert allowed is not None and re.fullmatch(allowed, typed), (qid, typed)


def _phone_intake_up_to(qid: str, logement: str = "2"):
    """The phone intake of a social-housing tenant, answered up to the question ``qid``."""
    iv = make_interview(load_questionnaire_by_name("accueil_telephonique"), today=TODAY)
    typed = {"nom": "Martin", "prenom": "Julie", "date_naissance": "11/02/1994",
             "telephone": "06 12 34 56 78", "email": "", "commune_residence": "",
             "situation_familiale": "1", "nb_enfants": "1", "enfants[0].age": "6",
             "autres_personnes": "0", "logement": logement, "situation_professionnelle": "2",
             "inscrit_france_travail_mois": "0",
             "type_projet": "1", "inscription_auto_ecole": "n", "description_projet": "",
             "lien_emploi_insertion": "o", "cout_projet": "1 200", "apport_personnel": "350",
             "montant_demande": "", "duree_souhaitee_mois": "2 ans", "urgence": "n",
             "revenus_activite": "1 100", "rsa_percu": "0", "aides_logement_percues": "250"}
    for _ in range(60):
        step = iv.current_step()
        if step is None or step.path == qid:
            return iv
        result = iv.answer(typed[step.path])
        assert result.accepted, (step.path, result.messages)
    raise AssertionError(qid)


def test_enter_on_the_rent_is_refused_and_says_how_to_answer() -> None:
    iv = _phone_intake_up_to("loyer")
    assert iv.default_for(iv.current_step()) is None  # nothing for Enter to accept
    result = iv.answer("")
    assert result.status == "rejected"
    assert result.messages == ["Tapez le montant, ou 0 (« aucun ») s'il n'y en a pas "
                               "(touche F3 : « je ne sais pas »)."]
    assert "loyer" not in iv.answers
    assert "0 si aucun" in iv.current_step().input_hint.placeholder


@pytest.mark.parametrize("name", ["accueil_telephonique", "evaluation"])
def test_a_tenant_with_no_rent_gets_a_soft_warning(name) -> None:
    from .conftest import personas

    martin = next(p for p in personas() if p["id"] == "martin_permis")["answers"]
    before = {k: v for k, v in martin.items() if k != "loyer"}
    iv = make_interview(load_questionnaire_by_name(name), answers=before, today=TODAY)
    result = iv.answer("aucun", path="loyer")
    assert result.status == "warning" and "locataire" in result.messages[0].lower()
    assert "loyer" not in iv.answers
    assert iv.answer("aucun", path="loyer", confirm=True).accepted and iv.answers["loyer"] == 0
    assert iv.events[-1]["confirmed_warnings"] == result.messages


def test_free_lodging_with_no_rent_is_not_warned_and_an_owner_is_not_asked() -> None:
    evaluation = load_questionnaire_by_name("evaluation")
    iv = make_interview(evaluation, answers={"logement": "heberge"}, today=TODAY)
    assert iv.question_text(iv.step_for("loyer")) == (
        "Combien payez-vous par mois pour votre logement ?")
    assert iv.answer("0", path="loyer").accepted
    owner = make_interview(evaluation, answers={"logement": "proprietaire"}, today=TODAY)
    assert owner.step_for("loyer") is None  # not asked: the budget reads 0 (absent: 0)


def test_a_rent_said_is_taken_without_warning() -> None:
    iv = _phone_intake_up_to("loyer")
    assert iv.answer("420 €").accepted and iv.answers["loyer"] == 420


def test_an_amount_not_asked_still_counts_zero_in_the_budget() -> None:
    """The phone intake never asks energy or water: the budget reads them as 0 (absent: 0)."""
    from intake_assistant.app.interviews import live_orientation

    iv = _phone_intake_up_to("loyer")
    assert iv.answer("420").accepted
    assert "energie" not in iv.answers
    computed = iv.computed
    assert computed["total_charges"] == 420
    assert live_orientation(iv) is not None


BUDGET_DEFAULT = """
id: defauts
title: Défauts
audience: accueil
version: 1
sections:
  - id: s
    title: S
    questions:
      - id: loyer
        text: Combien payez-vous de loyer par mois ?
        default: 0
      - id: energie
        text: Combien payez-vous d'énergie par mois ?
        default_expression: loyer / 10
      - id: apport_personnel
        text: Combien pouvez-vous apporter vous-même ?
        default: 0
"""


def test_the_linter_refuses_a_default_on_a_budget_amount(tmp_path) -> None:
    path = tmp_path / "defauts.yaml"
    path.write_text(BUDGET_DEFAULT, encoding="utf-8")
    findings = lint_questionnaire(path, context_for(tmp_path))
    errors = [f for f in findings if f.code == "E-DEFAULT"]
    assert [(f.line, "loyer" in f.message or "energie" in f.message) for f in errors] == [
        (12, True), (15, True)]
    assert "retirez default:" in errors[0].message
    assert "retirez default_expression:" in errors[1].message
    # The project's own contribution is not an amount of the budget: a default stays allowed.
    assert not any("apport_personnel" in f.message for f in findings)
    parsed, _ = parse_questionnaire(path)
    assert parsed is not None
