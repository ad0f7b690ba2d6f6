"""Both users played by keys through Pilot: phone intake, corrections, resume, hand-off."""

from __future__ import annotations

import json
import stat
import threading

from intake_assistant.tui.app import IntakeApp
from tests.platforms import WINDOWS
from tests.tui.conftest import (
    AGENT,
    KeyCount,
    login_of,
    new_intake,
    persona,
    play_answers,
    settle,
    wait_for_screen,
)
from tests.tui.keys import after_reading, until

MARTIN = persona("martin_permis")["answers"]
PHONE_IDS = {
    "nom", "prenom", "date_naissance", "telephone", "commune_residence", "situation_familiale",
    "enfants", "autres_personnes", "logement", "situation_professionnelle", "type_projet",
    "description_projet", "lien_emploi_insertion", "cout_projet", "apport_personnel",
    "montant_demande", "duree_souhaitee_mois", "urgence", "revenus_activite", "rsa_percu",
    "aides_logement_percues", "loyer", "compte_bancaire", "refus_credit_bancaire", "ficp",
    "surendettement",
}


def killed(screen) -> None:
    """What a killed app or terminal leaves (its exit code never runs): the lease goes with the
    process, the interview stays marked « en cours » with its draft, in the dossier."""
    session, screen.session = screen.session, None
    session.close()


def status_of(screen, aid: str) -> str:
    return screen.orientation.suggestion(aid).status


async def test_phone_intake_of_martin_by_keys(make_app, store, tmp_path):
    app = make_app()
    async with new_intake(app, size=(120, 40)) as (pilot, screen):
        count = await play_answers(pilot, MARTIN)
        await settle(pilot)
        dossier_id = screen.dossier_id
        # The live panel agrees with the persona's expected figures and orientation.
        assert round(screen.interview.computed["nb_uc"], 2) == 1.3
        assert status_of(screen, "microcredit_personnel") == "eligible"
        assert "Questionnaire terminé" in str(screen.query_one("#asked").render())
        await pilot.press("enter")  # Enter on the finished interview opens the dossier
        await wait_for_screen(pilot, "DossierScreen")

    doc = store.load(dossier_id)
    assert doc["status"] == "premier_contact"
    # recorded under the authenticated login (the OS user), not a typed name
    assert doc["agent"] == login_of(AGENT) and doc["questionnaires"] == ["accueil_telephonique"]
    for key in PHONE_IDS:  # not in the persona: a resource left at its default, 0 €
        assert doc["answers"][key] == MARTIN.get(key, 0), key
    assert doc["unknown"] == []
    assert store.load(dossier_id)["events"][-1]["agent"] == login_of(AGENT)
    # A trained agent needs at most one key per question beyond the answer's characters.
    assert count.extra <= count.questions
    print(f"\nmartin_permis (accueil téléphonique) : {count.questions} questions, "
          f"{count.typed} caractères tapés, {count.extra} touches en plus "
          f"(total {count.typed + count.extra})")
    instant = [path for path, keys in count.log if not keys.endswith("⏎")]
    assert {"situation_familiale", "logement", "urgence", "ficp", "surendettement"} <= set(
        instant)


async def test_rejected_answer_keeps_text_then_correction(make_app, store):
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press(*"31/02/1994", "enter")
        message = str(screen.query_one("#message").render())
        assert screen.interview.current_step().path == "date_naissance"
        assert screen.query_one("#answer").value == "31/02/1994"  # kept for correction
        assert "31 février 1994 n'existe pas" in message  # the engine's French message
        # Correct the day in place, after reading the message: erase the first two characters.
        await after_reading(pilot, "home", "delete", "delete", *"11", "enter")
        assert screen.interview.answers["date_naissance"] == "1994-02-11"
        assert not screen.query_one("#message").display
        assert store.load(screen.dossier_id)["answers"]["date_naissance"] == "1994-02-11"


