"""Snapshots of the main screens (pytest-textual-snapshot): fixed date, temp store, fixed agent,
fixed terminal size. After a deliberate change: ``pytest tests/tui --snapshot-update``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.tui.conftest import NOW, persona, play_answers, settle

MARTIN = persona("martin_permis")["answers"]


def at(days_ago: int) -> datetime:
    return NOW - timedelta(days=days_ago)


def seed_dossiers(store: Store) -> dict[str, str]:
    """A few dossiers with known dates: waits of 5, 40 and 75 days, one closed long ago."""
    people = [
        ("Martin", "Julie", "06 12 34 56 78", 75, "premier_contact"),
        ("Dubois", "Marc", "06 98 76 54 32", 40, "en_evaluation"),
        ("Lefèvre", "Anaïs", "07 11 22 33 44", 5, "en_commission"),
        ("Petit", "Sandra", "06 55 44 33 22", 120, "clos"),
    ]
    ids = {}
    for nom, prenom, tel, days, status in people:
        doc = store.create_dossier(agent="Agnès Durand", questionnaire="accueil_telephonique",
                                   answers={"nom": nom, "prenom": prenom, "telephone": tel},
                                   now=at(days))
        path = {"premier_contact": [], "en_evaluation": ["en_evaluation"],
                "en_commission": ["en_evaluation", "en_instruction", "en_commission"],
                "clos": ["clos"]}[status]
        for step in path:
            store.set_status(doc["id"], step, agent="Sophie Lambert", now=at(days))
        ids[nom] = doc["id"]
    return ids


def martin_dossier(store: Store) -> str:
    answers = {k: v for k, v in MARTIN.items()}
    doc = store.create_dossier(agent="Agnès Durand", questionnaire="accueil_telephonique",
                               answers=answers, now=at(3))
    store.add_meeting(doc["id"], date="2026-11-24", avec="demandeur", partenaire=None,
                      note="Premier rendez-vous, devis de l'auto-école apporté.",
                      agent="Sophie Lambert", now=at(2))
    store.add_note(doc["id"], "Rappeler après 17 h.", agent="Agnès Durand", now=at(2))
    return doc["id"]


async def until_idle(pilot) -> None:
    for _ in range(3):
        await settle(pilot)


def test_home_80x24(snap_compare, make_app, store):
    seed_dossiers(store)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=until_idle)


def test_home_social_worker(snap_compare, make_app, store):
    seed_dossiers(store)
    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    assert snap_compare(app, terminal_size=(100, 30), run_before=until_idle)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["panneau", "80x24"])
def test_interview(snap_compare, make_app, store, size):
    dossier_id = store.create_dossier(agent="Agnès Durand", questionnaire="accueil_telephonique",
                                      now=at(0))["id"]

    async def run_before(pilot) -> None:
        await until_idle(pilot)
        pilot.app.resume_interview(dossier_id, "accueil_telephonique")
        await until_idle(pilot)
        await play_answers(pilot, MARTIN, stop_at="cout_projet")
        await pilot.press(*"12OO", "enter")  # letters O: rejected, French message shown
        await until_idle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_dossier(snap_compare, make_app, store):
    dossier_id = martin_dossier(store)

    async def run_before(pilot) -> None:
        await until_idle(pilot)
        pilot.app.open_dossier(dossier_id)
        await until_idle(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 36), run_before=run_before)


def test_dossier_simulation_tab(snap_compare, make_app, store):
    dossier_id = martin_dossier(store)

    async def run_before(pilot) -> None:
        await until_idle(pilot)
        pilot.app.open_dossier(dossier_id)
        await until_idle(pilot)
        pilot.app.screen.query_one("#tabs").active = "tab-simulation"
        await until_idle(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 36), run_before=run_before)


def test_help(snap_compare, make_app, store):
    assert snap_compare(make_app(), press=["f1"], terminal_size=(100, 40),
                        run_before=until_idle)
