"""The screens around the interview, driven by keys as staff press them: signing in (identity from
authentication), home (search across statuses, filters, long waits, unfinished intakes, 80
columns), dossier (one screen at a time, tabs by keys, actions, export), reasons in full screen,
statistics (period, role), help and palette.

Every wait is on a state (`until`, `home_ready`, `wait_for_screen`), never on a duration.
"""

from __future__ import annotations

import json
import stat

from intake_assistant.app.agents import add_agent, disable_agent, get_agent
from intake_assistant.core.statuses import STATUS_LABELS
from intake_assistant.tui.app import IntakeApp
from intake_assistant.tui.config import TuiConfig, load_config, save_config
from intake_assistant.tui.screens.statistics import charts
from tests.platforms import WINDOWS
from tests.tui.conftest import (
    AGENT,
    TODAY,
    home_ready,
    persona,
    settle,
    sign_in_as,
    until,
    wait_for_screen,
)
from tests.tui.test_snapshots import martin_dossier, seed_dossiers

SOCIAL = "Sophie Lambert"


def table_ids(screen) -> list[str]:
    return list(screen.query_one("#dossiers").ids)


def rendered(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def screen_names(app) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack]


# -- signing in ------------------------------------------------------------------------------------
async def test_first_start_of_a_fresh_store_registers_its_os_user_once(store, tmp_path,
                                                                       monkeypatch):
    config = tmp_path / "config" / "tui.json"
    sign_in_as(monkeypatch, "sophie")
    app = IntakeApp(store, today=TODAY, config_path=config)
    async with app.run_test() as pilot:
        setup = await wait_for_screen(pilot, "FirstAgentScreen")
        assert "« sophie »" in rendered(setup, ".hint")  # the login is given, never asked
        await pilot.press(*"Sophie", "space", *"Lambert", "enter", "2")
        home = await home_ready(pilot)
        assert "Sophie Lambert (Travailleur social)" in rendered(home, "#home-title")
        assert "À évaluer" in rendered(home, "#home-actions")
    agent = get_agent(store, "sophie")
    assert (agent.name, agent.role) == ("Sophie Lambert", "travailleur_social")
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert saved["agent"] == "Sophie Lambert" and saved["role"] == "travailleur_social"
    assert WINDOWS or stat.S_IMODE(config.stat().st_mode) == 0o600  # POSIX modes
    # Next start: no form; a name or role asked on the command line does not count.
    again = IntakeApp(store, agent="Remplaçant", role="accueil", today=TODAY,
                      config_path=config)
    async with again.run_test() as pilot:
        home = await home_ready(pilot)
        assert "FirstAgentScreen" not in screen_names(again)
        assert (again.agent, again.role) == ("Sophie Lambert", "travailleur_social")
        assert "Sophie Lambert (Travailleur social)" in rendered(home, "#home-title")
        await until(pilot, lambda: any("ne comptent pas" in n.message
                                       for n in again._notifications), "l'avertissement")


async def test_first_start_typed_in_one_burst_keeps_the_name_and_the_role(store, tmp_path,
                                                                          monkeypatch):
    """Name, Enter and the role's digit typed without a pause: the digit chooses the role (it
    once arrived before the focus had moved and was appended to the name)."""
    from tests.tui.keys import burst

    sign_in_as(monkeypatch, "agnes")
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "tui.json")
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "FirstAgentScreen")
        burst(app, [*"Agnès Durand", "⏎", "1"])
        await home_ready(pilot)
    agent = get_agent(store, "agnes")
    assert (agent.name, agent.role) == ("Agnès Durand", "accueil")


async def test_first_start_keys_typed_after_the_names_enter_go_to_the_role_list(
        store, tmp_path, monkeypatch):
    """« Martin », Enter, « Julie » typed at once saved the name « MartinJulie » (tmux): the
    letters after Enter went on to the name line. Typed fast or slowly, the same result: the name
    is what was typed before Enter; ↓ and Enter typed ahead choose the role."""
    from tests.tui.keys import burst

    sign_in_as(monkeypatch, "martin")
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "tui.json")
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "FirstAgentScreen")
        burst(app, [*"Martin", "⏎", *"Julie", "down", "⏎"])
        await home_ready(pilot)
    agent = get_agent(store, "martin")
    assert (agent.name, agent.role) == ("Martin", "travailleur_social")


