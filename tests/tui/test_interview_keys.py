"""The interview screen's keys and what surrounds the answer line (issue 10 §4), by keys."""

from __future__ import annotations

from intake_assistant.app.interviews import NOTICE_TABLE
from tests.tui.conftest import (
    AGENT,
    login_of,
    new_intake,
    persona,
    play_answers,
    settle,
    wait_for_screen,
)
from tests.tui.keys import until

MARTIN = persona("martin_permis")["answers"]


def path_of(screen) -> str | None:
    step = screen.interview.current_step()
    return step.path if step else None


async def test_escape_walks_back_one_question_at_a_time_and_f12_returns(make_app, store):
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="telephone")
        await pilot.press("escape")
        assert path_of(screen) == "date_naissance"
        assert "F12 : revenir à la question en cours" in str(screen.query_one("#message").render())
        await pilot.press("escape")  # again: further back, never a toggle
        assert path_of(screen) == "prenom"
        await pilot.press("escape")
        assert path_of(screen) == "nom"
        await pilot.press("f12")  # back to the question in progress, nothing changed
        assert path_of(screen) == "telephone" and screen.interview.focus is None
        assert screen.interview.answers["prenom"] == MARTIN["prenom"]
        # At the first question, Échap asks once, then leaves (everything is saved).
        await pilot.press("escape", "escape", "escape", "escape")
        assert path_of(screen) == "nom"
        assert "Échap encore : quitter" in str(screen.query_one("#message").render())
        await pilot.press("escape")
        await wait_for_screen(pilot, "DossierScreen")
    assert store.load(screen.dossier_id)["answers"]["nom"] == MARTIN["nom"]


async def test_jump_to_an_earlier_answer_by_a_few_letters(make_app, store):
    app = make_app()
    async with new_intake(app, size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN)
        await pilot.press("f5")
        picker = await wait_for_screen(pilot, "QuestionPicker")
        assert len(picker.shown) == len(screen.interview.transcript())
        await pilot.press(*"numero rappel")  # a few letters of the question, accents ignored
        await settle(pilot)
        assert [e.path for e in picker.shown] == ["telephone"]
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen, "retour à l'entretien")
        assert screen.interview.focus == "telephone"
        await pilot.press(*["backspace"] * 20, *"0611223344", "enter")
        await until(pilot, lambda: screen.interview.focus is None, "la correction")
        assert store.load(screen.dossier_id)["answers"]["telephone"] == "06 11 22 33 44"
        # By section: the section's title narrows to its questions.
        await pilot.press("f5")
        picker = await wait_for_screen(pilot, "QuestionPicker")
        await pilot.press(*"projet")
        await settle(pilot)
        assert picker.shown and {"type_projet", "montant_demande"} <= {e.path for e in picker.shown}
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "retour sans bouger")
        assert screen.interview.focus is None


async def test_data_protection_notice_shown_once_and_recorded(make_app, store):
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        notice = screen.query_one("#notice")
        assert notice.display and "deux ans" in str(notice.render())
        # Worded once: the questionnaire's own note is not repeated under it.
        assert "deux ans" not in screen.query_one("#asked").part_text("notes")
        await pilot.press(*MARTIN["nom"], "enter")
        await until(pilot, lambda: not screen.query_one("#notice").display, "l'information donnée")
        dossier_id = screen.dossier_id
        await pilot.press("f10")
        await wait_for_screen(pilot, "DossierScreen")
    rows = store.load(dossier_id)["tables"][NOTICE_TABLE]
    # Who (the authenticated login) and when, stamped by the store.
    assert len(rows) == 1 and rows[0]["agent"] == login_of(AGENT) and rows[0]["at"]
    assert rows[0]["data"]["questionnaire"] == "accueil_telephonique"
    # The evaluation that follows is not a first interview: not shown again.
    social = make_app(role="travailleur_social", agent="Sophie Lambert")
    async with social.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        social.resume_interview(dossier_id, "evaluation")
        screen = await wait_for_screen(pilot, "InterviewScreen")
        assert not screen.query_one("#notice").display


async def test_data_protection_notice_at_a_first_evaluation(make_app, store):
    social = make_app(role="travailleur_social", agent="Sophie Lambert")
    async with new_intake(social, size=(120, 40)) as (pilot, screen):
        assert screen.interview.questionnaire.id == "evaluation"
        assert screen.query_one("#notice").display
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        dossier_id = screen.dossier_id
    rows = store.load(dossier_id)["tables"][NOTICE_TABLE]
    assert [r["agent"] for r in rows] == [login_of("Sophie Lambert")]
    assert rows[0]["data"]["questionnaire"] == "evaluation"


async def test_a_notification_never_covers_the_answer_line(make_app, store):
    from textual.widgets._toast import Toast

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("ctrl+n")
        screen = await wait_for_screen(pilot, "InterviewScreen")
        app.notify("Note ajoutée au dossier.")
        await until(pilot, lambda: bool(screen.query(Toast)), "la notification")
        answer = screen.query_one("#answer").region
        for toast in screen.query(Toast):
            assert not toast.region.overlaps(answer), (toast.region, answer)


async def test_key_bar_shows_whole_keys_only(make_app, store):
    for width in (60, 80, 100, 120):
        app = make_app()
        async with new_intake(app, size=(width, 24)) as (pilot, screen):
            bar = screen.query_one("#keys")
            line = str(bar.render())
            assert line.startswith("Échap Préc.  F10 Fin"), line
            shown = bar.shown(bar.content_size.width)
            assert line.rstrip().endswith(f"{shown[-1][0]} {shown[-1][1]}"), (width, line)
            assert len(line) <= width
