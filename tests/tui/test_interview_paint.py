"""The answer painted before its save returns (issue 16): what the agent sees, in which order, and
that nothing is taken as said before the store has it. Saves and closings are held up on purpose
with events (never with sleeps); every wait is on a state."""

from __future__ import annotations

import threading

from intake_assistant.store import StoreError
from tests.tui.conftest import new_intake, persona, play_answers, wait_for_screen
from tests.tui.keys import after_reading, burst, until

MARTIN = persona("martin_permis")["answers"]


def held_saves(monkeypatch, store):
    """Every answer save waits for ``gate`` (set it to let them through); ``calls`` lists the
    answer ids each save carried, in order, once it has returned."""
    gate, calls, started = threading.Event(), [], []
    original = store.save_answers

    def save_answers(dossier_id, **kw):
        started.append([e.get("id") for e in kw["events"]])
        assert gate.wait(20), "save never let through"
        doc = original(dossier_id, **kw)
        calls.append(started[len(calls)])
        return doc

    monkeypatch.setattr(store, "save_answers", save_answers)
    return gate, calls, started


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_next_question_shown_while_the_save_runs_keys_wait_for_it(make_app, store,
                                                                        monkeypatch):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        dossier_id = screen.dossier_id
        gate, calls, started = held_saves(monkeypatch, store)
        burst(pilot.app, ["M", "a", "r", "t", "i", "n", "enter"])
        # The next question is on screen while the save of « Martin » has not returned.
        await until(pilot, lambda: "prénom" in text_of(screen, "#asked")
                    and started, "la question suivante, pendant l'enregistrement",
                    workers=False)
        assert calls == [] and screen.query_one("#answer").value == ""
        assert store.load(dossier_id)["answers"].get("nom") is None
        # The next answer typed meanwhile waits: not applied, let alone saved.
        burst(pilot.app, ["J", "u", "l", "i", "e", "enter"])
        for _ in range(20):
            await pilot.pause()
        assert started == [["nom"]] and screen.interview.current_step().path == "prenom"
        assert "nom" not in screen.query_one("#transcript").paths  # not acknowledged yet
        gate.set()
        await until(pilot, lambda: calls == [["nom"], ["prenom"]]
                    and screen.query_one("#transcript").paths[-2:] == ["nom", "prenom"],
                    "les deux réponses enregistrées, dans l'ordre, puis affichées")
    doc = store.load(dossier_id)
    assert doc["answers"]["nom"] == "Martin" and doc["answers"]["prenom"] == "Julie"


async def test_the_save_starts_once_the_next_questions_frame_is_out(make_app, store,
                                                                   monkeypatch):
    """The save thread, started in the refresh that made the next question's frame, took the
    interpreter lock before Textual's writer thread had sent that frame (p50 +0.6 ms): it starts
    SAVE_AFTER_FRAME_S after the frame was made, the question already painted."""
    import time

    from intake_assistant.tui.screens import interview

    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        gate, calls, started = held_saves(monkeypatch, store)
        made: list[float] = []
        began: list[float] = []
        original = screen._start_save_soon
        monkeypatch.setattr(screen, "_start_save_soon",
                            lambda: (made.append(time.monotonic()), original()))
        saving = store.save_answers
        monkeypatch.setattr(store, "save_answers",
                            lambda *a, **kw: (began.append(time.monotonic()), saving(*a, **kw))[1])
        burst(pilot.app, ["M", "a", "r", "t", "i", "n", "enter"])
        await until(pilot, lambda: began and "prénom" in text_of(screen, "#asked"),
                    "la question suivante, puis l'enregistrement", workers=False)
        assert len(made) == 1 and began[0] - made[0] >= interview.SAVE_AFTER_FRAME_S
        gate.set()
        await until(pilot, lambda: calls == [["nom"]], "la réponse enregistrée")