async def test_escape_at_first_start_goes_on_as_administrator(store, tmp_path, monkeypatch):
    sign_in_as(monkeypatch, "marie")
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "tui.json")
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, "FirstAgentScreen")
        await pilot.press("escape")
        home = await home_ready(pilot)
        assert app.identity.admin and "marie (administrateur)" in rendered(home, "#home-title")
    assert get_agent(store, "marie") is None  # asked again next time


async def test_an_unregistered_user_is_told_what_to_do_and_never_asked_a_name(
        store, tmp_path, monkeypatch):
    add_agent(store, "chef", "Claire Chef", "responsable")
    sign_in_as(monkeypatch, "inconnu")
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "tui.json")
    async with app.run_test() as pilot:
        refused = await wait_for_screen(pilot, "RefusedScreen")
        reason = rendered(refused, "#refused-reason")
        assert "« inconnu »" in reason and "intake-assistant agents add inconnu" in reason
        assert not refused.query("Input")  # nothing to type: identity is not a form
        await pilot.press("enter")
        await until(pilot, lambda: not app.is_running, "la fin de l'application")


async def test_a_disabled_agent_is_refused(store, tmp_path, monkeypatch):
    add_agent(store, "chef", "Claire Chef", "responsable")
    add_agent(store, "sophie", SOCIAL, "travailleur_social")
    disable_agent(store, "sophie")
    sign_in_as(monkeypatch, "sophie")
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "tui.json")
    async with app.run_test() as pilot:
        refused = await wait_for_screen(pilot, "RefusedScreen")
        assert "désactivé" in rendered(refused, "#refused-reason")


def test_config_survives_a_damaged_file(tmp_path):
    path = tmp_path / "tui.json"
    path.write_text("{pas du json", encoding="utf-8")
    assert load_config(path) == TuiConfig()
    save_config(path, TuiConfig(agent="A", role="accueil"))
    assert load_config(path).complete


# -- home ------------------------------------------------------------------------------------------
async def test_home_search_filters_and_long_waits(make_app, store):
    ids = seed_dossiers(store)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = await home_ready(pilot)
        assert "Accueil — Dossiers" in rendered(home, "#home-title")
        assert set(table_ids(home)) == set(ids.values())
        # Waits of 75 and 40 days stand out (red, yellow); closed dossiers do not wait.
        table = home.query_one("#dossiers")
        wait_of = {name: table.cell(ids[name], "wait") for name in ids}
        assert wait_of["Martin"].plain == "75 j" and "red" in str(wait_of["Martin"].style)
        assert wait_of["Dubois"].plain == "40 j" and "yellow" in str(wait_of["Dubois"].style)
        assert wait_of["Lefèvre"].style == "" and wait_of["Petit"].plain == "—"
        await pilot.press(*"lefevre")  # accents and case ignored
        await home_ready(pilot)
        assert table_ids(home) == [ids["Lefèvre"]]
        await pilot.press(*["backspace"] * 7, *"0698")  # phone digits
        await home_ready(pilot)
        assert table_ids(home) == [ids["Dubois"]]
        await pilot.press(*["backspace"] * 4)
        await home_ready(pilot)
        await pilot.press("f5")  # filter: à évaluer
        await home_ready(pilot)
        assert table_ids(home) == [ids["Martin"]]
        await pilot.press("f5", "f5", "f5")  # en commission
        await home_ready(pilot)
        assert table_ids(home) == [ids["Lefèvre"]]
        await pilot.press("enter")
        dossier = await wait_for_screen(pilot, "DossierScreen")
        assert dossier.dossier_id == ids["Lefèvre"]


