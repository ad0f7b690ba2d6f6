"""Keys as data: every binding has an action id of the keymap, the settings file remaps any of
them, the footer and the help screen show the keys in force, no key does two things at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets import Static

from intake_assistant.app.settings import load_settings
from intake_assistant.tui import keymap
from intake_assistant.tui.app import IntakeApp
from intake_assistant.tui.screens.assessment import AssessmentScreen
from intake_assistant.tui.screens.commission import CommissionScreen, DecisionScreen
from intake_assistant.tui.screens.documents import DocumentsScreen
from intake_assistant.tui.screens.dossier import DossierScreen
from intake_assistant.tui.screens.help import KEYS, HelpScreen
from intake_assistant.tui.screens.home import HomeScreen
from intake_assistant.tui.screens.interview import InterviewScreen
from intake_assistant.tui.screens.reasons import ReasonsScreen
from intake_assistant.tui.screens.statistics import StatisticsScreen
from tests.tui.conftest import new_intake, persona, play_answers, settle

MARTIN = persona("martin_permis")["answers"]
SCREENS = {"Accueil — Dossiers": HomeScreen, "Entretien": InterviewScreen,
           "Dossier": DossierScreen, "Statistiques": StatisticsScreen,
           "Commission": CommissionScreen, "Décision": DecisionScreen,
           "Pièces": DocumentsScreen, "Évaluation écrite": AssessmentScreen}


def _bindings(cls: type) -> list[Binding]:
    return [b for b in cls.BINDINGS if isinstance(b, Binding)]


async def until(pilot: Any, condition: Any, what: str, attempts: int = 100) -> None:
    for _ in range(attempts):
        if condition():
            return
        await settle(pilot)
    raise AssertionError(what)


def test_every_binding_with_an_id_is_in_the_keymap_and_every_action_is_bound() -> None:
    ids = {b.id for cls in (IntakeApp, HelpScreen, ReasonsScreen, *SCREENS.values())
           for b in _bindings(cls) if b.id}
    assert ids == set(keymap.BY_ID)
    for cls in (IntakeApp, *SCREENS.values()):
        for b in _bindings(cls):
            if b.id:  # the key written in the screen is the keymap's first default
                assert keymap.split_keys(keymap.BY_ID[b.id].keys)[0] == b.key, b.id


def test_every_f_key_has_an_alternative() -> None:
    for action in keymap.ACTIONS:
        keys = keymap.split_keys(action.keys)
        if any(k.startswith("f") and k[1:].isdigit() for k in keys):
            assert any(not (k.startswith("f") and k[1:].isdigit()) for k in keys) or \
                action.id == "home.previous_filter", action.id


@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_key_does_two_things_on_a_screen(screen: str) -> None:
    keys = keymap.effective()
    owner: dict[str, str] = {}
    for action in keymap.ACTIONS:
        if action.screen not in ("Partout", screen):
            continue
        for key in keymap.split_keys(keys[action.id]):
            other = owner.setdefault(key, action.id)
            assert other == action.id, f"{key} : {other} et {action.id}"


def test_the_help_names_a_keymap_action_for_every_remappable_key() -> None:
    named = {key[1:] for _, rows in KEYS for key, _ in rows if key.startswith("@")}
    assert named <= set(keymap.BY_ID)
    assert set(keymap.BY_ID) - named == set()


def test_a_bad_keymap_is_described_in_french() -> None:
    problems = keymap.problems({"interview.unknow": "f3", "home.resume": "ctrl+ù, f5"},
                               {"interview.unknow": "config.toml:3",
                                "home.resume": "config.toml:4"})
    assert problems == [
        "config.toml:3: touches : action « interview.unknow » inconnue "
        "(vouliez-vous dire « interview.unknown » ?)",
        "config.toml:4: touches : « ctrl+ù » n'est pas un nom de touche "
        "(exemples : f3, ctrl+n, shift+f5, escape, enter, x)",
    ]


def _text(renderable: Any) -> str:
    from rich.console import Console

    console = Console(width=120)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


def _settings(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path=path, environ={"LANG": "fr_FR.UTF-8", "TERM": "xterm"})


async def test_a_remapped_key_works_and_is_shown(make_app, store, tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[keys]\n"interview.unknown" = "f11"\n'
                                   '"app.help" = "ctrl+o"\n')
    app = make_app(settings=settings)
    async with new_intake(app, size=(100, 30)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press("f3")  # no longer « je ne sais pas »
        await settle(pilot)
        assert "date_naissance" not in (store.load(screen.dossier_id).get("unknown") or [])
        await pilot.press("f11")
        await until(pilot, lambda: "date_naissance" in store.load(screen.dossier_id)["unknown"],
                    "F11 aurait dû marquer la question « ne sait pas »")
        assert screen.interview.current_step().path == "telephone"
        assert screen.active_bindings["f11"].binding.id == "interview.unknown"
        assert "f3" not in screen.active_bindings
        bar = str(screen.query_one("#keys").render())  # the interview's key bar
        assert "F11 Ne sait pas" in bar and "F3" not in bar
        await pilot.press("f1")  # remapped away: F1 opens nothing now
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "Ctrl+O : l'aide")
        table = _text(app.screen.query(Static)[1].content)
        assert "F11" in table and "Ctrl+O" in table
        await pilot.press("ctrl+o")  # the same key closes it
        await until(pilot, lambda: app.screen is screen, "Ctrl+O ferme l'aide")


async def test_the_default_alternatives_work(make_app, store) -> None:
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press("ctrl+d")  # F3's alternative (VS Code, PuTTY)
        await until(pilot, lambda: "date_naissance" in store.load(screen.dossier_id)["unknown"],
                    "Ctrl+D aurait dû marquer la question « ne sait pas »")
        await pilot.press("ctrl+o")  # F1's alternative
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "Ctrl+O : l'aide")


async def test_ctrl_n_pressed_by_habit_in_an_interview_marks_nothing(make_app, store) -> None:
    """Ctrl+N is « new interview » on the home screen; after a restart that resumed an
    interrupted interview, an agent presses it by habit: no answer may be marked unknown."""
    app = make_app()
    async with new_intake(app) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"11/02/1994", "enter")
        await until(pilot, lambda: "date_naissance" in store.load(screen.dossier_id)["answers"],
                    "la date tapée après Ctrl+N")
        assert "date_naissance" not in store.load(screen.dossier_id).get("unknown", [])
