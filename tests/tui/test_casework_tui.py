"""The casework by keys: written assessment (autosaved, back after a kill), proposal, documents,
the « Commission » screen with a session, an agenda and per-aid decisions, letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake_assistant.app import casework

from .conftest import TODAY, settle, wait_for_screen

ANSWERS = {
    "nom": "Lefèvre", "prenom": "Hélène", "date_naissance": "1990-05-10",
    "commune_residence": "Reims", "situation_familiale": "seul", "enfants": [{"age": 5}],
    "autres_personnes": 0, "logement": "locataire_social",
    "situation_professionnelle": "salarie_precaire", "revenus_activite": 1200,
    "aides_logement_percues": 200, "loyer": 500, "energie": 100, "credits_mensualites": 0,
    "compte_bancaire": True, "refus_credit_bancaire": True, "ficp": False,
    "surendettement": "aucun", "montant_dettes": 0, "type_projet": "permis_b",
    "lien_emploi_insertion": True, "cout_projet": 1200, "apport_personnel": 200,
    "montant_demande": 1000, "duree_souhaitee_mois": 24,
}


def dossier(store: Any, status: str = "en_evaluation") -> str:
    doc = store.create_dossier(agent="Sophie Lambert", questionnaire="evaluation",
                               answers=ANSWERS, now=datetime(2026, 11, 2, 10).astimezone())
    steps = ["en_evaluation", "en_instruction", "en_commission"]
    for step in steps[: steps.index(status) + 1]:
        store.set_status(doc["id"], step, agent="Nadia Benali")
    return doc["id"]


async def until(pilot: Any, condition: Any, what: str, attempts: int = 60) -> None:
    """Wait on state, never on time alone."""
    for _ in range(attempts):
        await settle(pilot)
        if condition():
            return
    raise AssertionError(f"attendu : {what}")


async def open_dossier(pilot: Any, dossier_id: str) -> Any:
    await wait_for_screen(pilot, "HomeScreen")
    pilot.app.open_dossier(dossier_id)
    return await wait_for_screen(pilot, "DossierScreen")


async def test_assessment_written_autosaved_and_back_after_a_kill(make_app, store):
    did = dossier(store)
    app = make_app(role="travailleur_social", agent="Nadia Benali")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_dossier(pilot, did)
        await pilot.press("e")
        editor = await wait_for_screen(pilot, "AssessmentScreen")
        await until(pilot, lambda: editor.editor is not None, "l'éditeur ouvert")
        await pilot.press(*"Mère isolée, projet réaliste")
        # Waits for the draft of the whole text: on a loaded machine a pause between two keys
        # may already have saved a part of it (that is the autosave doing its job).
        def whole_draft() -> bool:
            draft = store.load(did).get("draft") or {}
            return editor.saved_drafts >= 1 and draft.get("text") == "Mère isolée, projet réaliste"
        await until(pilot, whole_draft, "le brouillon de tout le texte enregistré")
        draft = store.load(did)["draft"]
        assert draft["path"] == "evaluation_sociale"
        assert store.load(did)["evaluation_sociale"] is None
        # the terminal is closed here: no Ctrl+S, no Échap
    app = make_app(role="travailleur_social", agent="Nadia Benali")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_dossier(pilot, did)
        await pilot.press("e")
        editor = await wait_for_screen(pilot, "AssessmentScreen")
        await until(pilot, lambda: editor.editor is not None, "l'éditeur rouvert")
        assert editor.editor.restored
        assert "Brouillon repris" in str(editor.query_one("#assessment-state").render())
        await pilot.press("enter", *"Budget suivi.", "escape")
        await wait_for_screen(pilot, "DossierScreen")
        await until(pilot, lambda: store.load(did)["evaluation_sociale"] is not None,
                    "l'évaluation enregistrée")
    doc = store.load(did)
    assert doc["evaluation_sociale"] == "Mère isolée, projet réaliste\nBudget suivi."
    assert doc["draft"] is None


async def test_proposal_and_documents_by_keys(make_app, store):
    did = dossier(store)
    app = make_app(role="travailleur_social", agent="Nadia Benali")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_dossier(pilot, did)
        await pilot.press("p")
        await pilot.pause()
        # aide au projet 200 · avance 800 sur 16 mois · microcrédit: none · argumentaire
        await pilot.press(*"200", "enter", *"800", "enter", *"16", "enter", "enter", "enter",
                          *"Emploi", "ctrl+s")
        await until(pilot, lambda: store.load(did).get("proposition") is not None,
                    "la proposition enregistrée")
        assert [(a["aid"], a["montant"], a["duree_mois"])
                for a in store.load(did)["proposition"]["aides"]] == [
            ("aide_au_projet", 200.0, None), ("avance_remboursable", 800.0, 16)]
        await until(pilot, lambda: "50,00 €/mois" in str(
            screen.query_one("#body-commission").render()), "la mensualité affichée")
        await pilot.press("j")
        docs = await wait_for_screen(pilot, "DocumentsScreen")
        await pilot.press("b")
        await until(pilot, lambda: docs.view is not None and docs.view.active, "la liste")
        count = len(docs.view.active)
        await pilot.press("r", "down", "s")
        await until(pilot, lambda: len(docs.view.missing) == count - 2, "deux pièces notées")
        rows = store.load(did)["tables"]["pieces"]
        assert [r["data"]["etat"] for r in rows[:2]] == ["recue", "sans_objet"]
        assert rows[0]["data"]["recue_le"] == TODAY.isoformat()
        await pilot.press("escape")
        await wait_for_screen(pilot, "DossierScreen")


async def test_commission_screen_session_agenda_and_decisions(make_app, store):
    did = dossier(store, "en_instruction")
    casework.set_proposal(store, did, [{"aid": "microcredit_personnel", "montant": 900,
                                        "duree_mois": 24}], "Emploi", agent="Nadia Benali")
    app = make_app(role="travailleur_social", agent="Nadia Benali")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("f11")  # F6 is the agenda
        screen = await wait_for_screen(pilot, "CommissionScreen")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*TODAY.strftime("%d/%m/%Y"), "ctrl+s")
        await until(pilot, lambda: screen.agenda is not None, "la séance créée")
        assert screen.agenda.session.date == TODAY.isoformat()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*did[2:], "enter")
        await until(pilot, lambda: screen.agenda and screen.agenda.entries,
                    f"le dossier inscrit {[n.message for n in pilot.app._notifications]}")
        assert store.load(did)["status"] == "en_commission"
        await pilot.press("tab", "d")
        decision = await wait_for_screen(pilot, "DecisionScreen")
        # the proposed microcredit comes first, prefilled: accept 900 € over 24 months
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter", "enter", "enter", *"Accompagnement budgétaire", "enter")
        await until(pilot, lambda: "microcredit_personnel" in decision.items, "l'accord noté")
        await pilot.press("down", "r")  # the grant: refused, reason 5 of commission.yaml
        await pilot.pause()
        await pilot.press("5")
        await until(pilot, lambda: len(decision.items) == 2, "le refus noté")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, "CommissionScreen")
        await until(pilot, lambda: store.load(did)["status"] == "accorde", "la décision")
    doc = store.load(did)
    assert doc["commission"]["date"] == TODAY.isoformat()
    assert [(r["data"]["aid"], r["data"]["decision"], r["data"].get("motif"))
            for r in doc["tables"]["decisions"]] == [
        ("microcredit_personnel", "accorde", None), ("aide_au_projet", "refuse",
                                                     "autre_dispositif")]
    assert doc["tables"]["decisions"][0]["data"]["conditions"] == "Accompagnement budgétaire"


async def test_letter_from_the_dossier_screen(make_app, store, tmp_path):
    did = dossier(store)
    app = make_app(role="travailleur_social", agent="Nadia Benali")
    target = tmp_path / "accuse.pdf"
    async with app.run_test(size=(100, 30)) as pilot:
        await open_dossier(pilot, did)
        await pilot.press("l")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ChoiceScreen",
                    "la liste des modèles")
        await pilot.press("1")  # accusé de réception (modèles par ordre alphabétique)
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "CompactForm",
                    "le fichier à écrire")
        field = pilot.app.screen.query_one("#field-fichier")
        field.value = str(target)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: target.exists(), "le courrier écrit")
    sent = casework.letters_sent(store.load(did))
    assert [s["modele"] for s in sent] == ["accuse_reception"]
    # the agent at the keyboard, as the store records it (its login when it knows one)
    assert sent[0]["agent"] == getattr(getattr(app.store, "identity", None), "login", app.agent)
