"""The casework actions through the application layer, as each role would do them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from intake_assistant.app import casework as cw
from intake_assistant.app.access import AccessDenied
from intake_assistant.app.interviews import start_interview
from intake_assistant.store import StoreError

from .conftest import ANSWERS, SESSION_DAY, TODAY, new_dossier

PROPOSAL = [{"aid": "avance_remboursable", "montant": 800, "duree_mois": 16},
            {"aid": "aide_au_projet", "montant": 200}]


def pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_the_assessment_is_the_social_workers_and_hidden_from_reception(as_agent) -> None:
    nadia = as_agent("nadia")
    did = new_dossier(nadia)
    cw.write_assessment(nadia, did, "Situation stable ; projet réaliste.\n", agent="nadia")
    cw.set_proposal(nadia, did, PROPOSAL, "Emploi à la clé", agent="nadia", today=TODAY)
    seen = as_agent("sophie").load(did)
    assert seen["evaluation_sociale"] is None and seen["proposition"] is None
    with pytest.raises(AccessDenied, match="mener ou modifier l'évaluation"):
        cw.write_assessment(as_agent("sophie"), did, "essai", agent="sophie")
    with pytest.raises(AccessDenied):
        cw.open_assessment(as_agent("claire"), did, agent="claire")
    lead = as_agent("claire").load(did)  # the unit lead reads it for the commission
    assert lead["evaluation_sociale"] == "Situation stable ; projet réaliste."


KILLED_EDITOR = """
import os, signal, sys
from intake_assistant.app import casework as cw
from intake_assistant.app.access import open_guarded
store = open_guarded(sys.argv[1])
editor = cw.open_assessment(store, sys.argv[2], agent="nadia")
editor.autosave("Première version")
editor.autosave("Première version, pas encore enregistrée")
print("autosaved", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # killed while typing: no save, no close
"""


def test_the_assessment_draft_survives_a_kill(as_agent, base) -> None:
    import os
    import subprocess
    import sys

    nadia = as_agent("nadia")
    did = new_dossier(nadia)
    child = subprocess.run([sys.executable, "-c", KILLED_EDITOR, str(base), did],
                           env={**os.environ, "LOGNAME": "nadia", "USER": "nadia"},
                           capture_output=True, text=True, timeout=60)
    assert child.stdout == "autosaved\n" and child.returncode == -9, child.stderr
    assert nadia.load(did)["evaluation_sociale"] is None  # not saved, only kept as a draft
    again = cw.open_assessment(as_agent("nadia"), did, agent="nadia")
    assert again.restored and again.text == "Première version, pas encore enregistrée"
    again.save("Version finale")
    again.close()
    reopened = cw.open_assessment(as_agent("nadia"), did, agent="nadia")
    assert reopened.text == "Version finale" and not reopened.restored
    reopened.close()
    assert as_agent("nadia").load(did)["draft"] is None


def test_proposal_instalments_come_from_the_loan_simulation(as_agent) -> None:
    nadia = as_agent("nadia")
    did = new_dossier(nadia)
    _, view = cw.set_proposal(nadia, did, [{"aid": "microcredit_personnel", "montant": 1000,
                                            "duree_mois": 18}], "", agent="nadia", today=TODAY)
    rate = 0.04 / 12
    expected = 1000 * rate / (1 - (1 + rate) ** -18)
    assert view.lines[0].mensualite == pytest.approx(expected, abs=0.01)
    assert any("argumentaire" in w for w in view.warnings)
    with pytest.raises(StoreError, match="jusqu'à 500"):
        cw.set_proposal(nadia, did, [{"aid": "aide_au_projet", "montant": 900}], "x",
                        agent="nadia")


def test_checklist_from_the_proposal_and_the_project(as_agent) -> None:
    nadia = as_agent("nadia")
    did = new_dossier(nadia)
    cw.set_proposal(nadia, did, PROPOSAL, "x", agent="nadia", today=TODAY)
    view = cw.build_checklist(nadia, did, agent="nadia", today=TODAY)
    labels = [r["data"]["libelle"] for r in view.active]
    assert "RIB" in labels and "Devis de l'auto-école (formation au permis B)" in labels
    assert "Devis ou facture du projet" not in labels  # replaced by the driving school's quote
    assert view.aids == ["avance_remboursable", "aide_au_projet"] and not view.complete
    sophie = as_agent("sophie")  # reception takes the documents at the desk
    for n in range(1, len(view.active) + 1):
        view = cw.mark_document(sophie, did, str(n), "recue", agent="sophie",
                                day=date(2026, 11, 25))
    assert view.complete and view.missing == []
    # a new proposal: the microcredit's statements are asked, what was received stays
    cw.set_proposal(nadia, did, [{"aid": "microcredit_personnel", "montant": 1000,
                                  "duree_mois": 18}], "x", agent="nadia")
    view = cw.build_checklist(nadia, did, agent="nadia", today=TODAY)
    assert [r["data"]["libelle"] for r in view.missing] == ["Relevés de compte des 3 derniers "
                                                            "mois"]
    assert "RIB" not in [r["data"]["libelle"] for r in view.active]  # no longer asked


def test_referent_at_the_evaluation_and_on_hand_off(as_agent) -> None:
    sophie = as_agent("sophie")
    doc = sophie.create_dossier(questionnaire="accueil_telephonique",
                                answers={"nom": "Martin"})
    assert doc["agent"] == "sophie"
    nadia = as_agent("nadia")
    session = start_interview(nadia, questionnaire="evaluation", dossier_id=doc["id"],
                              agent="Nadia Benali", role="travailleur_social")
    session.close()
    doc = nadia.load(doc["id"])
    assert doc["status"] == "en_evaluation" and doc["agent"] == "nadia"
    cw.set_referent(nadia, doc["id"], "marc", agent="nadia")
    history = cw.referent_history(nadia, nadia.load(doc["id"]))
    assert [(old, new) for _, old, new in history] == [("Sophie Laurent", "Nadia Benali"),
                                                       ("Nadia Benali", "Marc Petit")]
    with pytest.raises(StoreError, match="n'est pas travailleur social"):
        cw.set_referent(nadia, doc["id"], "sophie", agent="nadia")
    with pytest.raises(StoreError, match="déjà référent"):
        cw.set_referent(nadia, doc["id"], "marc", agent="nadia")


def prepared(as_agent, answers=None) -> str:
    nadia = as_agent("nadia")
    did = new_dossier(nadia, answers, status="en_instruction")
    cw.set_referent(nadia, did, "nadia", agent="nadia")
    cw.write_assessment(nadia, did, "Évaluation de la situation : projet cohérent.",
                        agent="nadia")
    cw.set_proposal(nadia, did, PROPOSAL, "Emploi à la clé", agent="nadia", today=TODAY)
    cw.build_checklist(nadia, did, agent="nadia", today=TODAY)
    return did


def test_sessions_agenda_and_status(as_agent) -> None:
    did = prepared(as_agent)
    with pytest.raises(AccessDenied, match="enregistrer la décision"):
        cw.create_session(as_agent("sophie"), day=SESSION_DAY)
    claire = as_agent("claire")
    session = cw.create_session(claire, day=SESSION_DAY, place="Salle du conseil")
    assert (session.id, session.time, session.place) == ("2026-12-03", "14:00",
                                                        "Salle du conseil")
    session, warnings = cw.add_to_session(claire, session.id, did, agent="claire", today=TODAY)
    assert session.agenda == (did,) and claire.load(did)["status"] == "en_commission"
    assert warnings == ["Dossier incomplet : 6 pièce(s) manquante(s)."]
    second = cw.create_session(claire, day=date(2026, 12, 17))
    with pytest.raises(StoreError, match="déjà inscrit à la séance du 03/12/2026"):
        cw.add_to_session(claire, second.id, did, agent="claire", today=TODAY)
    early = new_dossier(as_agent("nadia"))  # still in evaluation
    with pytest.raises(StoreError, match="Passez-le d'abord « En instruction »"):
        cw.add_to_session(claire, second.id, early, agent="claire", today=TODAY)
    assert cw.list_sessions(claire)[0].id == second.id  # most recent first


def test_decisions_per_aid_dated_by_the_session(as_agent) -> None:
    did = prepared(as_agent)
    claire = as_agent("claire")
    session = cw.create_session(claire, day=SESSION_DAY)
    cw.add_to_session(claire, session.id, did, agent="claire", today=TODAY)
    items = [{"aid": "avance_remboursable", "decision": "accorde", "montant": 800,
              "duree_mois": 16, "conditions": "Versement à l'auto-école"},
             {"aid": "aide_au_projet", "decision": "refuse", "motif": "autre_dispositif"}]
    with pytest.raises(StoreError, match="n'a pas encore eu lieu"):
        cw.decide(claire, session.id, did, items, agent="claire", today=TODAY)
    with pytest.raises(AccessDenied):
        cw.decide(as_agent("sophie"), session.id, did, items, agent="sophie",
                  today=date(2026, 12, 5))
    doc = cw.decide(claire, session.id, did, items, agent="claire", today=date(2026, 12, 5))
    assert doc["status"] == "accorde"
    assert doc["commission"]["date"] == "2026-12-03"  # the session's, not the day it was typed
    assert doc["commission"]["montant_accorde"] == 800
    rows = cw.decision_lines(doc)
    assert [(r["aid"], r["decision"], r["mensualite"]) for r in rows] == [
        ("avance_remboursable", "accorde", 50.0), ("aide_au_projet", "refuse", None)]
    with pytest.raises(StoreError, match="déjà enregistrée"):
        cw.decide(claire, session.id, did, items, agent="claire", today=date(2026, 12, 5))
    with pytest.raises(StoreError, match="a décidé sur le dossier"):
        cw.remove_from_session(claire, session.id, did)


def test_an_adjourned_dossier_comes_back_and_keeps_its_grant(as_agent) -> None:
    did = prepared(as_agent)
    claire = as_agent("claire")
    first = cw.create_session(claire, day=SESSION_DAY)
    cw.add_to_session(claire, first.id, did, agent="claire", today=TODAY)
    doc = cw.decide(claire, first.id, did, [
        {"aid": "aide_au_projet", "decision": "accorde", "montant": 200},
        {"aid": "avance_remboursable", "decision": "ajourne", "motif": "pieces_manquantes"}],
        agent="claire", today=SESSION_DAY)
    assert doc["status"] == "ajourne"
    second = cw.create_session(claire, day=date(2027, 1, 14))
    cw.add_to_session(claire, second.id, did, agent="claire", today=date(2026, 12, 10))
    doc = cw.decide(claire, second.id, did, [
        {"aid": "avance_remboursable", "decision": "accorde", "montant": 800, "duree_mois": 16}],
        agent="claire", today=date(2027, 1, 14))
    assert doc["status"] == "accorde" and doc["commission"]["montant_accorde"] == 1000
    assert doc["commission"]["date"] == "2027-01-14"


def test_a_decision_interrupted_between_its_two_writes_is_completed(as_agent) -> None:
    did = prepared(as_agent)
    claire = as_agent("claire")
    session = cw.create_session(claire, day=SESSION_DAY)
    cw.add_to_session(claire, session.id, did, agent="claire", today=TODAY)
    # the per-aid rows were written, then the program stopped before the dossier's decision
    claire.inner.append_rows(did, "decisions", [{
        "aid": "aide_au_projet", "decision": "accorde", "montant": 200, "duree_mois": None,
        "taux_annuel": None, "conditions": "", "motif": None, "motif_label": None,
        "commentaire": "", "seance": session.id, "date": session.date, "mensualite": None}],
        agent="claire")
    doc = cw.decide(claire, session.id, did, [], agent="claire", today=SESSION_DAY)
    assert doc["status"] == "accorde" and doc["commission"]["montant_accorde"] == 200


def test_session_pdf_for_three_dossiers(as_agent, tmp_path) -> None:
    claire = as_agent("claire")
    others = [{**ANSWERS, "nom": "Martin", "prenom": "Karim", "type_projet": "achat_vehicule"},
              {**ANSWERS, "nom": "Nguyen", "prenom": "Lan", "type_projet": "electromenager"}]
    ids = [prepared(as_agent), *(prepared(as_agent, a) for a in others)]
    session = cw.create_session(claire, day=SESSION_DAY)
    for did in ids:
        cw.add_to_session(claire, session.id, did, agent="claire", today=TODAY)
    cw.decide(claire, session.id, ids[0], [
        {"aid": "avance_remboursable", "decision": "accorde", "montant": 800, "duree_mois": 16},
        {"aid": "aide_au_projet", "decision": "accorde", "montant": 200}],
        agent="claire", today=SESSION_DAY)
    cw.decide(claire, session.id, ids[1], [
        {"aid": "avance_remboursable", "decision": "ajourne", "motif": "devis_a_actualiser"}],
        agent="claire", today=SESSION_DAY)
    path = cw.session_pdf(claire, session.id, tmp_path / "seance.pdf", agent="claire",
                          today=SESSION_DAY)
    text = pdf_text(path)
    assert "Commission du CCAS — séance du 03/12/2026" in text and "Ordre du jour" in text
    for did in ids:
        assert did in text
    assert text.count("Évaluation de la situation : projet cohérent.") == 3
    assert "Proposition à la commission" in text and "Emploi à la clé" in text
    assert "Pièces manquantes" in text and "RIB" in text
    assert "Le devis doit être actualisé ou complété" in text
    assert "Référent" in text and "Nadia Benali" in text
    assert (path.stat().st_mode & 0o777) == 0o600
    for did in ids:  # entered in each dossier's export register (RGPD: files to destroy)
        assert claire.load(did)["exports"][-1]["path"] == str(path.resolve())


def test_letters_need_their_facts_and_are_kept_in_the_dossier(as_agent, tmp_path) -> None:
    did = prepared(as_agent)
    nadia = as_agent("nadia")
    choices = {c.template.id: c.missing for c in cw.letter_choices(nadia, did, today=TODAY)}
    assert choices["accuse_reception"] is None
    assert choices["notification_accord"] == "il faut une aide accordée par la commission"
    with pytest.raises(StoreError, match="il faut une date de rendez-vous"):
        cw.write_letter(nadia, did, "convocation", tmp_path / "c.pdf", agent="nadia",
                        today=TODAY)
    result = cw.write_letter(nadia, did, "convocation", tmp_path / "c.pdf", agent="nadia",
                             today=TODAY, appointment={"date": "27/11/2026", "heure": "09:30",
                                                       "lieu": "CCAS, bureau 4"})
    assert "27/11/2026 à 09:30" in result.body and "- RIB" in result.body
    text = pdf_text(result.path)
    assert "Centre communal d'action sociale de Reims" in text and "Hélène Lefèvre" in text
    assert "Reims, le 20 novembre 2026" in text
    sent = cw.letters_sent(nadia.load(did))
    assert [(s["modele"], s["agent"], s["date"]) for s in sent] == [
        ("convocation", "nadia", "2026-11-20")]
    with pytest.raises(StoreError, match="Modèle de courrier inconnu"):
        cw.write_letter(nadia, did, "lettre_au_pere_noel", agent="nadia")


def test_decision_letters_after_the_decision(as_agent, tmp_path) -> None:
    did = prepared(as_agent)
    claire = as_agent("claire")
    session = cw.create_session(claire, day=SESSION_DAY)
    cw.add_to_session(claire, session.id, did, agent="claire", today=TODAY)
    cw.decide(claire, session.id, did, [
        {"aid": "avance_remboursable", "decision": "accorde", "montant": 800, "duree_mois": 16,
         "conditions": "Versement à l'auto-école"},
        {"aid": "aide_au_projet", "decision": "refuse", "motif": "autre_dispositif"}],
        agent="claire", today=SESSION_DAY)
    accord = cw.write_letter(claire, did, "notification_accord", tmp_path / "a.pdf",
                             agent="claire", today=date(2026, 12, 4))
    assert "800 € remboursable en 16 mois (mensualité de 50,00 €, sans intérêts)" in accord.body
    assert "condition : Versement à l'auto-école" in accord.body
    refus = cw.write_letter(claire, did, "notification_refus", tmp_path / "r.pdf",
                            agent="claire", today=date(2026, 12, 4))
    assert "Un autre dispositif, plus adapté" in refus.body and "recours" in refus.body
    with pytest.raises(StoreError, match="microcrédit accordé"):
        cw.write_letter(claire, did, "courrier_banque", tmp_path / "b.pdf", agent="claire")
    with pytest.raises(AccessDenied):  # reception does not announce the commission's decisions
        cw.write_letter(as_agent("sophie"), did, "notification_accord", tmp_path / "s.pdf",
                        agent="sophie")
    assert not (tmp_path / "s.pdf").exists()
