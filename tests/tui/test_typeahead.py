"""Type-ahead (issue 10 §1): keys sent all at once, as a terminal delivers fast typing.

Nothing here waits for the app between keys: every key event is posted to the app in one go, then
the test waits on the *state* (the stored dossier through the app layer) and checks every answer.
"""

from __future__ import annotations

from typing import Any

from intake_assistant.app.interviews import make_interview
from intake_assistant.app.questionnaires import load_questionnaire_by_name
from intake_assistant.tui.app import IntakeApp
from intake_assistant.tui.typeahead import Stroke, TypeAhead
from tests.tui.conftest import TODAY, answer_keys, persona, wait_for_screen
from tests.tui.keys import READ, burst, until

MARTIN = persona("martin_permis")["answers"]


def chars(text: str) -> list[str]:
    return list(text)


def intake_keys(answers: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The keys a trained agent types for a whole phone intake (o/n and choice digits without
    Enter), and the answers the engine makes of them: computed on an interview held in memory."""
    interview = make_interview(load_questionnaire_by_name("accueil_telephonique"), today=TODAY)
    keys: list[str] = []
    for _ in range(200):
        step = interview.current_step()
        if step is None:
            return keys, dict(interview.answers)
        text, enter = answer_keys(step, interview, answers)
        keys += chars(text) + (["⏎"] if enter else [])
        result = interview.answer(text)
        assert result.status == "accepted", (step.path, text, result.messages)
    raise AssertionError("l'entretien ne se termine pas")


async def stored(app: IntakeApp, dossier_id: str) -> dict[str, Any]:
    """The dossier as the app layer reads it for the dossier screen."""
    from intake_assistant.app.dossiers import dossier_view

    return dict(dossier_view(app.store, dossier_id, TODAY).doc["answers"])


# -- the queue itself ------------------------------------------------------------------------
def test_queue_holds_in_order_and_blocks_on_a_burst() -> None:
    queue = TypeAhead(grace=0.3, gap=0.3)
    assert queue.should_hold(Stroke("a", "a", 1.0, True), ready=False)
    assert queue.should_hold(Stroke("enter", "\r", 1.01), ready=True)  # behind a held key
    assert [s.key for s in queue.held] == ["a", "enter"]
    assert queue.segments() == [("a", True)]
    queue.held.clear()
    queue.block(2.0)
    # Read before the refusal, or in the same burst just after it: typed ahead.
    assert queue.should_hold(Stroke("m", "m", 1.99, True), ready=True)
    assert queue.should_hold(Stroke("a", "a", 2.1, True), ready=True)
    assert queue.should_hold(Stroke("r", "r", 2.35, True), ready=True)  # burst goes on
    # After a pause (the agent reads the message): a correction, applied at once.
    assert not queue.should_hold(Stroke("backspace", None, 3.0), ready=True)
    assert queue.segments() == [("mar", False)]
    assert queue.discard() == ["mar"] and not queue.blocked and not queue.held


# -- through the app ---------------------------------------------------------------------------
async def test_issue_reproduction_typed_without_pause(make_app, store) -> None:
    """Ctrl+N then the first answers, all sent before the app handles any of them."""
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        burst(app, ["ctrl+n", *"Dupont", "⏎", *"Marie", "⏎", *"10/04/1990", "⏎",
                    *"06 12 34 56 78", "⏎", "⏎", *"Reims", "⏎", "1"])
        await until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                    and app.screen.interview is not None
                    and "situation_familiale" in app.screen.interview.answers,
                    "la situation familiale enregistrée")
        screen = app.screen
        answers = await stored(app, screen.dossier_id)
        assert answers["nom"] == "Dupont"
        assert answers["prenom"] == "Marie"
        assert answers["date_naissance"] == "1990-04-10"
        assert answers["telephone"] == "06 12 34 56 78"
        assert answers.get("email") is None  # Enter alone: the optional e-mail left empty
        assert answers["commune_residence"] == "Reims"
        assert answers["situation_familiale"] == "seul"
        assert screen.interview.current_step().path != "situation_familiale"
        assert screen.query_one("#answer").value == ""
        assert "Dupont" in str(screen.query_one("#interview-title").render())


async def test_whole_phone_intake_in_one_burst(make_app, store) -> None:
    keys, expected = intake_keys(MARTIN)
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        burst(app, ["ctrl+n", *keys])
        await until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                    and app.screen.interview is not None
                    and app.screen.interview.current_step() is None, "la fin de l'entretien")
        answers = await stored(app, app.screen.dossier_id)
    assert answers == expected
    assert answers["nom"] == MARTIN["nom"] and answers["surendettement"] == "aucun"


async def test_refused_answer_stops_the_queue_and_keeps_the_rest(make_app, store) -> None:
    """A date that does not exist in the middle of a burst: the queue stops there with the
    French message and the text kept; what was typed after waits, in order, and follows the
    correction."""
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        burst(app, ["ctrl+n", *"Dupont", "⏎", *"Marie", "⏎", *"31/02/1990", "⏎",
                    *"06 12 34 56 78", "⏎", "⏎", *"Reims", "⏎", "1"])
        await until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                    and app.screen.interview is not None
                    and "prenom" in app.screen.interview.answers
                    and app.screen.typeahead.blocked, "le refus de la date")
        screen = app.screen
        assert screen.interview.current_step().path == "date_naissance"
        assert screen.query_one("#answer").value == "31/02/1990"  # kept for correction
        assert "31 février 1990 n'existe pas" in str(screen.query_one("#message").render())
        pending = str(screen.query_one("#pending").render())
        assert "« 06 12 34 56 78 » ⏎ ⏎ « Reims » ⏎ « 1 »…" in pending  # in order, Enter alone too
        assert "telephone" not in (await stored(app, screen.dossier_id))
        # The agent reads the message, then corrects the day (after a pause: not typed ahead).
        burst(app, ["home", "delete", "delete", *"28", "⏎"], after=READ)
        await until(pilot, lambda: "situation_familiale" in screen.interview.answers,
                    "la suite rejouée")
        answers = await stored(app, screen.dossier_id)
        assert answers["date_naissance"] == "1990-02-28"
        assert answers["telephone"] == "06 12 34 56 78"
        assert answers["commune_residence"] == "Reims"
        assert answers["situation_familiale"] == "seul"
        assert not screen.typeahead.held and not screen.query_one("#pending").display


async def test_escape_drops_what_was_typed_ahead_and_says_it(make_app, store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        burst(app, ["ctrl+n", *"Dupont", "⏎", *"Marie", "⏎", *"31/02/1990", "⏎", *"06 12"])
        await until(pilot, lambda: getattr(app.screen, "typeahead", None) is not None
                    and app.screen.typeahead.blocked and app.screen.typeahead.held,
                    "le refus")
        screen = app.screen
        burst(app, ["escape"], after=READ)  # the agent has read the message
        await until(pilot, lambda: not screen.typeahead.held, "l'abandon")
        assert "Abandonné : « 06 12 »" in str(screen.query_one("#message").render())
        assert screen.interview.current_step().path == "date_naissance"


async def test_keys_typed_before_the_first_question_keep_their_enter(make_app, store,
                                                                     monkeypatch) -> None:
    """No remembered first question (first start), a slow engine: everything typed while the
    dossier opens, Enters included, goes to the questions in order."""
    import threading

    from intake_assistant.app import interviews

    gate = threading.Event()
    original = interviews.InterviewSession.start

    def slow_start(*args: Any, **kwargs: Any) -> Any:
        gate.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(interviews.InterviewSession, "start", slow_start)
    app = make_app(start="accueil_telephonique")
    async with app.run_test() as pilot:
        burst(app, [*"Martin", "⏎", *"Julien", "⏎", *"15/03/1988", "⏎", *"06 1"])
        await until(pilot, lambda: len(getattr(app.screen, "typeahead", TypeAhead()).held) > 20,
                    "les touches retenues", workers=False)
        screen = app.screen
        assert screen.interview is None
        assert "« Martin » ⏎" in str(screen.query_one("#pending").render())
        gate.set()
        await until(pilot, lambda: screen.interview is not None
                    and "date_naissance" in screen.interview.answers, "les réponses")
        answers = await stored(app, screen.dossier_id)
        assert (answers["nom"], answers["prenom"], answers["date_naissance"]) == (
            "Martin", "Julien", "1988-03-15")
        assert screen.query_one("#answer").value == "06 1"
        assert screen.interview.current_step().path == "telephone"


async def test_resume_with_a_draft_and_keys_typed_meanwhile_never_merge(make_app, store,
                                                                        tmp_path) -> None:
    """A draft restored on resume is not merged with keys typed while the dossier reopened."""
    from intake_assistant.app.interviews import start_interview

    session = start_interview(store, questionnaire="accueil_telephonique", dossier_id=None,
                              agent="Agnès Durand", role="accueil", today=TODAY)
    session.answer("Dupont")
    session.save_draft("prenom", "Mar")
    session.close()  # the app was killed: the marker and the draft stay with the dossier
    app = make_app()
    async with app.run_test() as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen",
                    "la reprise")
        burst(app, [*"Marie", "⏎", *"10/04/1990", "⏎"])
        screen = app.screen
        await until(pilot, lambda: screen.interview is not None
                    and "date_naissance" in screen.interview.answers, "les réponses")
        answers = await stored(app, screen.dossier_id)
        assert (answers["nom"], answers["prenom"]) == ("Dupont", "Marie")
        assert answers["date_naissance"] == "1990-04-10"


async def test_resume_gives_the_draft_back_when_nothing_was_typed(make_app, store) -> None:
    from intake_assistant.app.interviews import start_interview

    session = start_interview(store, questionnaire="accueil_telephonique", dossier_id=None,
                              agent="Agnès Durand", role="accueil", today=TODAY)
    session.answer("Dupont")
    session.save_draft("prenom", "Mar")
    session.close()
    app = make_app()
    async with app.run_test() as pilot:
        screen = await wait_for_screen(pilot, "InterviewScreen")
        await until(pilot, lambda: screen.query_one("#answer").value == "Mar", "le brouillon")
        assert "Texte tapé avant l'interruption" in str(screen.query_one("#message").render())
        await pilot.press("end", *"ie", "enter")  # → / Fin: complete it
        await until(pilot, lambda: "prenom" in screen.interview.answers, "le prénom")
        assert screen.interview.answers["prenom"] == "Marie"


async def test_resume_draft_is_replaced_by_typing_over_it(make_app, store) -> None:
    """Keys arriving after the draft is shown replace it (it is selected): never « MarMarie »."""
    from intake_assistant.app.interviews import start_interview

    session = start_interview(store, questionnaire="accueil_telephonique", dossier_id=None,
                              agent="Agnès Durand", role="accueil", today=TODAY)
    session.answer("Dupont")
    session.save_draft("prenom", "Mar")
    session.close()
    app = make_app()
    async with app.run_test() as pilot:
        screen = await wait_for_screen(pilot, "InterviewScreen")
        await until(pilot, lambda: screen.query_one("#answer").value == "Mar", "le brouillon")
        burst(app, [*"Marie", "⏎"])
        await until(pilot, lambda: "prenom" in screen.interview.answers, "le prénom")
        assert screen.interview.answers["prenom"] == "Marie"


def test_name_fields_refuse_digits_and_slash() -> None:
    """A merge of answers (« DupontMarie10/04/1990 ») can never pass as a name."""
    interview = make_interview(load_questionnaire_by_name("accueil_telephonique"), today=TODAY)
    for raw in ("DupontMarie10/04/1990", "Dupont2", "Du/pont"):
        result = interview.answer(raw)
        assert result.status == "rejected", raw
        assert result.messages == ["Un nom ne contient ni chiffre ni « / » : tapez le nom seul "
                                   "(par exemple Dupont, Le Goff, N'Diaye)."]
    assert interview.answer("Le Goff").status == "accepted"
    assert interview.answer("Marie 2").status == "rejected"
    assert interview.answer("Jean-Pierre").status == "accepted"
    assert interview.answers["prenom"] == "Jean-Pierre"


async def test_a_refused_name_in_a_burst_keeps_the_rest_pending(make_app, store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        burst(app, ["ctrl+n", *"Dupont1", "⏎", *"Marie", "⏎", *"10/04/1990", "⏎"])
        await until(pilot, lambda: getattr(app.screen, "interview", None) is not None
                    and app.screen.typeahead.blocked and len(app.screen.typeahead.held) > 10,
                    "le refus du nom")
        screen = app.screen
        assert "ni chiffre ni « / »" in str(screen.query_one("#message").render())
        assert screen.query_one("#answer").value == "Dupont1"
        burst(app, ["backspace", "⏎"], after=READ)
        await until(pilot, lambda: "date_naissance" in screen.interview.answers, "la suite")
        answers = await stored(app, screen.dossier_id)
        assert (answers["nom"], answers["prenom"], answers["date_naissance"]) == (
            "Dupont", "Marie", "1990-04-10")
