"""Issue 10 §3–§4: the shipped questions are said to the person, one at a time, with help where an
aid depends on them, examples and units that fit, children counted, and only what applies."""

from __future__ import annotations

import re

import pytest

from intake_assistant.app.interviews import make_interview
from intake_assistant.app.questionnaires import load_questionnaire_by_name
from intake_assistant.core import qtypes
from intake_assistant.core.engine import Interview
from intake_assistant.orientation.build import load_policy

from .conftest import TODAY, personas

NAMES = ["accueil_telephonique", "evaluation"]
PERSONAS = personas()


def spoken_texts(name: str) -> list[tuple[str, str]]:
    """(path, text) of every step of the questionnaire, rendered with each persona's answers."""
    out = []
    for persona in PERSONAS:
        answers = dict(persona["answers"])
        answers["nb_enfants"] = len(answers.get("enfants") or [])
        iv = make_interview(load_questionnaire_by_name(name), answers=answers, today=TODAY)
        for step in iv.steps():
            text = (iv.render(step.question.template(), step) if step.kind == "note"
                    else iv.question_text(step))
            out.append((step.path, text))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_question_is_said_to_the_person_without_a_gender_mark(name) -> None:
    for path, text in spoken_texts(name):
        assert "(e)" not in text and "(s)" not in text, (path, text)
        # No third person for the one spoken to (« A-t-elle… », « Sa banque lui… »); « Votre
        # banque vous a-t-elle… » is the bank.
        assert not re.search(r"\b(?:elle|Elle|lui|sa|Sa|son|Son|ses|Ses)\b",
                             text.replace("vous a-t-elle", "")), (path, text)
        assert re.search(r"\b(?:vous|votre|vos|Vous|Votre|Vos)\b", text), (path, text)
        assert "{" not in text and "…" not in text, (path, text)  # every placeholder filled


@pytest.mark.parametrize("name", NAMES)
def test_one_question_at_a_time(name) -> None:
    questionnaire = load_questionnaire_by_name(name)
    for path, text in spoken_texts(name):
        step_question = questionnaire.question(path.split(".")[-1].split("[")[0])
        if step_question.type == "note":
            continue
        assert text.count("?") == 1 and text.endswith("?"), (path, text)


def _gate_names() -> set[str]:
    """Answer ids an aid's gates read, directly or through computed values."""
    policy = load_policy()
    seen: set[str] = set()
    todo = [n for aid in policy.aids for gate in aid.gates for n in gate.fails_when.names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            if name in policy.calculs:
                todo += list(policy.calculs[name].expression.names)
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_help_on_every_question_that_gates_an_aid(name) -> None:
    gates = _gate_names()
    questionnaire = load_questionnaire_by_name(name)
    counters = {q.count_from for q in questionnaire.questions() if q.count_from in gates
                or q.id in gates}
    missing = [q.id for q in questionnaire.all_questions()
               if q.answerable and q.type != "repeat"
               and (q.id in gates or q.id in counters or (q.parent and q.parent.id in gates))
               and not q.help.strip()]
    assert missing == []


def _iv(name: str, **answers) -> Interview:
    return make_interview(load_questionnaire_by_name(name), answers=answers, today=TODAY)


@pytest.mark.parametrize("name", NAMES)
def test_hors_conjoint_only_said_to_a_couple(name) -> None:
    alone = _iv(name, situation_familiale="seul")
    couple = _iv(name, situation_familiale="couple")
    for qid in ("autres_personnes", "revenus_activite"):
        said_alone = alone.question_text(alone.step_for(qid))
        said_couple = couple.question_text(couple.step_for(qid))
        assert "conjoint" not in said_alone, said_alone
        assert "votre conjoint" in said_couple, said_couple
    assert (alone.question_text(alone.step_for("autres_personnes"))
            == "Combien d'autres adultes vivent avec vous ?")
    assert (couple.question_text(couple.step_for("autres_personnes"))
            == "En plus de votre conjoint, combien d'autres adultes vivent avec vous ?")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("situation", ["salarie_cdi", "retraite", "etudiant", "apprenti"])
def test_france_travail_is_not_asked_where_it_does_not_apply(name, situation) -> None:
    iv = _iv(name, situation_professionnelle=situation)
    assert iv.step_for("inscrit_france_travail_mois") is None


@pytest.mark.parametrize("name", NAMES)
def test_a_job_seeker_is_asked_how_long_on_the_france_travail_list(name) -> None:
    iv = _iv(name, situation_professionnelle="demandeur_emploi")
    step = iv.step_for("inscrit_france_travail_mois")
    assert "liste des demandeurs" in iv.question_text(step)
    assert iv.answer("1 an et demi", path=step.path).accepted
    assert iv.answers["inscrit_france_travail_mois"] == 18
    short = _iv(name, situation_professionnelle="salarie_precaire")
    assert "inscription à France Travail" in short.question_text(
        short.step_for("inscrit_france_travail_mois"))


def test_a_cdi_employee_keeps_the_orientation_without_the_question() -> None:
    """Not asked reads 0 months (absent: 0): the France Travail aid is refused as before."""
    from intake_assistant.orientation.evaluate import evaluate

    persona = next(p for p in PERSONAS if p["id"] == "petit_rachat_dettes")
    assert "inscrit_france_travail_mois" not in persona["answers"]
    answers = {**persona["answers"], "type_projet": "permis_b"}
    result = evaluate(answers, load_policy(), TODAY)
    status = {s.aid: s.status for s in result.suggestions}
    assert status["aide_permis_france_travail"] == "not_eligible"


@pytest.mark.parametrize("name", NAMES)
def test_children_are_counted_then_each_age_asked(name) -> None:
    iv = _iv(name, nom="Martin", prenom="Julie", date_naissance="1994-02-11",
             telephone="06 12 34 56 78", email=None, commune_residence="Reims",
             situation_familiale="seul")
    step = iv.current_step()
    assert step.path == "nb_enfants"
    assert iv.question_text(step) == "Combien d'enfants avez-vous à charge ?"
    assert iv.answer("3").accepted
    texts = []
    for typed in ("4 ans", "15", "0"):
        step = iv.current_step()
        texts.append(iv.question_text(step))
        assert iv.answer(typed).accepted, (step.path, typed)
    assert texts == ["Quel âge a votre premier enfant ?", "Quel âge a votre 2ᵉ enfant ?",
                     "Quel âge a votre 3ᵉ enfant ?"]
    assert iv.answers["enfants"] == [{"age": 4}, {"age": 15}, {"age": 0}]
    assert iv.current_step().path == "autres_personnes"  # no « un autre enfant ? »
    assert not any(s.kind == "repeat_prompt" for s in iv.steps())
    one = _iv(name, situation_familiale="seul", nb_enfants=1)
    assert one.question_text(one.step_for("enfants[0].age")) == "Quel âge a votre enfant ?"


@pytest.mark.parametrize("name", NAMES)
def test_no_child_is_said_in_words_too(name) -> None:
    iv = _iv(name, situation_familiale="couple")
    assert iv.answer("aucun", path="nb_enfants").accepted
    assert iv.answers["nb_enfants"] == 0 and iv.answers["enfants"] == []


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("typed", "months"), [("12 mois", 12), ("2 ans", 24), ("18", 18),
                                               ("1 an et demi", 18), ("un an", 12)])