async def test_failed_save_brings_the_question_back_with_its_text(make_app, store,
                                                                 monkeypatch):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        dossier_id = screen.dossier_id
        gate, started = threading.Event(), []
        original = store.save_answers

        def failing(dossier_id, **kw):
            started.append([e.get("id") for e in kw["events"]])
            assert gate.wait(20)
            raise StoreError("Disque plein.")

        monkeypatch.setattr(store, "save_answers", failing)
        burst(pilot.app, ["M", "a", "r", "t", "i", "n", "enter"])
        await until(pilot, lambda: "prénom" in text_of(screen, "#asked") and started,
                    "la question suivante, pendant l'enregistrement", workers=False)
        burst(pilot.app, ["J", "u", "enter"])  # typed ahead, before the failure is known
        gate.set()
        await until(pilot, lambda: "NON enregistrée" in text_of(screen, "#message"),
                    "le message d'échec")
        assert "nom de famille" in text_of(screen, "#asked")  # the question is back
        assert screen.query_one("#answer").value == "Martin"  # its text kept
        assert "Disque plein." in text_of(screen, "#message")
        assert screen.interview.current_step().path == "nom"
        assert screen.typeahead.blocked and screen.typeahead.segments() == [("Ju", True)]
        assert "nom" not in screen.query_one("#transcript").paths
        assert store.load(dossier_id)["answers"].get("nom") is None
        # The disk is back: Enter sends the kept text again, then what was typed ahead follows.
        monkeypatch.setattr(store, "save_answers", original)
        await after_reading(pilot, "enter")
        await until(pilot, lambda: screen.interview.current_step().path == "date_naissance",
                    "les deux réponses enregistrées")
    doc = store.load(dossier_id)
    assert doc["answers"]["nom"] == "Martin" and doc["answers"]["prenom"] == "Ju"


async def test_side_panel_follows_the_answers(make_app, store):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="revenus_activite")
        before = screen.query_one("#panel").part_text("fiche")
        await pilot.press(*"1100", "enter")
        await until(pilot, lambda: "1 100" in screen.query_one("#panel").part_text("fiche"),
                    "les ressources dans la fiche")
        assert screen.query_one("#panel").part_text("fiche") != before
        assert screen.query_one("#transcript").paths[-1] == "revenus_activite"


def held_closing(monkeypatch, store, step="end_interview"):
    """Hold the store work of closing at ``step`` (the marker cleared; for an empty new
    dossier, its erasure: ``forget``) until ``gate`` is set."""
    gate, entered = threading.Event(), threading.Event()
    original = getattr(store, step)

    def held(*args, **kw):
        entered.set()
        assert gate.wait(20), "closing never let through"
        return original(*args, **kw)

    monkeypatch.setattr(store, step, held)
    return gate, entered


async def test_escape_leaving_does_not_block_the_screen(make_app, store, monkeypatch):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        gate, entered = held_closing(monkeypatch, store, "forget")
        await pilot.press("escape")  # nothing answered, first question: leave at once
        await until(pilot, entered.is_set, "la fermeture commencée", workers=False)
        # The store work is held up in its thread; the screen still answers meanwhile.
        await until(pilot, lambda: "fermeture" in text_of(screen, "#interview-title"),
                    "l'écran dit qu'il ferme", workers=False)
        assert type(pilot.app.screen).__name__ == "InterviewScreen"
        assert len(store.list()) == 1  # not erased before its closing is done
        gate.set()
        await wait_for_screen(pilot, "HomeScreen")
    assert store.list() == []  # the empty new dossier was erased


async def test_finish_opens_the_dossier_once_closed(make_app, store, monkeypatch):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="telephone")
        dossier_id = screen.dossier_id
        gate, entered = held_closing(monkeypatch, store)
        await pilot.press("f10")
        await until(pilot, entered.is_set, "la fermeture commencée", workers=False)
        assert store.load(dossier_id)["interview"] is not None  # still marked in progress
        assert type(pilot.app.screen).__name__ == "InterviewScreen"
        gate.set()
        await wait_for_screen(pilot, "DossierScreen")
    doc = store.load(dossier_id)
    assert doc["interview"] is None and doc["answers"]["prenom"] == MARTIN["prenom"]