async def test_warning_asks_confirmation(make_app, store):
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="commune_residence")
        await pilot.press(*"Tinqueux", "enter")
        assert "Confirmer" in str(screen.query_one("#message").render())
        assert "commune_residence" not in screen.interview.answers
        await after_reading(pilot, "enter")  # read, then the same text again: confirmed
        assert screen.interview.answers["commune_residence"] == "Tinqueux"
        event = store.load(screen.dossier_id)["events"][-1]
        assert event["id"] == "commune_residence" and event["confirmed_warnings"]


async def test_editing_an_earlier_answer_changes_orientation(make_app, store):
    app = make_app()
    async with new_intake(app, size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN)
        await settle(pilot)
        assert status_of(screen, "microcredit_personnel") == "eligible"
        # ↑ reaches the last answer (surendettement); Enter reopens it; 2 = procédure en cours.
        await pilot.press("up")
        assert screen.query_one("#transcript").cursor_path == "surendettement"
        await pilot.press("enter")
        assert screen.interview.focus == "surendettement"
        await pilot.press("2")
        await settle(pilot)
        assert status_of(screen, "microcredit_personnel") == "not_eligible"
        assert store.load(screen.dossier_id)["answers"]["surendettement"] == "procedure_en_cours"
        assert any(row["id"] == "surendettement" and row.get("old") == "aucun"
                   for row in store.load(screen.dossier_id)["audit"])


async def test_edit_makes_new_questions_relevant(make_app, store):
    app = make_app()
    async with new_intake(app, size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN)
        paths = screen.query_one("#transcript").paths
        # Walk up to the professional situation with the arrow keys, then change it.
        await pilot.press(*["up"] * (len(paths) - paths.index("situation_professionnelle")))
        assert screen.query_one("#transcript").cursor_path == "situation_professionnelle"
        await pilot.press("enter", "4")  # 4 = demandeur d'emploi
        await settle(pilot)
        step = screen.interview.current_step()
        # On a CDD the France Travail months were asked already: chômage is what is new.
        assert step.path == "allocations_chomage"
        await pilot.press("3", "0", "0", "enter")
        await settle(pilot)
        assert screen.interview.answers["allocations_chomage"] == 300