async def test_a_long_list_makes_only_the_rows_in_view_and_follows_the_cursor(make_app, store):
    """The list gets every row at once but makes the cells of those in view only (issue 16);
    the cursor goes down to the last row, the list scrolling with it."""
    for i in range(150):
        store.create_dossier(agent=AGENT, answers={"nom": f"Nom{i:03d}", "prenom": "Test"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#dossiers")
        assert table.row_count == 150
        assert table_ids(home) == [e.id for e in store.list(limit=150)]  # newest first
        assert "150 dossiers" in rendered(home, "#home-status")
        await until(pilot, lambda: table._cells, "les lignes affichées")
        assert 0 < len(table._cells) < 24  # a screenful made, not 150 rows
        await pilot.press(*["pagedown"] * 20)  # ten rows a press, to the end and past it
        await until(pilot, lambda: table.cursor_row == 149, "le curseur sur la dernière")
        await until(pilot, lambda: table.scroll_y == table.max_scroll_y > 0, "la fin en vue")
        assert home.query_one("#search").has_focus  # the search box kept the keyboard


async def test_a_search_finds_in_every_status_and_the_filter_narrows_visibly(make_app, store):
    ids = seed_dossiers(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await home_ready(pilot)
        assert home.filters[home.filter_index][0] == "À évaluer"  # her first filter
        assert table_ids(home) == [ids["Martin"]]
        await pilot.press(*"dubois")  # « en évaluation », not « À évaluer »
        await home_ready(pilot)
        assert table_ids(home) == [ids["Dubois"]]
        assert "1 dossier trouvé (tous statuts)" in rendered(home, "#home-status")
        assert "F5 restreint la recherche" in rendered(home, "#filters")
        assert home.filters[home.filter_index][0] == "Tous"  # visibly: the chip shown
        await pilot.press("f5")  # narrows the search: « En évaluation » after « Tous »
        await home_ready(pilot)
        assert table_ids(home) == [ids["Dubois"]]
        assert "1 « En évaluation » sur 1 trouvé" in rendered(home, "#home-status")
        await pilot.press("f5")  # « En instruction »: the search's dossier is hidden, said so
        await home_ready(pilot)
        assert table_ids(home) == []
        status = rendered(home, "#home-status")
        assert "0 « En instruction » sur 1 trouvé" in status and "F5" in status
        await pilot.press(*["backspace"] * 6)  # search emptied: the filter chosen before
        await home_ready(pilot)
        assert table_ids(home) == [ids["Martin"]]


def finished_intake(store) -> str:
    """A phone intake answered to its end (what the persona does not say: « ne sait pas »)."""
    from intake_assistant.app.interviews import make_interview
    from intake_assistant.app.questionnaires import load_questionnaire_by_name

    interview = make_interview(load_questionnaire_by_name("accueil_telephonique"),
                               answers=persona("martin_permis")["answers"], today=TODAY)
    while interview.current_step() is not None:
        interview.mark_unknown()
    doc = store.create_dossier(agent="x", questionnaire="accueil_telephonique",
                               answers=interview.answers)
    store.save_answers(doc["id"], answers=interview.answers, unknown=sorted(interview.unknown),
                       events=interview.take_new_events(), agent="x",
                       questionnaire="accueil_telephonique")
    return doc["id"]


async def test_the_list_tells_a_finished_phone_intake_from_an_unfinished_one(make_app, store):
    done = finished_intake(store)
    half = store.create_dossier(agent="x", questionnaire="accueil_telephonique",
                                answers={"nom": "Moitié", "prenom": "Léa"})["id"]
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#dossiers")
        assert table.cell(done, "status").plain == "À évaluer"
        assert table.cell(half, "status").plain == "À évaluer (incomplet)"
        assert "accueil non terminé" in rendered(home, "#home-status")


async def test_at_80_columns_every_column_shows(make_app, store):
    seed_dossiers(store)
    store.create_dossier(agent="agnes.durand", answers={
        "nom": "De La Fontaine-Beaumarchais", "prenom": "Marie-Christine"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#dossiers")
        labels = [c.label for c in table.columns]
        assert labels == ["N° dossier", "Nom", "Statut", "Attente", "Agent"]
        used = sum(c.width + 2 for c in table.columns)  # 2: a blank cell each side
        assert used <= 80 - 2  # nothing cut at the right (2: the scroll bar)
        assert "Agnès D." in {table.cells_at(r)[4].plain for r in range(table.row_count)}
        names = {table.cells_at(r)[1].plain for r in range(table.row_count)}
        assert any(n.endswith("…") for n in names)  # a long name is clipped, visibly
    async with make_app().run_test(size=(120, 40)) as pilot:
        home = await home_ready(pilot)
        labels = [c.label for c in home.query_one("#dossiers").columns]
        assert "Dernier contact" in labels


# -- dossier ---------------------------------------------------------------------------------------
async def test_one_dossier_screen_at_a_time_and_escape_goes_home(make_app, store):
    dossier_id = martin_dossier(store)
    other = seed_dossiers(store)["Dubois"]
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(100, 36)) as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        app.open_dossier(other)
        await wait_for_screen(pilot, "DossierScreen")
        assert screen_names(app).count("DossierScreen") == 1
        # Two evaluation round trips: v (evaluation), F10 (back to the dossier), twice.
        for _ in range(2):
            await pilot.press("v")
            await wait_for_screen(pilot, "InterviewScreen")
            await pilot.press("f10")
            dossier = await wait_for_screen(pilot, "DossierScreen")
            assert screen_names(app).count("DossierScreen") == 1
        await until(pilot, lambda: dossier.view is not None
                    and dossier.view.doc["status"] == "en_evaluation", "le dossier à jour")
        assert "En évaluation" in rendered(dossier, "#dossier-title")  # current, not stale
        await pilot.press("escape")  # one Escape: home
        await home_ready(pilot)
        assert screen_names(app)[1:] == ["HomeScreen"]


async def test_tabs_answer_the_keys_even_after_a_dialog(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(100, 36)) as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        screen = await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("right")
        assert screen.active_tab == "tab-reponses"
        await pilot.press("n")  # a dialog (note), cancelled
        await wait_for_screen(pilot, "NoteScreen")
        await pilot.press("escape")
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("right", "right")
        assert screen.active_tab == "tab-simulation"
        await pilot.press("left")
        assert screen.active_tab == "tab-orientation"
        await pilot.press("6")
        assert screen.active_tab == "tab-historique"
        await pilot.press("ctrl+pagedown")  # the casework's tab comes last (7)
        assert screen.active_tab == "tab-commission"
        await pilot.press("ctrl+pagedown")  # wraps round
        assert screen.active_tab == "tab-resume"
        await pilot.press("ctrl+pageup")
        assert screen.active_tab == "tab-commission"
        await pilot.press("s")  # another dialog, a status chosen
        await wait_for_screen(pilot, "ChoiceScreen")
        await pilot.press("1")
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("left", "left")
        assert screen.active_tab == "tab-rencontres"
        assert app.focused is screen.query_one("#scroll-rencontres")  # ↑ ↓ scroll this tab


async def test_every_reason_is_readable_by_keys_in_a_full_view(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        dossier = await wait_for_screen(pilot, "DossierScreen")
        await until(pilot, lambda: dossier.view is not None, "le dossier")
        suggestions = dossier.view.orientation.suggestions
        await pilot.press("f7")
        reasons = await wait_for_screen(pilot, "ReasonsScreen")
        body = reasons.query_one("#reasons-body")
        text = str(reasons.query_one("#reasons-text").render())
        for s in suggestions:  # every aid, every reason
            assert s.name in text and all(r in text for r in s.reasons)
        assert body.max_scroll_y > 0  # longer than the screen at 80×24
        await pilot.press("pagedown")
        await until(pilot, lambda: body.scroll_y > 0, "le défilement par PgSuiv")
        await pilot.press("end")
        await until(pilot, lambda: body.scroll_y == body.max_scroll_y, "la fin des motifs")
        await pilot.press("escape")
        await wait_for_screen(pilot, "DossierScreen")


async def test_dossier_meeting_status_decision_and_audit(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(100, 36)) as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        screen = await wait_for_screen(pilot, "DossierScreen")
        summary = rendered(screen, "#body-resume")
        assert "Reste à vivre" in summary and "665 €" in summary
        # A meeting: date, with whom (1 = demandeur), partner, note.
        await pilot.press("r")
        await wait_for_screen(pilot, "FormScreen")
        await pilot.press("enter", "enter", "enter", *"Devis", "enter")
        await until(pilot, lambda: store.load(dossier_id)["rencontres"][-1]["note"] == "Devis",
                    "la rencontre enregistrée")
        # Status changes go through the store's life-cycle: « À évaluer » -> « En évaluation ».
        await pilot.press("s")
        await wait_for_screen(pilot, "ChoiceScreen")
        await pilot.press("1")
        await until(pilot, lambda: store.load(dossier_id)["status"] == "en_evaluation",
                    "le statut changé")
        # A decision now is refused (no commission session holds the dossier), nothing changes.
        await pilot.press("d")
        await until(pilot, lambda: any(n.title == "Décision impossible"
                                       for n in app._notifications), "le refus affiché")
        assert store.load(dossier_id)["status"] == "en_evaluation"
        # On the agenda of a session held today: the decision per aid (casework)
        store.set_status(dossier_id, "en_instruction", agent="sophie.lambert")
        from intake_assistant.app import casework

        session = casework.create_session(store, day=app.today)
        casework.add_to_session(store, session.id, dossier_id, agent="sophie.lambert",
                                today=app.today)
        await pilot.press("d")
        await wait_for_screen(pilot, "DecisionScreen")
        await pilot.press("down", "down", "a")  # the microcredit, third aid of commission.yaml
        await wait_for_screen(pilot, "CompactForm")
        await pilot.press(*"850", "enter", *"24", "enter", "enter", *"Sur 24 mois", "enter")
        await wait_for_screen(pilot, "DecisionScreen")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: store.load(dossier_id)["status"] == "accorde", "la décision")
        assert store.load(dossier_id)["commission"]["montant_accorde"] == 850
        await until(pilot, lambda: "Accordé" in rendered(screen, "#body-historique"),
                    "l'historique à jour")
        assert "Journal des modifications" in rendered(screen, "#body-historique")


async def test_abandon_asks_confirmation(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test() as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("a")
        await wait_for_screen(pilot, "ChoiceScreen")
        await pilot.press("1")  # 1 = non
        await wait_for_screen(pilot, "DossierScreen")
        await settle(pilot)
        assert store.load(dossier_id)["status"] == "premier_contact"
        await pilot.press("a")
        await wait_for_screen(pilot, "ChoiceScreen")
        await pilot.press("2")
        await until(pilot, lambda: store.load(dossier_id)["status"] == "abandonne", "l'abandon")


async def test_reception_may_not_change_a_status_and_is_told_why(make_app, store):
    dossier_id = martin_dossier(store)
    app = make_app()
    async with app.run_test() as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("a")
        await wait_for_screen(pilot, "ChoiceScreen")
        await pilot.press("2")
        await until(pilot, lambda: any("réservé au rôle" in n.message
                                       for n in app._notifications), "le refus")
        assert store.load(dossier_id)["status"] == "premier_contact"


async def test_export_for_the_commission(make_app, store, tmp_path):
    dossier_id = martin_dossier(store)
    target = tmp_path / "synthese"
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test() as pilot:
        await home_ready(pilot)
        app.open_dossier(dossier_id)
        await wait_for_screen(pilot, "DossierScreen")
        await pilot.press("x")
        form = await wait_for_screen(pilot, "FormScreen")
        form.query_one("#field-format").value = "md"
        form.query_one("#field-fichier").value = str(target)
        await pilot.press("enter", "enter")
        written = tmp_path / "synthese.md"
        await until(pilot, written.exists, "la synthèse écrite")
        await until(pilot, lambda: any("Synthèse écrite" in n.message
                                       for n in app._notifications), "la confirmation")
    assert "Martin" in written.read_text(encoding="utf-8")
    assert WINDOWS or stat.S_IMODE(written.stat().st_mode) == 0o600  # POSIX modes


# -- one vocabulary --------------------------------------------------------------------------------
async def test_one_status_vocabulary_on_every_screen(make_app, store):
    ids = seed_dossiers(store)
    app = make_app(role="travailleur_social", agent=SOCIAL)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await home_ready(pilot)
        await pilot.press("f5", "f5")  # « Tous » (the social worker starts on « À évaluer »)
        await home_ready(pilot)
        table = home.query_one("#dossiers")
        shown = {table.cell(i, "status").plain for i in ids.values()}
        assert shown == {"À évaluer (incomplet)", "En évaluation", "En commission", "Clos"}
        texts = [rendered(home, "#filters"), rendered(home, "#home-actions")]
        app.open_dossier(ids["Lefèvre"])
        dossier = await wait_for_screen(pilot, "DossierScreen")
        await until(pilot, lambda: dossier.view is not None, "le dossier")
        texts += [rendered(dossier, "#dossier-title"), rendered(dossier, "#body-resume"),
                  rendered(dossier, "#body-historique")]
        await pilot.press("f1")
        help_screen = await wait_for_screen(pilot, "HelpScreen")
        texts.append(str(help_screen.query_one("#help-keys").render()))
    every = "\n".join(texts).lower()
    for other_name in ("premier contact", "décision attendue", "premier_contact",
                       "en_commission"):
        assert other_name not in every
    assert STATUS_LABELS  # the labels come from core/statuses.py (the filters are built on it)


# -- statistics, help, palette ---------------------------------------------------------------------
async def test_statistics_cover_twelve_months_for_the_responsable(make_app, store):
    seed_dossiers(store)
    app = make_app(role="responsable", agent="Claire Chef")
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot)
        await pilot.press("f9")
        screen = await wait_for_screen(pilot, "StatisticsScreen")
        await until(pilot, lambda: screen.result is not None, "les statistiques")
        status = rendered(screen, "#stats-status")
        # twelve complete months, said as such (not 11 months and some days)
        assert "12 derniers mois complets, novembre 2025 – octobre 2026" in status
        assert "Du 01/11/2025 au 31/10/2026" in status
        months = [r for r in screen.result["tables"]["demandes_par_mois"]["rows"]
                  if r["mois"] != "Total de la période"]
        assert len(months) == 12
        for line in "\n".join(chart for _, chart in charts(screen.result, 114)).splitlines():
            assert len(line) <= 114  # bars fitted to the screen: no line wraps
        await pilot.press("p")  # next period
        await until(pilot, lambda: "année 2026 jusqu'à aujourd'hui"
                    in rendered(screen, "#stats-status"),
                    "l'année civile")
        await pilot.press("escape")
        await home_ready(pilot)


async def test_statistics_are_refused_to_reception_with_the_reason(make_app, store):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        await pilot.press("f9")
        screen = await wait_for_screen(pilot, "StatisticsScreen")
        await until(pilot, lambda: "réservé au rôle responsable"
                    in rendered(screen, "#stats-status"), "le refus")


async def test_help_palette_and_statistics(make_app, store):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Nouvel accueil téléphonique", "Nouvelle évaluation", "Aide", "Quitter",
                "Statistiques", "Agent connecté"} <= set(titles)
        assert "Changer d'agent" not in titles  # identity is not chosen in a form
        await pilot.press("f1")
        await wait_for_screen(pilot, "HelpScreen")
        await pilot.press("escape")
        await home_ready(pilot)
        app.action_who()
        await until(pilot, lambda: any("agnes.durand" in n.message and AGENT in n.message
                                       for n in app._notifications), "qui est connecté")


def test_tui_subcommand_and_default(tmp_path):
    from intake_assistant.cli import build_parser

    args = build_parser().parse_args(["tui", "--db", str(tmp_path), "--nouveau"])
    assert (args.db, args.nouveau) == (str(tmp_path), "")
    assert args.func.__module__ == "intake_assistant.cli.tui"
