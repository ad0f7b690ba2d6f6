"""The interview engine: order, branching, repeats, validation, edits, unknowns, back, replay."""

from __future__ import annotations

from datetime import datetime

import pytest

from intake_assistant.app.interviews import make_interview
from intake_assistant.app.questionnaires import load_questionnaire_by_name
from intake_assistant.core.engine import Interview
from intake_assistant.core.loader import parse_questionnaire

from .conftest import TODAY

MINI = """
id: mini
title: Mini
audience: accueil
version: 1
computed:
  double_loyer: loyer * 2
sections:
  - id: foyer
    title: Foyer
    questions:
      - id: prenom
        text: Prénom ?
      - id: situation_familiale
        text: "{prenom} vit seul(e) ou en couple ?"
      - id: enfants
        type: repeat
        text: Un enfant ?
        add_another_text: Un autre enfant ?
        questions:
          - id: age
            text: "Âge de l'enfant n° {numero} ?"
      - id: logement
        text: Logement ?
      - id: loyer
        text: Loyer ?
        show_if: logement in ["locataire_prive", "locataire_social"]
        warn_if:
          - expression: loyer > 2000
            message: "Un loyer de {loyer} € est inhabituel. Confirmer ?"
      - id: impayes_loyer
        text: Impayés de loyer ?
        show_if: loyer > 0
  - id: projet
    title: Projet
    questions:
      - id: cout_projet
        text: Coût ?
      - id: apport_personnel
        text: Apport ?
        default: 0
        valid_if:
          - expression: apport_personnel <= cout_projet
            message: "L'apport ne peut pas dépasser le coût ({cout_projet} €)."
      - id: montant_demande
        text: Montant ?
        default_expression: cout_projet - apport_personnel
"""


def clock():
    return datetime(2026, 11, 26, 10, 0).astimezone()


@pytest.fixture
def mini(tmp_path):
    q, findings = parse_questionnaire("mini.yaml", text=MINI)
    assert q is not None and findings == []
    return q


def new(q, **kw) -> Interview:
    return Interview(q, today=TODAY, clock=clock, agent="Agnès", **kw)


def play(iv: Interview, *raws: str) -> None:
    for raw in raws:
        result = iv.answer(raw)
        assert result.accepted, (iv.current_step(), raw, result.messages)


def test_questions_come_in_order_with_interpolated_text(mini) -> None:
    iv = new(mini)
    assert iv.current_step().path == "prenom"
    play(iv, "Julie")
    assert iv.question_text(iv.current_step()) == "Julie vit seul(e) ou en couple ?"


