"""Home (search, filters, long waits), first start (agent), dossier actions, export, palette."""

from __future__ import annotations

import json
import stat

from intake_assistant.tui.app import IntakeApp
from intake_assistant.tui.config import TuiConfig, load_config, save_config
from intake_assistant.tui.screens.home import SEARCH_DELAY
from tests.platforms import WINDOWS
from tests.tui.conftest import settle, wait_for_screen
from tests.tui.test_snapshots import martin_dossier, seed_dossiers


def table_ids(screen) -> list[str]:
    return [str(key.value) for key in screen.query_one("#dossiers").rows]


async def searched(pilot) -> None:
    """Typing pauses the search for SEARCH_DELAY, then the list loads in a worker."""
    await pilot.pause(SEARCH_DELAY + 0.05)
    await settle(pilot)


async def test_first_start_asks_the_agent_and_remembers_it(store, tmp_path):
    config = tmp_path / "config" / "tui.json"
    app = IntakeApp(store, today=None, config_path=config)
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "AgentScreen")
        await pilot.press(*"Sophie", "space", *"Lambert", "enter", "2")
        home = await wait_for_screen(pilot, "HomeScreen")
        assert "Sophie Lambert (Travailleur social)" in str(
            home.query_one("#home-title").render())
        assert "À évaluer" in str(home.query_one("#home-actions").render())
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert saved["agent"] == "Sophie Lambert" and saved["role"] == "travailleur_social"
    assert WINDOWS or stat.S_IMODE(config.stat().st_mode) == 0o600  # POSIX modes
    # --agent given on the command line wins over the remembered one.
    again = IntakeApp(store, agent="Remplaçant", config_path=config)
    assert again.agent == "Remplaçant" and again.role == "travailleur_social"


def test_config_survives_a_damaged_file(tmp_path):
    path = tmp_path / "tui.json"
    path.write_text("{pas du json", encoding="utf-8")
    assert load_config(path) == TuiConfig()
    save_config(path, TuiConfig(agent="A", role="accueil"))
    assert load_config(path).complete


async def test_home_search_filters_and_long_waits(make_app, store):
    ids = seed_dossiers(store)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = await wait_for_screen(pilot, "HomeScreen")
        assert "Accueil — Dossiers" in str(home.query_one("#home-title").render())
        assert set(table_ids(home)) == set(ids.values())
        # Waits of 75 and 40 days stand out (red, yellow); closed dossiers do not wait.
        table = home.query_one("#dossiers")
        wait_of = {name: table.get_row(ids[name])[4] for name in ids}
        assert wait_of["Martin"].plain == "75 j" and "red" in str(wait_of["Martin"].style)
        assert wait_of["Dubois"].plain == "40 j" and "yellow" in str(wait_of["Dubois"].style)
        assert wait_of["Lefèvre"].style == "" and wait_of["Petit"].plain == "—"
        await pilot.press(*"lefevre")  # accents and case ignored
        await searched(pilot)
        assert table_ids(home) == [ids["Lefèvre"]]
        await pilot.press(*["backspace"] * 7, *"0698")  # phone digits
        await searched(pilot)
        assert table_ids(home) == [ids["Dubois"]]
        await pilot.press(*["backspace"] * 4, "f5")  # filter: à évaluer
        await searched(pilot)
        assert table_ids(home) == [ids["Martin"]]
        await pilot.press("f5", "f5", "f5")  # décision attendue
        await searched(pilot)
        assert table_ids(home) == [ids["Lefèvre"]]
        await pilot.press("enter")
        dossier = await wait_for_screen(pilot, "DossierScreen")
        assert dossier.dossier_id == ids["Lefèvre"]


async def test_dossier_meeting_status_decision_and_audit(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app(role="travailleur_social", agent="Sophie Lambert")
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        app.open_dossier(dossier_id)
        screen = await wait_for_screen(pilot, "DossierScreen")
        summary = str(screen.query_one("#body-resume").render())
        assert "Reste à vivre" in summary and "665 €" in summary
        # A meeting: date, with whom (1 = demandeur), partner, note.
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter", "enter", "enter", *"Devis", "enter")
        await settle(pilot)
        assert store.load(dossier_id)["rencontres"][-1]["note"] == "Devis"
        # Status changes go through the store's life-cycle: premier contact -> en évaluation.
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("1")
        await settle(pilot)
        assert store.load(dossier_id)["status"] == "en_evaluation"
        # A decision now is refused by the store; its French message is shown, nothing changes.
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter", "1", "enter", *"850", "enter", "enter")
        await settle(pilot)
        assert store.load(dossier_id)["status"] == "en_evaluation"
        for status in ("en_instruction", "en_commission"):
            store.set_status(dossier_id, status, agent="Sophie Lambert")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter", "1", "enter", *"850", "enter", *"Sur 24 mois", "enter")
        await settle(pilot)
        doc = store.load(dossier_id)
        assert doc["status"] == "accorde" and doc["commission"]["montant_accorde"] == 850
        history = str(screen.query_one("#body-historique").render())
        assert "Accordé" in history and "Journal des modifications" in history


async def test_abandon_asks_confirmation(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("a", "1")  # 1 = non
        await settle(pilot)
        assert store.load(dossier_id)["status"] == "premier_contact"
        await pilot.press("a", "2")
        await settle(pilot)
        assert store.load(dossier_id)["status"] == "abandonne"


async def test_export_for_the_commission(make_app, store, tmp_path):
    dossier_id = martin_dossier(store)
    target = tmp_path / "synthese"
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("x")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-format").value = "md"
        form.query_one("#field-fichier").value = str(target)
        await pilot.press("enter", "enter")
        await settle(pilot)
    written = tmp_path / "synthese.md"
    assert "Martin" in written.read_text(encoding="utf-8")
    assert WINDOWS or stat.S_IMODE(written.stat().st_mode) == 0o600  # POSIX modes


async def test_help_palette_and_statistics(make_app, store):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Nouvel accueil téléphonique", "Nouvelle évaluation", "Aide", "Quitter"} <= set(
            titles)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert "Statistiques" in titles
        await pilot.press("f9")
        await wait_for_screen(pilot, "StatisticsScreen")


def test_tui_subcommand_and_default(tmp_path):
    from intake_assistant.cli import build_parser

    args = build_parser().parse_args(["tui", "--db", str(tmp_path), "--agent", "Agnès",
                                      "--role", "travailleur_social", "--nouveau"])
    assert (args.db, args.agent, args.role, args.nouveau) == (str(tmp_path), "Agnès",
                                                              "travailleur_social", "")
    assert args.func.__module__ == "intake_assistant.cli.tui"