async def test_unknown_key_and_note(make_app, store):
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press("f3")
        await pilot.pause()
        assert "date_naissance" in store.load(screen.dossier_id)["unknown"]
        assert screen.interview.current_step().path == "telephone"
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press(*"Rappeler après 17 h".replace(" ", "_"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        notes = store.load(screen.dossier_id)["notes"]
        assert notes and notes[0]["text"] == "Rappeler_après_17_h"


async def test_resume_after_the_app_is_killed_mid_interview(make_app, store, tmp_path):
    from intake_assistant.app.interviews import interrupted_interviews

    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="logement")
        dossier_id = screen.dossier_id
        # Saved at acceptance, not at exit: the file already holds every answer.
        assert store.load(dossier_id)["answers"]["enfants"] == [{"age": 6}]
        await pilot.press(*"Loc")  # typed, not validated, when the terminal dies
        await until(pilot, lambda: (store.load(dossier_id)["draft"] or {}).get("text") == "Loc",
                    "le brouillon gardé avec le dossier")  # after a short pause in typing
        killed(screen)
    # The interview in progress and its draft live with the dossier, not in the user's config.
    config = (tmp_path / "config" / "tui.json").read_text(encoding="utf-8")
    assert dossier_id not in config and "Loc" not in config
    mode = stat.S_IMODE((tmp_path / "config" / "tui.json").stat().st_mode)
    assert WINDOWS or mode == 0o600  # POSIX modes
    found = interrupted_interviews(store, AGENT)
    assert [(i["dossier_id"], i["questionnaire"]) for i in found] == [
        (dossier_id, "accueil_telephonique")]

    again = IntakeApp(store, today=app.today, config_path=tmp_path / "config" / "tui.json")
    async with again.run_test() as pilot:
        screen = await wait_for_screen(pilot, "InterviewScreen")
        assert screen.dossier_id == dossier_id
        assert screen.interview.current_step().path == "logement"
        assert screen.query_one("#transcript").paths[-1] == "autres_personnes"
        assert screen.query_one("#answer").value == "Loc"  # not a word lost
        assert "Entretien repris" in str(screen.query_one("#message").render())
        await pilot.press(*["backspace"] * 3)
        assert again.agent == AGENT  # remembered from the first start
        await play_answers(pilot, MARTIN)
        await pilot.press("f10")
        await wait_for_screen(pilot, "DossierScreen")
    doc = store.load(dossier_id)
    assert doc["interview"] is None and doc["draft"] is None  # finished: nothing to resume
    assert interrupted_interviews(store, AGENT) == []
    assert doc["answers"]["surendettement"] == "aucun"


async def test_two_windows_of_one_user_keep_their_own_interrupted_interview(make_app, store):
    """Issue 11 §9: one resume slot per dossier, not per OS user."""
    from intake_assistant.app.interviews import interrupted_interviews

    first, second = make_app(), make_app()  # same user, same config file
    async with new_intake(first) as (pilot_a, screen_a):
        await play_answers(pilot_a, MARTIN, stop_at="date_naissance")
        async with new_intake(second) as (pilot_b, screen_b):
            await play_answers(pilot_b, MARTIN, stop_at="telephone")
            await pilot_b.press("f10")  # the second window finishes its interview
            await wait_for_screen(pilot_b, "DossierScreen")
        a_id, b_id = screen_a.dossier_id, screen_b.dossier_id
        assert interrupted_interviews(store, AGENT) == []  # the first one is still live
        killed(screen_a)
    # The first window is killed mid-interview: its interview is still offered, with its id.
    assert [i["dossier_id"] for i in interrupted_interviews(store, AGENT)] == [a_id]
    assert store.load(b_id)["interview"] is None
    third = make_app()
    async with third.run_test() as pilot:
        screen = await wait_for_screen(pilot, "InterviewScreen")
        assert screen.dossier_id == a_id
        assert screen.interview.current_step().path == "date_naissance"


async def test_a_forgotten_dossier_leaves_no_draft_anywhere(make_app, store, tmp_path):
    from intake_assistant.app.interviews import interrupted_interviews
    from intake_assistant.app.privacy import forget

    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press(*"12/0")
        dossier_id = screen.dossier_id
        await until(pilot, lambda: store.load(dossier_id)["draft"] is not None, "le brouillon")
        killed(screen)
    assert interrupted_interviews(store, AGENT)  # offered again, with its draft...
    forget(store, dossier_id)  # ...until the person is forgotten
    assert interrupted_interviews(store, AGENT) == []
    for path in (tmp_path / "config").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert dossier_id not in text and "12/0" not in text and MARTIN["nom"] not in text
    again = make_app()
    async with again.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # nothing to resume


def test_an_older_config_naming_a_dossier_is_cleaned_when_read(tmp_path):
    from intake_assistant.tui.config import load_config

    path = tmp_path / "tui.json"
    path.write_text(json.dumps({"agent": AGENT, "role": "accueil", "open_dossier": "D-2026-000001",
                                "draft": {"dossier": "D-2026-000001", "text": "Dupo"}}))
    assert load_config(path).agent == AGENT
    assert json.loads(path.read_text()) == {"agent": AGENT, "role": "accueil"}


async def test_hand_off_from_phone_intake_to_evaluation(make_app, store):
    phone = make_app()
    async with new_intake(phone) as (pilot, screen):
        await play_answers(pilot, MARTIN)
        dossier_id = screen.dossier_id
        await pilot.press("f10")
        await wait_for_screen(pilot, "DossierScreen")

    social = make_app(role="travailleur_social", agent="Sophie Lambert")
    async with social.run_test(size=(120, 40)) as pilot:
        home = await wait_for_screen(pilot, "HomeScreen")
        # The social worker's list starts on the dossiers to evaluate.
        assert dossier_id in home.query_one("#dossiers").ids
        await pilot.press(*"0612", "enter")  # instant search by phone digits, then open
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("v")
        screen = await wait_for_screen(pilot, "InterviewScreen")
        assert screen.interview.questionnaire.id == "evaluation"
        asked = screen.interview.current_step().question.id
        assert asked not in PHONE_IDS  # what is known is not asked again
        count = await play_answers(pilot, MARTIN)
        assert count.questions < 30
        await settle(pilot)
    doc = store.load(dossier_id)
    assert doc["status"] == "en_evaluation"
    assert doc["questionnaires"] == ["accueil_telephonique", "evaluation"]
    assert doc["answers"]["energie"] == 60
    asked_in_evaluation = {e["id"] for e in doc["events"]
                           if e.get("questionnaire") == "evaluation" and e["type"] == "answer"}
    assert not asked_in_evaluation & PHONE_IDS


async def test_key_count_for_the_report(make_app):
    """Key count of the phone intake of martin_permis (figures printed with -s)."""
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, "InterviewScreen")
        count = await play_answers(pilot, MARTIN, KeyCount())
    enters = sum(1 for _, keys in count.log if keys.endswith("⏎"))
    assert count.extra == enters <= count.questions
    assert count.questions == len(count.log)
    for path, keys in count.log:
        print(f"{path:<28} {keys}")


