"""Plain display mode (--ascii): the main screens at 80×24 draw no ▶ ➜ ✔ ✘ ▸ ▾, no partial
blocks and no ▔▁ rows, and stay aligned (snapshots). After a deliberate change:
``pytest tests/tui/test_plain_mode.py --snapshot-update``."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from intake_assistant.tui.glyphs import plain_text
from tests.tui.conftest import AGENT, persona, play_answers, settle, steady_cursors
from tests.tui.test_snapshots import martin_dossier, seed_dossiers

MARTIN = persona("martin_permis")["answers"]
SIZE = (80, 24)
# What the legacy consoles cannot draw (the list, and every partial block).
FORBIDDEN = set("▶➜✔✘▸▾▔▁▏▎▍▌▋▊▉▂▃▄▅▆▇▐▕▀")


async def until(pilot: Any, condition: Any, what: str, attempts: int = 100) -> None:
    """Wait on a state of the app, never on time alone."""
    for _ in range(attempts):
        await settle(pilot)
        if condition(pilot.app):
            return
    raise AssertionError(what)


def on(name: str) -> Any:
    def check(app: Any) -> bool:
        screen = app.screen
        if type(screen).__name__ != name:
            return False
        return name != "InterviewScreen" or screen.interview is not None
    return check


async def home(pilot: Any) -> None:
    await until(pilot, lambda app: on("HomeScreen")(app) and app.screen.ready
                and app.screen.query_one("#dossiers").row_count > 0, "la liste des dossiers")


def _at_the_end(transcript: Any) -> bool:
    """Arranged for its width, the newest bubble in view."""
    width = transcript.scrollable_content_region.width
    return transcript._width == width and transcript.virtual_size.height == transcript._height \
        and transcript.scroll_y == transcript.max_scroll_y


def interview(store: Any, panel: bool = False) -> Any:
    dossier_id = store.create_dossier(agent="Agnès Durand", questionnaire="accueil_telephonique",
                                      answers={})["id"]

    async def run(pilot: Any) -> None:
        await until(pilot, on("HomeScreen"), "l'accueil")
        pilot.app.resume_interview(dossier_id, "accueil_telephonique")
        await until(pilot, on("InterviewScreen"), "l'entretien")
        await play_answers(pilot, MARTIN, stop_at="logement")
        if panel:
            await pilot.press("f6")
            await until(pilot, lambda app: app.screen.query_one("#panel").display
                        and _at_the_end(app.screen.query_one("#transcript")),
                        "le panneau, le fil au bout")
        steady_cursors(pilot)  # the snapshot must not catch a blink phase
    return run


def dossier(store: Any, tab: str) -> Any:
    dossier_id = martin_dossier(store)

    async def run(pilot: Any) -> None:
        await until(pilot, on("HomeScreen"), "l'accueil")
        pilot.app.open_dossier(dossier_id)
        await until(pilot, on("DossierScreen"), "le dossier")
        pilot.app.screen.query_one("#tabs").active = f"tab-{tab}"
        await until(pilot, lambda app: app.screen.query_one("#tabs").active == f"tab-{tab}",
                    "l'onglet")
    return run


async def help_screen(pilot: Any) -> None:
    await until(pilot, on("HomeScreen"), "l'accueil")
    await pilot.press("f1")
    await until(pilot, on("HelpScreen"), "l'aide")


async def statistics(pilot: Any) -> None:
    await until(pilot, on("HomeScreen"), "l'accueil")
    await pilot.press("f9")
    await until(pilot, lambda app: on("StatisticsScreen")(app)
                and getattr(app.screen, "result", None) is not None, "les statistiques")


def _scenario(name: str, store: Any) -> Any:
    if name == "accueil":
        seed_dossiers(store)
        return home
    if name == "entretien":
        return interview(store)
    if name == "entretien-panneau":
        return interview(store, panel=True)
    if name == "dossier-orientation":
        return dossier(store, "orientation")
    if name == "aide":
        return help_screen
    seed_dossiers(store)
    return statistics


SCREENS = ["accueil", "entretien", "entretien-panneau", "dossier-orientation", "aide",
           "statistiques"]
# The statistics screen counts up to the real today: checked for its symbols, not snapshotted.
SNAPSHOTS = [name for name in SCREENS if name != "statistiques"]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_plain_snapshot(snap_compare, make_app, store, name):
    run = _scenario(name, store)
    assert snap_compare(make_app(plain=True), terminal_size=SIZE, run_before=run)


def _drawn(svg: str) -> set[str]:
    texts = re.findall(r">([^<>]*)</text>", svg)
    return set(html.unescape("".join(texts)))


@pytest.mark.parametrize("name", SCREENS)
async def test_plain_mode_draws_none_of_the_fragile_symbols(make_app, store, name):
    drawn = {}
    # Statistics are the responsable's (name-free aggregates); the other screens, reception's.
    # (another agent than the seeded dossiers' reception agent, whom seeding registers)
    who = ("responsable", "Claire Dumont") if name == "statistiques" else ("accueil", AGENT)
    for label, app in (("unicode", make_app(*who)), ("plain", make_app(*who, plain=True))):
        run = _scenario(name, store)  # its own dossier for each run
        async with app.run_test(size=SIZE) as pilot:
            await run(pilot)
            drawn[label] = _drawn(app.export_screenshot())
    if name in ("entretien", "entretien-panneau", "dossier-orientation"):
        assert drawn["unicode"] & FORBIDDEN  # the check can fail: Unicode mode draws them
    assert not drawn["plain"] & FORBIDDEN, drawn["plain"] & FORBIDDEN


def test_plain_text_keeps_every_cell() -> None:
    line = "▶ ✔ éligible ➜ 3/5 ██████░░░░ ▊▔▔▁▁▎ « € »"
    assert len(plain_text(line)) == len(line)
    assert not set(plain_text(line)) & FORBIDDEN
    assert "é" in plain_text(line) and "«" in plain_text(line) and "€" in plain_text(line)


@pytest.mark.parametrize(("options", "environ", "plain"), [
    ({"display.mode": "ascii"}, {"TERM": "xterm-256color", "LANG": "fr_FR.UTF-8"}, True),
    ({}, {"TERM": "linux", "LANG": "fr_FR.UTF-8"}, True),
    ({}, {"TERM": "xterm-256color", "LANG": "fr_FR.ISO-8859-1"}, True),
    ({}, {"TERM": "xterm-256color", "LANG": "fr_FR.UTF-8"}, False),
    ({}, {"TERM": "xterm-256color", "LANG": "fr_FR.UTF-8", "INTAKE_ASSISTANT_DISPLAY": "ascii"},
     True),
])
def test_the_app_follows_the_display_mode(make_app, options, environ, plain) -> None:
    from intake_assistant.app.settings import load_settings
    from intake_assistant.tui.glyphs import PlainFilter

    app = make_app(settings=load_settings(options, environ=environ))
    assert app.plain is plain and app.has_class("-plain") is plain
    assert any(isinstance(f, PlainFilter) for f in app._filters) is plain
