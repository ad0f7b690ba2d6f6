"""Snapshots of the main screens (pytest-textual-snapshot): fixed date, temp store, fixed agent,
fixed terminal size. After a deliberate change: ``pytest tests/tui --snapshot-update``.

Each snapshot is taken once the screen shows what it is waiting for (the home list loaded for
the authenticated agent, the dossier read): a state, never a number of idle rounds or a delay,
so that a loaded machine gives the same picture as an idle one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from intake_assistant.app.agents import add_agent
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.tui.conftest import NOW, home_ready, persona, play_answers, until

MARTIN = persona("martin_permis")["answers"]


def at(days_ago: int) -> datetime:
    return NOW - timedelta(days=days_ago)


def seed_dossiers(store: Store) -> dict[str, str]:
    """A few dossiers with known dates: waits of 5, 40 and 75 days, one closed long ago; made
    by the reception agent, moved on by the social worker (both registered agents)."""
    add_agent(store, "agnes.durand", "Agnès Durand", "accueil")
    add_agent(store, "sophie.lambert", "Sophie Lambert", "travailleur_social")
    people = [
        ("Martin", "Julie", "06 12 34 56 78", 75, "premier_contact"),
        ("Dubois", "Marc", "06 98 76 54 32", 40, "en_evaluation"),
        ("Lefèvre", "Anaïs", "07 11 22 33 44", 5, "en_commission"),
        ("Petit", "Sandra", "06 55 44 33 22", 120, "clos"),
    ]
    ids = {}
    for nom, prenom, tel, days, status in people:
        doc = store.create_dossier(agent="agnes.durand", questionnaire="accueil_telephonique",
                                   answers={"nom": nom, "prenom": prenom, "telephone": tel},
                                   now=at(days))
        path = {"premier_contact": [], "en_evaluation": ["en_evaluation"],
                "en_commission": ["en_evaluation", "en_instruction", "en_commission"],
                "clos": ["clos"]}[status]
        for step in path:
            store.set_status(doc["id"], step, agent="sophie.lambert", now=at(days))
        ids[nom] = doc["id"]
    return ids


def martin_dossier(store: Store) -> str:
    add_agent(store, "agnes.durand", "Agnès Durand", "accueil")
    add_agent(store, "sophie.lambert", "Sophie Lambert", "travailleur_social")
    answers = {k: v for k, v in MARTIN.items()}
    doc = store.create_dossier(agent="agnes.durand", questionnaire="accueil_telephonique",
                               answers=answers, now=at(3))
    store.add_meeting(doc["id"], date="2026-11-24", avec="demandeur", partenaire=None,
                      note="Premier rendez-vous, devis de l'auto-école apporté.",
                      agent="sophie.lambert", now=at(2))
    store.add_note(doc["id"], "Rappeler après 17 h.", agent="agnes.durand", now=at(2))
    return doc["id"]


async def dossier_shown(pilot, dossier_id: str):
    await home_ready(pilot)
    pilot.app.open_dossier(dossier_id)
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "DossierScreen"
                and pilot.app.screen.view is not None, "le dossier affiché")
    return pilot.app.screen


def test_home_80x24(snap_compare, make_app, store):
    seed_dossiers(store)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=home_ready)


def test_home_social_worker(snap_compare, make_app, store):
    seed_dossiers(store)
    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    assert snap_compare(app, terminal_size=(100, 30), run_before=home_ready)


def test_home_search_in_every_status(snap_compare, make_app, store):
    """The social worker types a name « en évaluation » while her filter is « À évaluer »."""
    seed_dossiers(store)
    app = make_app(role="travailleur_social", agent="Sophie Lambert")

    async def run_before(pilot) -> None:
        await home_ready(pilot)
        await pilot.press(*"dubois")
        await home_ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["panneau", "80x24"])
def test_interview(snap_compare, make_app, store, size):
    dossier_id = store.create_dossier(agent="agnes.durand", questionnaire="accueil_telephonique",
                                      now=at(0))["id"]

    async def run_before(pilot) -> None:
        await home_ready(pilot)
        pilot.app.resume_interview(dossier_id, "accueil_telephonique")
        await until(pilot, lambda: getattr(pilot.app.screen, "interview", None) is not None,
                    "l'entretien ouvert")
        await play_answers(pilot, MARTIN, stop_at="cout_projet")
        await pilot.press(*"12OO", "enter")  # letters O: rejected, French message shown
        await until(pilot, lambda: pilot.app.screen.query_one("#message").display,
                    "le message de refus")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_dossier(snap_compare, make_app, store):
    dossier_id = martin_dossier(store)

    async def run_before(pilot) -> None:
        await dossier_shown(pilot, dossier_id)

    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    assert snap_compare(app, terminal_size=(100, 36), run_before=run_before)


def test_dossier_simulation_tab(snap_compare, make_app, store):
    dossier_id = martin_dossier(store)

    async def run_before(pilot) -> None:
        await dossier_shown(pilot, dossier_id)
        await pilot.press("4")  # the tab's number, as staff press it

    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    assert snap_compare(app, terminal_size=(100, 36), run_before=run_before)


def test_reasons_full_view(snap_compare, make_app, store):
    dossier_id = martin_dossier(store)

    async def run_before(pilot) -> None:
        await dossier_shown(pilot, dossier_id)
        await pilot.press("f7")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ReasonsScreen",
                    "les motifs")

    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_help(snap_compare, make_app, store):
    assert snap_compare(make_app(), press=["f1"], terminal_size=(100, 40),
                        run_before=home_ready)