async def test_first_question_before_the_engine_is_ready(make_app, store, tmp_path,
                                                         monkeypatch):
    from intake_assistant.app import interviews

    first = make_app(start="accueil_telephonique")
    async with first.run_test() as pilot:
        await wait_for_screen(pilot, "InterviewScreen")  # remembers the first question
        await pilot.press("f10")  # nothing answered: the empty dossier is not kept
        await wait_for_screen(pilot, "HomeScreen")
    assert (tmp_path / "config" / "premiere_question.json").exists()
    assert store.list() == []

    gate = threading.Event()
    original = interviews.InterviewSession.start

    def slow_start(*args, **kwargs):  # an engine that takes its time to load
        gate.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(interviews.InterviewSession, "start", slow_start)
    app = make_app(start="accueil_telephonique")
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.interview is None
        assert "votre nom de famille" in str(screen.query_one("#asked").render())
        await pilot.press(*"Martin", "enter", *"Ju")  # typed while the dossier opens
        assert "Ouverture du dossier" in str(screen.query_one("#pending").render())
        gate.set()
        await wait_for_screen(pilot, "InterviewScreen")
        await settle(pilot)
        assert screen.interview.answers["nom"] == "Martin"
        assert screen.query_one("#answer").value == "Ju"  # nothing typed is lost
        assert screen.interview.current_step().path == "prenom"
    assert store.load(screen.dossier_id)["answers"]["nom"] == "Martin"


def test_remembered_first_step_is_dropped_when_the_data_changes(tmp_path):
    from intake_assistant.tui.first_step import FirstStep, load_first_step, save_first_step

    path = tmp_path / "premiere_question.json"
    step = FirstStep("accueil_telephonique", "Accueil", "Identité", "", [], "Nom ?", "text", [],
                     None, signature=[["accueil_telephonique.yaml", 1, 1]])
    save_first_step(path, step)
    assert load_first_step(path, "accueil_telephonique") is None
    assert WINDOWS or stat.S_IMODE(path.stat().st_mode) == 0o600  # POSIX modes


async def test_quitting_normally_finishes_the_interview(make_app, store):
    """Ctrl+Q (or leaving the screen) is not a crash: nothing to resume at the next start; the
    dossier keeps every answer and is continued from the list."""
    from intake_assistant.app.interviews import interrupted_interviews

    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="telephone")
        dossier_id = screen.dossier_id
        await pilot.press("ctrl+q")
    assert interrupted_interviews(store, AGENT) == []
    assert store.load(dossier_id)["answers"]["prenom"] == MARTIN["prenom"]
