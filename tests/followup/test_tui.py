"""The follow-up screens driven by keys, as staff use them: from the home screen to a dossier,
its follow-up (request, the bank's answer, bank file, appointment, repayment), and the agenda.
Every wait is on a condition (the store or the screen reached the expected state)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from intake_assistant.app import followup as fu
from tests.followup.conftest import AGENT, TODAY, make_dossier


async def until(pilot: Any, condition: Callable[[], Any], what: str, attempts: int = 80) -> Any:
    for _ in range(attempts):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        value = condition()
        if value:
            return value
    raise AssertionError(f"attendu : {what} (écran {type(pilot.app.screen).__name__})")


def on(pilot: Any, name: str) -> Callable[[], Any]:
    """The current screen when it is `name` — a form only once its fields are composed (keys
    pressed before would reach nothing: seen once in CI as « no #field-date »)."""
    def current() -> Any:
        screen = pilot.app.screen
        if type(screen).__name__ != name:
            return None
        fields = getattr(screen, "fields", None)
        if fields is not None and not all(screen.query(f"#field-{key}") for key, *_ in fields):
            return None
        return screen
    return current


def rows(store: Any, did: str, table: str) -> list[dict[str, Any]]:
    return [r["data"] for r in store.load(did)["tables"].get(table, [])]


async def open_followup(pilot: Any) -> Any:
    """Home → Entrée on the dossier → « u » (suivi)."""
    from tests.tui.conftest import home_ready

    home = await home_ready(pilot)
    table = home.query_one("#dossiers")
    for _ in range(3):  # the social worker's first filter is « à évaluer »: F5 to « tous »
        if table.row_count:
            break
        await pilot.press("f5")
        home = await home_ready(pilot)
    await until(pilot, lambda: table.row_count, "la liste")
    await pilot.press("enter")
    await until(pilot, on(pilot, "DossierScreen"), "le dossier")
    await pilot.press("u")
    screen = await until(pilot, on(pilot, "FollowupScreen"), "le suivi")
    await until(pilot, lambda: screen.view is not None, "le suivi chargé")
    return screen


async def test_request_then_the_banks_decision_typed_ahead(make_app, store):
    did = make_dossier(store)
    async with make_app().run_test(size=(100, 30)) as pilot:
        screen = await open_followup(pilot)
        await pilot.press("p")
        await until(pilot, on(pilot, "ChoiceScreen"), "le choix du partenaire")
        await pilot.press("4")  # banks first: Banque Postale, Crédit Municipal, Mutuel, Parcours
        await until(pilot, on(pilot, "FollowupForm"), "le formulaire de demande")
        # typed without waiting between fields, as a trained agent does
        await pilot.press("enter", *"Microcrédit permis", "enter", *"02/11/2026", "enter",
                          "enter")
        await until(pilot, lambda: rows(store, did, "demandes"), "la demande enregistrée")
        [req] = rows(store, did, "demandes")
        assert (req["partenaire"], req["aide"], req["objet"], req["envoyee_le"]) == (
            "parcours_confiance", "microcredit_personnel", "Microcrédit permis", "2026-11-02")
        table = screen.query_one("#requests")
        await until(pilot, lambda: table.row_count == 1, "la ligne de la demande")
        assert table.get_row_at(0)[4].plain == "24 j"
        await pilot.press("e")
        await until(pilot, on(pilot, "FollowupForm"), "le formulaire de réponse")
        await pilot.press(*"20/11/2026", "enter", "1", "enter", *"1200", "enter", *"24",
                          "enter", "4", "enter", *"25/11/2026", "enter", *"MC-1", "enter",
                          "enter")
        await until(pilot, lambda: rows(store, did, "demandes")[0].get("resultat"),
                    "la réponse enregistrée")
        req = rows(store, did, "demandes")[0]
        assert (req["resultat"], req["montant"], req["duree_mois"], req["taux"],
                req["signe_le"], req["reference"]) == ("accorde", 1200, 24, 0.04,
                                                       "2026-11-25", "MC-1")
        await until(pilot, lambda: "accordé" in table.get_row_at(0)[5].plain,
                    "la réponse affichée")


async def test_refused_entry_keeps_the_form_open_with_the_reason(make_app, store):
    make_dossier(store)
    async with make_app().run_test(size=(100, 30)) as pilot:
        await open_followup(pilot)
        await pilot.press("p")
        await until(pilot, on(pilot, "ChoiceScreen"), "le choix du partenaire")
        await pilot.pause()
        await pilot.press("4")
        form = await until(pilot, on(pilot, "FollowupForm"), "le formulaire")
        for key in ("enter",) * 4:  # no subject: refused, with pauses this time
            await pilot.press(key)
            await pilot.pause()
        error = form.query_one(".error")
        await until(pilot, lambda: "objet" in str(error.render()), "le message d'erreur")
        assert pilot.app.screen is form


async def test_appointment_booked_agenda_and_recorded(make_app, store):
    did = make_dossier(store)
    other = make_dossier(store, {"nom": "Dubois", "prenom": "Marc", "telephone": "0698765432"})
    fu.send_request(store, other, partner="departement_marne", aid="rsa", subject="AII",
                    sent="2026-09-01", agent=AGENT, today=TODAY)
    async with make_app().run_test(size=(100, 30)) as pilot:
        home = await until(pilot, on(pilot, "HomeScreen"), "l'accueil")
        line = home.query_one("#home-agenda")
        await until(pilot, lambda: line.display and "1 demande à relancer (1 en alerte)"
                    in str(line.render()), "la ligne de l'agenda")
        table = home.query_one("#dossiers")
        await until(pilot, lambda: table.row_count == 2 and "⚑" in table.cell(other, "nom").plain,
                    "le dossier en attente signalé")
        assert "⚑" not in table.cell(did, "nom").plain
        await pilot.press("down" if table.cells_at(0)[0].plain == other else "up")
        await pilot.press("enter")
        await until(pilot, on(pilot, "DossierScreen"), "le dossier")
        await pilot.press("u")
        screen = await until(pilot, on(pilot, "FollowupScreen"), "le suivi")
        await until(pilot, lambda: screen.view is not None, "le suivi chargé")
        await pilot.press("r")
        await until(pilot, on(pilot, "FollowupForm"), "le formulaire de rendez-vous")
        await pilot.press("enter", *"14h30", "enter", "enter", "enter", "2", "enter",
                          *"parcours", "enter", *"Signature", "enter")
        await until(pilot, lambda: rows(store, did, "rendez_vous"), "le rendez-vous")
        [rdv] = rows(store, did, "rendez_vous")
        assert (rdv["date"], rdv["heure"], rdv["avec"], rdv["partenaire"], rdv["objet"]) == (
            TODAY.isoformat(), "14:30", "partenaire", "parcours_confiance", "Signature")
        await pilot.press("escape")
        await until(pilot, on(pilot, "DossierScreen"), "retour au dossier")
        await pilot.press("escape")
        await until(pilot, on(pilot, "HomeScreen"), "retour à l'accueil")
        await pilot.press("f6")
        agenda = await until(pilot, on(pilot, "AgendaScreen"), "l'agenda")
        grid = agenda.query_one("#agenda-table")
        await until(pilot, lambda: agenda.agenda is not None
                    and len(agenda.agenda.appointments) == 1, "le rendez-vous du jour")
        assert grid.get_row_at(1)[0].plain == "14:30" and grid.get_row_at(1)[1] == "Julie Martin"
        await pilot.press("right")
        await until(pilot, lambda: agenda.agenda.day != TODAY, "le lendemain")
        assert agenda.agenda.appointments == []
        await pilot.press("a")
        await until(pilot, lambda: agenda.agenda.day == TODAY
                    and agenda.agenda.appointments, "retour au jour")
        await pilot.press("enter")  # the cursor is on the first appointment
        screen = await until(pilot, on(pilot, "FollowupScreen"), "le suivi depuis l'agenda")
        await until(pilot, lambda: screen.query_one("#appointments").row_count == 1,
                    "l'onglet rendez-vous")
        await pilot.press("h")
        await until(pilot, lambda: rows(store, did, "rendez_vous")[0]["etat"] == "honore",
                    "le rendez-vous honoré")
        assert store.load(did)["rencontres"][-1]["partenaire"].startswith("Parcours")


async def test_repayment_schedule_and_payment_by_keys(make_app, store):
    did = make_dossier(store, decision="accorde", amount=600)
    async with make_app().run_test(size=(100, 30)) as pilot:
        screen = await open_followup(pilot)
        await pilot.press("o")
        form = await until(pilot, on(pilot, "FollowupForm"), "l'échéancier")
        assert form.values()["montant"] == "600" and form.values()["decision"] == "15/10/2026"
        await pilot.press("enter", *"6", "enter", "enter", *"05/11/2026", "enter")
        await until(pilot, lambda: rows(store, did, "avances"), "l'échéancier enregistré")
        def shown() -> str:
            """The text of the repayment tab, as painted from the screen's view."""
            from rich.console import Console

            if screen.view is None:
                return ""
            console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
            console.print(screen._advances(screen.view))
            return console.export_text()

        await until(pilot, lambda: "impayée" in shown(), "l'échéance impayée")
        await pilot.press("v")
        form = await until(pilot, on(pilot, "FollowupForm"), "le versement")
        assert form.values()["montant"] == "100,00"  # the instalment due
        await pilot.press("enter", "enter")
        await until(pilot, lambda: rows(store, did, "versements"), "le versement enregistré")
        advance = store.load(did)["tables"]["avances"][0]
        statement = fu.advance_statement(store.load(did), advance["id"], TODAY)
        assert statement.state.value == "en_cours" and statement.remaining_cents == 50_000
        await until(pilot, lambda: "reste dû 500,00 €" in shown(), "le reste dû")


async def test_reception_may_book_but_not_write_to_partners(make_app, store):
    did = make_dossier(store)
    app = make_app(role="accueil", agent="Sophie Lambert")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_followup(pilot)
        await pilot.press("p", "4")
        await until(pilot, on(pilot, "FollowupForm"), "le formulaire")
        await pilot.press("enter", *"Demande", "enter", "enter", "enter")
        await until(pilot, lambda: any("adresser une demande" in n.message
                                       for n in app._notifications), "le refus")
        assert rows(store, did, "demandes") == []
        await pilot.press("2", "r")
        await until(pilot, on(pilot, "FollowupForm"), "le rendez-vous")
        await pilot.press("enter", *"11h", "enter", "enter", "enter", "enter", "enter",
                          "enter")
        await until(pilot, lambda: rows(store, did, "rendez_vous"), "le rendez-vous pris")


async def test_the_dossier_shows_its_partner_waits(make_app, store):
    did = make_dossier(store)
    fu.send_request(store, did, partner="departement_marne", aid="rsa", subject="AII",
                    sent="2026-09-01", agent=AGENT, today=TODAY)
    fu.send_request(store, did, partner="caf_marne", aid="aide_logement", subject="ALS",
                    sent="2026-11-16", agent=AGENT, today=TODAY)
    async with make_app().run_test(size=(100, 30)) as pilot:
        await until(pilot, on(pilot, "HomeScreen"), "l'accueil")
        await pilot.press("enter")
        dossier = await until(pilot, on(pilot, "DossierScreen"), "le dossier")
        await until(pilot, lambda: dossier.view is not None, "le dossier chargé")
        text = dossier._summary(dossier.view).plain
        assert ("Attente partenaire        Département de la Marne (crédits d'insertion) : 86 j "
                "(attente anormale)\n" in text)
        assert "                          CAF de la Marne : 10 j\n" in text


async def test_the_phone_intake_ends_by_booking_the_first_interview(make_app, store):
    doc = store.create_dossier(agent="Sophie Lambert", questionnaire="accueil_telephonique",
                               answers={"nom": "Petit", "prenom": "Sandra",
                                        "telephone": "0655443322"})
    did = doc["id"]
    async with make_app(role="accueil", agent="Sophie Lambert").run_test(size=(100, 30)) as pilot:
        from tests.tui.conftest import home_ready

        await home_ready(pilot)
        await pilot.press("ctrl+r")  # resume the intake of the selected dossier
        interview = await until(pilot, on(pilot, "InterviewScreen"), "l'entretien")
        await until(pilot, lambda: interview.dossier_id == did, "l'entretien du dossier")
        # the palette's « Terminer et prendre le premier rendez-vous »
        [command] = [c for c in interview.palette_commands()
                     if c.title.startswith("Terminer et prendre")]
        command.callback()
        form = await until(pilot, on(pilot, "FollowupForm"), "le formulaire de rendez-vous")
        assert form.values()["objet"] == fu.FIRST_INTERVIEW
        await pilot.press(*"03/12/2026", "enter", *"10h", "enter", "enter", "enter", "enter",
                          "enter", "enter")
        await until(pilot, lambda: rows(store, did, "rendez_vous"), "le rendez-vous")
        [rdv] = rows(store, did, "rendez_vous")
        assert (rdv["date"], rdv["heure"], rdv["objet"], rdv["duree_min"]) == (
            "2026-12-03", "10:00", fu.FIRST_INTERVIEW, 45)
        assert type(pilot.app.screen).__name__ == "FollowupScreen"