def test_repeat_accepts_zero_items(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n")
    assert iv.answers["enfants"] == []
    assert iv.current_step().path == "logement"


def test_repeat_adds_items_until_no(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "c", "o")
    step = iv.current_step()
    assert step.path == "enfants[0].age"
    assert iv.question_text(step) == "Âge de l'enfant n° 1 ?"
    play(iv, "4")
    assert iv.question_text(iv.current_step()) == "Un autre enfant ?"
    play(iv, "oui", "15", "non")
    assert iv.answers["enfants"] == [{"age": 4}, {"age": 15}]


def test_rejected_answer_keeps_everything_and_names_the_problem(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "o")
    before = dict(iv.answers)
    result = iv.answer("40")
    assert result.status == "rejected"
    assert result.messages == ["La valeur doit être inférieure ou égale à 25."]
    assert iv.answers == before
    result = iv.answer("douze")
    assert result.status == "rejected" and "nombre" in result.messages[0]


def test_branching_skips_irrelevant_questions(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "3")  # propriétaire: no rent, no arrears question
    assert iv.current_step().path == "cout_projet"


def test_warning_asks_confirmation_then_records_override(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "1")
    result = iv.answer("2 500")
    assert result.status == "warning"
    assert result.messages == ["Un loyer de 2 500 € est inhabituel. Confirmer ?"]
    assert "loyer" not in iv.answers
    assert iv.answer("2 500", confirm=True).accepted
    assert iv.events[-1]["confirmed_warnings"] == result.messages


def test_valid_if_and_default_expression(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "3", "1 200")
    result = iv.answer("1 500")
    assert result.messages == ["L'apport ne peut pas dépasser le coût (1 200 €)."]
    play(iv, "350")
    assert iv.default_for(iv.current_step()) == 850
    play(iv, "")
    assert iv.answers["montant_demande"] == 850
    assert iv.finished


def test_edit_recomputes_drops_and_asks_newly_relevant(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "1", "400", "n", "1 000", "0", "")
    assert iv.finished and iv.computed["double_loyer"] == 800
    # Becoming an owner: rent and arrears become irrelevant and leave the dossier.
    assert iv.answer("3", path="logement").accepted
    assert "loyer" not in iv.answers and "impayes_loyer" not in iv.answers
    assert iv.finished
    # Back to tenant: the rent is asked again, the old answer offered as default.
    assert iv.answer("2", path="logement").accepted
    step = iv.current_step()
    assert step.path == "loyer" and iv.default_for(step) == 400


def test_after_a_resume_a_dropped_answer_is_offered_as_default_again(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "1", "400", "n")
    assert iv.answer("3", path="logement").accepted  # owner: the rent is set aside
    # The interview is interrupted; the store kept answers, unknowns and events.
    resumed = new(mini, answers=iv.answers, unknown=iv.unknown, history=iv.events)
    assert resumed.dropped == {"loyer": 400, "impayes_loyer": False}
    assert resumed.answer("2", path="logement").accepted
    step = resumed.current_step()
    assert step.path == "loyer" and resumed.default_for(step) == 400


def test_removing_a_child_takes_its_set_aside_answers_with_it(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "o", "4", "o", "15", "n")
    iv.mark_unknown("enfants[0].age")
    assert iv.dropped == {"enfants[0].age": 4}
    assert iv.remove_item("enfants", 0)
    assert iv.dropped == {} and iv.answers["enfants"] == [{"age": 15}]


def test_unknown_is_left_to_complete(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "1")
    iv.mark_unknown()
    assert "loyer" in iv.unknown and "loyer" not in iv.answers
    assert [s.path for s in iv.left_to_complete()] == [
        "loyer",
        "cout_projet",
        "apport_personnel",
        "montant_demande",
    ]
    # The arrears question depends on the rent: unknown rent hides it.
    assert iv.current_step().path == "cout_projet"


def test_back_reopens_previous_answer_then_returns(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n")
    step = iv.back()
    assert step.path == "situation_familiale"
    assert iv.current_step().path == "situation_familiale"
    play(iv, "2")
    assert iv.answers["situation_familiale"] == "couple"
    assert iv.current_step().path == "logement"


def test_select_any_earlier_answer(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "3")
    iv.select("prenom")
    assert iv.current_step().path == "prenom"
    play(iv, "Julia")
    assert iv.current_step().path == "cout_projet"


def test_replaying_events_rebuilds_the_same_state(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "2", "o", "4", "o", "15", "n", "1", "400", "o")
    iv.mark_unknown()
    iv.answer("3", path="logement")
    iv.select("prenom")
    again = Interview.replay(mini, iv.events, today=TODAY, clock=clock)
    assert again.answers == iv.answers
    assert again.unknown == iv.unknown
    assert again.current_step().path == iv.current_step().path == "prenom"
    assert again.dropped == iv.dropped


def test_resume_from_stored_state_mid_repeat(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "2", "o", "4", "o")
    resumed = new(mini, answers=iv.answers, unknown=iv.unknown, history=iv.events)
    assert resumed.current_step().path == "enfants[1].age"


def test_events_are_numbered_and_attributed(mini) -> None:
    iv = new(mini)
    play(iv, "Julie")
    (event,) = iv.take_new_events()
    assert event["seq"] == 1 and event["agent"] == "Agnès" and event["questionnaire"] == "mini"
    assert event["type"] == "answer" and event["raw"] == "Julie" and event["value"] == "Julie"
    assert iv.take_new_events() == []


def test_progress_per_section(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n")
    progress = {p.id: (p.answered, p.relevant) for p in iv.progress()}
    assert progress["foyer"] == (2, 3)
    assert progress["projet"] == (0, 3)


def test_handoff_evaluation_does_not_ask_known_answers() -> None:
    accueil = make_interview(load_questionnaire_by_name("accueil_telephonique"), today=TODAY)
    play(
        accueil,
        "Martin",
        "Julie",
        "11/02/1994",
        "06 12 34 56 78",
        "",
        "",
        "1",
        "1",  # how many children, then each one's age
        "6",
        "0",  # no other adult: a count is said, never taken by Enter
        "2",
        "2",
        "0",  # months at France Travail: asked on a short contract
        "1",
        "n",  # not yet enrolled at the driving school (issue 12)
        "",
        "o",
        "1 200",
        "350",
        "",
        "24",
        "n",
        "1 100",
        "aucun",  # RSA: an amount of the budget is said, never taken by Enter
        "250",
        "420",
        "o",
        "o",
        "n",
        "1",
    )
    assert accueil.finished, accueil.current_step()
    evaluation = make_interview(
        load_questionnaire_by_name("evaluation"),
        answers=accueil.answers,
        unknown=accueil.unknown,
        history=accueil.events,
        today=TODAY,
    )
    first = evaluation.current_step()
    assert first.path == "grossesse"  # identity, situation and children are already known
    asked = []
    while not evaluation.finished:
        step = evaluation.current_step()
        asked.append(step.path)
        # Enter where a default stands, « n » for yes/no, « 0 » for an amount (said, never
        # taken by Enter), then the first choice.
        assert any(evaluation.answer(typed, confirm=True).accepted for typed in ("", "n", "0", "1"))
    assert not {"nom", "prenom", "enfants", "cout_projet", "loyer"} & set(asked)
    assert round(evaluation.computed["nb_uc"], 2) == 1.3


def test_unknown_from_an_earlier_questionnaire_is_asked_again(mini) -> None:
    first = new(mini)
    play(first, "Julie")
    first.mark_unknown()  # situation_familiale: « je ne sais pas » at the phone intake
    other, _ = parse_questionnaire("other.yaml", text=MINI.replace("id: mini", "id: other", 1))
    later = new(other, answers=first.answers, unknown=first.unknown, history=first.events)
    assert later.current_step().path == "situation_familiale"
    # Marked unknown again here, it counts as handled in this questionnaire.
    later.mark_unknown()
    assert later.current_step().path == "enfants[0]"


def test_transcript_follows_the_order_answers_were_given(mini) -> None:
    iv = new(mini, answers={"cout_projet": 900})  # known before this interview, no event
    play(iv, "Julie", "1", "n", "3")
    paths = [step.path for step, _, _ in iv.transcript()]
    assert paths == ["cout_projet", "prenom", "situation_familiale", "enfants[0]", "logement"]
    assert [shown for _, _, shown in iv.transcript()][3] == "non"
    iv.answer("2", path="situation_familiale")  # a correction keeps its place
    assert [step.path for step, _, _ in iv.transcript()] == paths


def test_failed_save_puts_the_interview_back(tmp_path, mini) -> None:
    from intake_assistant.app.interviews import AnswerNotSaved, InterviewSession

    class FailingStore:
        def save_answers(self, *args, **kwargs):
            raise OSError("disque plein")

    iv = new(mini)
    play(iv, "Julie")
    iv.take_new_events()  # saved earlier
    session = InterviewSession(FailingStore(), "D-2026-000001", iv, lease=None, rev=1)
    before = (dict(iv.answers), iv.current_step().path, len(iv.events))
    with pytest.raises(AnswerNotSaved, match="disque plein"):
        session.answer("1")
    # Nothing shown as accepted that is not on disk: same question, same answers, same events.
    assert (dict(iv.answers), iv.current_step().path, len(iv.events)) == before
    assert iv.take_new_events() == []


def test_live_orientation_waits_for_questions_not_yet_asked() -> None:
    from intake_assistant.app.interviews import live_orientation

    iv = make_interview(load_questionnaire_by_name("accueil_telephonique"), today=TODAY)
    play(iv, "Martin", "Julie", "11/02/1994", "06 12 34 56 78", "", "", "1", "1", "6",
         "0", "2", "2", "0", "1", "n", "", "o", "1 200", "350", "", "24", "n")
    # Resources not asked yet: the grant capped by reste à vivre is not decided on 0 €.
    early = live_orientation(iv).suggestion("aide_au_projet")
    assert early.status == "to_check" and "revenus_activite" in early.needs
    play(iv, "1 100", "0", "250", "420", "o", "o", "n", "1")
    assert live_orientation(iv).suggestion("aide_au_projet").status == "not_eligible"


def test_a_closed_repeat_can_be_reopened_from_the_transcript(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "o", "4", "n", "3")
    entry = next(e for e in iv.transcript() if e[0].kind == "repeat_prompt")
    assert entry[1:] == ("Un enfant ?", "oui (1)")
    step = iv.select(entry[0].path)
    assert step.kind == "repeat_prompt" and iv.question_text(step) == "Un autre enfant ?"
    play(iv, "o", "15")  # a forgotten child: added, then "another one?" again
    assert iv.question_text(iv.current_step()) == "Un autre enfant ?"
    play(iv, "n")
    assert iv.answers["enfants"] == [{"age": 4}, {"age": 15}]
    assert iv.current_step().path == "cout_projet"  # back where the interview was
    again = Interview.replay(mini, iv.events, today=TODAY, clock=clock)
    assert again.answers == iv.answers and again.current_step().path == "cout_projet"


def test_the_step_after_is_the_next_one_asked_when_the_answer_changes_nothing(mini) -> None:
    iv = new(mini)
    guessed = iv.step_after(iv.current_step())
    assert guessed is not None and guessed.path == "situation_familiale"
    play(iv, "Julie")
    assert iv.current_step() == guessed
    # A branch: while « logement » is unanswered the rent is not relevant, so the guess after
    # it is the project; answered « locataire », the rent comes first (the guess missed).
    play(iv, "1", "n")
    assert iv.current_step().path == "logement"
    assert iv.step_after(iv.current_step()).path == "cout_projet"
    play(iv, "1")
    assert iv.current_step().path == "loyer"


def test_no_step_after_the_last_one_nor_after_a_step_no_longer_asked(mini) -> None:
    iv = new(mini)
    play(iv, "Julie", "1", "n", "3", "1000", "0")
    last = iv.current_step()
    assert last.path == "montant_demande" and iv.step_after(last) is None
    first = next(s for s in new(mini).steps() if s.path == "prenom")
    assert iv.step_after(first).path == "montant_demande"  # the first not done after it
    from intake_assistant.core.engine import Step

    gone = Step(next(q for q in mini.sections[0].questions if q.id == "loyer"))
    assert iv.step_after(gone) is None  # propriétaire: the rent is not among the steps