async def test_orientation_of_an_answer_is_evaluated_off_the_ui_thread(make_app, store,
                                                                         monkeypatch):
    """After the answer is acknowledged, in a thread on a copy of the answers (a key typed
    meanwhile can interrupt it there): the side panel shows the orientation of those answers,
    the same as evaluated on the UI thread."""
    from intake_assistant.app import interviews

    threads: list[str] = []
    original = interviews.evaluate_orientation

    def evaluate_orientation(inputs):
        threads.append(threading.current_thread().name)
        return original(inputs)

    monkeypatch.setattr(interviews, "evaluate_orientation", evaluate_orientation)
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="revenus_activite")
        threads.clear()
        await pilot.press(*"1100", "enter")
        await until(pilot, lambda: "1 100" in screen.query_one("#panel").part_text("fiche")
                    and threads, "les ressources dans la fiche, l'orientation évaluée")
        assert threading.main_thread().name not in threads
        expected = interviews.live_orientation(screen.interview).suggestions
        assert [(s.aid, s.status) for s in screen.orientation.suggestions] == \
            [(s.aid, s.status) for s in expected]
        assert screen.query_one("#panel").aid_texts()[0].find(expected[0].name) >= 0


async def test_the_orientation_is_evaluated_beside_the_save_and_painted_with_the_bubble(
        make_app, store, monkeypatch):
    """The orientation of an answer is evaluated while its save waits on the disk, not after
    it: back first, it is painted with the answer's bubble (one frame after the save, not two,
    so the next key rarely meets a frame just begun)."""
    from intake_assistant.app import interviews

    evaluated: list[int] = []
    original = interviews.evaluate_orientation
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="revenus_activite")
        await until(pilot, lambda: not screen._unsaved, "les réponses enregistrées")
        gate, calls, started = held_saves(monkeypatch, store)
        monkeypatch.setattr(interviews, "evaluate_orientation", lambda inputs: (
            evaluated.append(len(calls)), original(inputs))[1])
        shown_in_rest: list[bool] = []
        paint_rest, orientation_shown = screen._paint_rest, screen._orientation_shown
        inside = []

        def counted_shown(orientation):
            shown_in_rest.append(bool(inside))
            orientation_shown(orientation)

        def counted_rest(deferred=False):
            inside.append(1)
            try:
                paint_rest(deferred)
            finally:
                inside.pop()

        monkeypatch.setattr(screen, "_orientation_shown", counted_shown)
        monkeypatch.setattr(screen, "_paint_rest", counted_rest)
        burst(pilot.app, [*"1100", "enter"])
        await until(pilot, lambda: evaluated and screen._evaluated is not None,
                    "l'orientation évaluée pendant l'enregistrement", workers=False)
        assert evaluated == [0] and calls == []  # evaluated before the save returned
        gate.set()
        await until(pilot, lambda: "1 100" in screen.query_one("#panel").part_text("fiche")
                    and shown_in_rest, "la réponse affichée avec l'orientation")
        assert shown_in_rest == [True] and screen._evaluated is None
        expected = interviews.live_orientation(screen.interview).suggestions
        assert [(s.aid, s.status) for s in screen.orientation.suggestions] == \
            [(s.aid, s.status) for s in expected]


async def test_the_collectors_full_passes_skip_the_heap_while_an_interview_is_open(make_app,
                                                                                   store):
    """A full pass of the cyclic collector walked the whole heap (50–170 ms, in the tail of
    answer → next question): while an interview is open what exists is frozen out of it
    (tui/latency.py), again at each acknowledged answer, and handed back when it closes; the
    interpreter's switch interval is 1 ms meanwhile, then what it was."""
    import gc
    import sys

    assert gc.get_freeze_count() == 0
    interval = sys.getswitchinterval()
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        opened = gc.get_freeze_count()
        assert opened > 0
        assert sys.getswitchinterval() == min(interval, 0.001)  # threads yield the lock sooner
        await after_reading(pilot, *"Martin", "enter")
        transcript = screen.query_one("#transcript")
        await until(pilot, lambda: screen.interview.current_step().path == "prenom"
                    and screen._unsaved is None and transcript.paths == ["nom"],
                    "réponse enregistrée et accusée")
        assert gc.get_freeze_count() > opened  # what the answer made, once acknowledged
        await pilot.press("f10")
        await wait_for_screen(pilot, "DossierScreen")
        assert gc.get_freeze_count() == 0  # closed: the collector has the heap back
        assert sys.getswitchinterval() == interval
