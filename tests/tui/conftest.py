"""Fixtures of the TUI tests: a temp store, a temp config, a fixed date, a trained agent's keys.

Nothing here touches the user's real store or config: every app gets ``tmp_path`` paths.
"""

from __future__ import annotations

import asyncio
import inspect
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake_assistant.app.agents import add_agent
from intake_assistant.core.engine import Step
from intake_assistant.core.french import format_number
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.tui.app import IntakeApp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 0).astimezone()
AGENT = "Agnès Durand"


def persona(persona_id: str) -> dict[str, Any]:
    doc = yaml.safe_load((FIXTURES / "personas.yaml").read_text(encoding="utf-8"))
    return next(p for p in doc["personas"] if p["id"] == persona_id)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot) in a fresh event loop; no async plugin is needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _fixed_folders_in_help(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help screen names the questionnaires and settings in use: fixed paths, so that its
    snapshot is the same on every machine."""
    monkeypatch.setattr("intake_assistant.app.settings.in_use", lambda: (
        "/opt/intake-assistant/questionnaires", "questionnaires livrés avec le programme",
        "/home/agent/.config/intake-assistant/config.toml", False))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "db", lock_timeout=2.0)


def login_of(name: str) -> str:
    """« Agnès Durand » -> « agnes.durand »: the OS login the tests sign in as."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(plain.lower().split()) or "agent"


def sign_in_as(monkeypatch: pytest.MonkeyPatch, login: str) -> None:
    """Be the operating-system user ``login`` (the identity of a one-PC store)."""
    from intake_assistant.app import access

    monkeypatch.setattr(access.getpass, "getuser", lambda: login)


@pytest.fixture
def make_app(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An app signed in as ``agent`` with ``role``: the agent is registered in the store and the
    tests run as its OS login (identity comes from authentication, never from a form)."""
    def make(role: str = "accueil", agent: str | None = AGENT, **kwargs: Any) -> IntakeApp:
        if agent:
            add_agent(store, login_of(agent), agent, role)
            sign_in_as(monkeypatch, login_of(agent))
        return IntakeApp(store, today=TODAY, config_path=tmp_path / "config" / "tui.json",
                         **kwargs)
    return make


async def until(pilot: Any, condition: Any, what: str = "", attempts: int = 1500) -> None:
    """Wait until ``condition()`` holds (a state, never a duration): lets the app run between
    checks; fails, naming what was awaited, if it never comes (30 s at most)."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"attendu en vain : {what or condition}")


def steady_cursors(pilot: Any) -> None:
    """Text cursors shown steadily (no blink) on the current screen: a snapshot taken under load
    must not depend on the half-second phase of a blinking cursor."""
    from textual.widgets import Input

    for text_input in pilot.app.screen.query(Input):
        text_input.cursor_blink = False


async def home_ready(pilot: Any) -> Any:
    """The home screen showing the listing of what is typed and chosen now."""
    def state() -> str:
        screen = pilot.app.screen
        return (f"la liste des dossiers (écran {type(screen).__name__}, agent "
                f"{pilot.app.identity}, prête : {getattr(screen, 'ready', None)})")

    try:
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "HomeScreen"
                    and pilot.app.screen.ready)
    except AssertionError:
        raise AssertionError(f"attendu en vain : {state()}") from None
    await pilot.pause()
    return pilot.app.screen


async def settle(pilot: Any) -> None:
    """Let workers (store, orientation) finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for_screen(pilot: Any, name: str, attempts: int = 50) -> Any:
    for _ in range(attempts):
        await settle(pilot)
        screen = pilot.app.screen
        if type(screen).__name__ == name and (
            name != "InterviewScreen" or screen.interview is not None
        ) and (name != "HomeScreen" or screen.ready):
            return screen
    raise AssertionError(f"écran {name} attendu, trouvé {type(pilot.app.screen).__name__}")


@asynccontextmanager
async def new_intake(app: Any, size: tuple[int, int] | None = None) -> AsyncIterator[tuple]:
    """Run the app, and from the home screen start a new interview with Ctrl+N, as staff do."""
    async with app.run_test(**({"size": size} if size else {})) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("ctrl+n")
        yield pilot, await wait_for_screen(pilot, "InterviewScreen")


@dataclass
class KeyCount:
    """Keys a trained agent presses: the answer's own characters, and the rest (Enter…)."""

    questions: int = 0
    typed: int = 0
    extra: int = 0
    log: list[tuple[str, str]] = field(default_factory=list)


def answer_keys(step: Step, interview: Any, answers: dict[str, Any]) -> tuple[str, bool]:
    """(text to type, whether Enter follows) for a step, as a trained agent would answer it.

    Enter alone accepts the value shown as default; o/n and choice digits need no Enter.
    """
    q = step.question
    if step.kind == "repeat_prompt":
        items = answers.get(q.id) or []
        return ("o" if (step.index or 0) < len(items) else "n"), False
    if q.parent is not None:
        value = answers[q.parent.id][step.index][q.id]
    else:
        value = answers.get(q.id)
        counted = next((r.id for r in interview.questionnaire.questions()
                        if r.count_from == q.id), None)
        if value is None and counted is not None:  # « Combien d'enfants ? »: the list's length
            value = len(answers.get(counted) or [])
    if value is None and q.field is not None and q.field.absent_default is not None:
        value = q.field.absent_default  # an amount left out: said (« 0 »), never taken by Enter
    if value is None or value == interview.default_for(step):
        return "", True
    if q.type == "boolean":
        return ("o" if value else "n"), False
    if q.type == "choice":
        number = [c.value for c in q.choices].index(value) + 1
        instant = number * 10 > len(q.choices)
        return str(number), not instant
    if q.type in ("money", "integer", "number"):
        return format_number(value, 0 if float(value).is_integer() else 2), True
    if q.type == "date":
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}", True
    return str(value), True


async def applied(pilot: Any, screen: Any) -> None:
    """The keys pressed are all applied: none is still held behind a running save (on a loaded
    machine a save can outlast one pause; the keys typed meanwhile wait for it, by design)."""
    await pilot.pause()

    def settled() -> bool:
        typeahead = getattr(screen, "typeahead", None)
        return typeahead is None or not typeahead.held or typeahead.blocked

    await until(pilot, settled, "les touches tapées appliquées")


async def play_answers(pilot: Any, answers: dict[str, Any], count: KeyCount | None = None,
                       stop_at: str | None = None) -> KeyCount:
    """Answer every question of the interview on screen with the keys of a trained agent."""
    count = count or KeyCount()
    screen = pilot.app.screen
    for _ in range(200):
        step = screen.interview.current_step()
        if step is None or step.path == stop_at:
            return count
        text, enter = answer_keys(step, screen.interview, answers)
        keys = [("space" if ch == " " else ch) for ch in text] + (["enter"] if enter else [])
        await pilot.press(*keys)
        await applied(pilot, screen)
        count.questions += 1
        count.typed += len(text)
        count.extra += int(enter)
        count.log.append((step.path, text + ("⏎" if enter else "")))
        after = screen.interview.current_step()
        assert after is None or after.path != step.path or step.kind == "repeat_prompt", (
            f"réponse refusée à {step.path} : "
            f"{screen.query_one('#message').render()}"
        )
    raise AssertionError("l'entretien ne se termine pas")