def test_month_counts_accept_units(name, typed, months) -> None:
    iv = _iv(name, type_projet="electromenager", cout_projet=450, apport_personnel=0,
             montant_demande=450)
    assert iv.answer(typed, path="duree_souhaitee_mois").accepted
    assert iv.answers["duree_souhaitee_mois"] == months


@pytest.mark.parametrize("name", NAMES)
def test_examples_fit_each_question(name) -> None:
    questionnaire = load_questionnaire_by_name(name)
    hints = {q.id: qtypes.input_hint(q).placeholder for q in questionnaire.all_questions()
             if q.answerable}
    assert "12 ou 2 ans" in hints["duree_souhaitee_mois"]
    assert "12 ou 2 ans" in hints["inscrit_france_travail_mois"]
    assert "6 ans" in hints["age"] and "Nombre d'années" in hints["age"]
    assert "1 200" in hints["cout_projet"] and "0 si aucun" not in hints["cout_projet"]
    assert "0 si aucun" in hints["loyer"]
    for qid, hint in hints.items():  # the decimal amount of the money type never leaks
        assert "1 200,50" not in hint, (qid, hint)
    refused = qtypes.question_type("integer").parse
    assert refused is not None
    with pytest.raises(qtypes.ParseError, match="12 ou 2 ans"):
        qtypes.parse_raw(questionnaire.question("duree_souhaitee_mois"), "deux ans et quelque")


def test_a_question_can_give_its_own_example() -> None:
    questionnaire = load_questionnaire_by_name("evaluation")
    assert "ex. 850" in qtypes.input_hint(questionnaire.question("montant_demande")).placeholder


def test_children_listed_without_a_count_keep_their_ages_and_are_not_asked_again() -> None:
    """A dossier of the « un autre enfant ? » days (or an import) has the list, not the count."""
    iv = _iv("evaluation", situation_familiale="seul", enfants=[{"age": 4}, {"age": 15}])
    assert iv.answers["nb_enfants"] == 2
    assert iv.answers["enfants"] == [{"age": 4}, {"age": 15}] and iv.dropped == {}
    assert iv.step_for("nb_enfants") is not None and iv.is_done(iv.step_for("nb_enfants"))
    assert iv.is_done(iv.step_for("enfants[1].age"))


def test_a_retired_couple_without_children_is_not_asked_what_does_not_apply() -> None:
    iv = _iv("evaluation", date_naissance="1954-05-02", situation_familiale="couple",
             nb_enfants=0, logement="proprietaire", situation_professionnelle="retraite")
    asked = {s.path for s in iv.steps()}
    for qid in ("grossesse", "frais_garde", "prestations_familiales", "loyer",
                "aides_logement_percues", "inscrit_france_travail_mois", "asf_percue"):
        assert qid not in asked, qid
    # The household's other member may be out of work: chômage is still asked to a couple.
    assert "allocations_chomage" in asked and "aspa_percue" in asked
    single = _iv("evaluation", date_naissance="1954-05-02", situation_familiale="seul",
                 nb_enfants=0, logement="proprietaire", situation_professionnelle="retraite")
    assert single.step_for("allocations_chomage") is None


def test_a_count_left_empty_says_to_type_it_or_zero() -> None:
    iv = _iv("accueil_telephonique", situation_familiale="seul")
    result = iv.answer("", path="nb_enfants")
    assert result.status == "rejected"
    assert result.messages[0].startswith("Tapez le nombre, ou 0 (« aucun »)")
    assert "0 si aucun" in iv.step_for("nb_enfants").input_hint.placeholder


def test_the_partners_share_recalls_the_household_amount() -> None:
    iv = _iv("evaluation", situation_familiale="couple", revenus_activite=2400)
    assert iv.question_text(iv.step_for("revenus_activite_conjoint")) == (
        "Sur les 2 400 € que vous gagnez à deux chaque mois, combien gagne votre conjoint ?")
