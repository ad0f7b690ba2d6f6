"""The follow-up commands as staff type them: exit codes, French messages, files written."""

from __future__ import annotations

import json

from icalendar import Calendar

from intake_assistant.cli import main
from tests.followup.conftest import make_dossier

T = ["--today", "2026-11-26"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_request_answer_and_followup(store, capsys):
    did = make_dossier(store)
    db = ["--db", store.location]
    code, out, _ = run(capsys, "request", did, "--to", "departement_marne", "--aid", "rsa",
                       "--subject", "Aide individuelle d'insertion", "--sent", "2026-09-01",
                       *db, *T)
    assert code == 0 and "Demande n° 1 à Département de la Marne" in out
    code, out, _ = run(capsys, "agenda", *db, *T)
    assert "Demandes à relancer" in out and "86 j  ALERTE Département de la Marne" in out
    code, out, _ = run(capsys, "remind", did, "1", "--date", "2026-10-05", *db, *T)
    assert code == 0
    code, out, _ = run(capsys, "answer", did, "1", "--outcome", "accorde", "--amount",
                       "450,50", "--date", "2026-11-20", *db, *T)
    assert code == 0 and "accordé, après 80 jours d'attente" in out
    code, out, _ = run(capsys, "followup", did, "--format", "json", *db, *T)
    data = json.loads(out)
    [req] = data["demandes"]
    assert (req["montant"], req["attente_jours"], req["relances"]) == (450.5, 80, ["2026-10-05"])
    assert data["seuils"] == {"relance_jours": 30, "alerte_jours": 60}


def test_refusals_exit_1_with_a_french_message(store, capsys):
    did = make_dossier(store)
    db = ["--db", store.location]
    code, _, err = run(capsys, "request", did, "--to", "nulle_part", "--subject", "x", *db, *T)
    assert code == 1 and "Partenaire inconnu : « nulle_part »" in err
    code, _, err = run(capsys, "answer", did, "9", "--outcome", "refuse", *db, *T)
    assert code == 1 and "La demande n° 9 n'existe pas" in err
    code, _, err = run(capsys, "appointment", did, "--date", "2026-11-27", "--time", "25h",
                       *db, *T)
    assert code == 1 and "Heure impossible" in err


def test_appointments_and_ics(store, capsys, tmp_path):
    did = make_dossier(store)
    db = ["--db", store.location]
    code, out, _ = run(capsys, "appointment", did, "--first", "--date", "2026-11-27", "--time",
                       "9h30", *db, *T)
    assert code == 0 and "le 27/11/2026 à 09 h 30 — Premier entretien" in out
    code, out, err = run(capsys, "appointment", did, "--date", "2026-11-27", "--time", "10:00",
                         "--with", "partenaire", "--partner", "parcours_confiance",
                         "--subject", "Point avec la banque", *db, *T)
    assert code == 0 and "a déjà un rendez-vous à 09:30" in err
    code, out, _ = run(capsys, "callback", did, "--date", "2026-11-26", "--reason",
                       "Demander le RIB", *db, *T)
    assert code == 0
    code, out, _ = run(capsys, "agenda", "--date", "2026-11-27", "--format", "json", *db, *T)
    agenda = json.loads(out)
    assert [a["heure"] for a in agenda["rendez_vous"]] == ["09:30", "10:00"]
    assert agenda["rappels"][0]["motif"] == "Demander le RIB"
    target = tmp_path / "rdv.ics"
    code, out, _ = run(capsys, "ics", "-o", str(target), *db, *T)
    assert code == 0 and "2 rendez-vous écrits" in out
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Point avec la banque — Julie Martin",
        "Premier entretien (évaluation budgétaire) — Julie Martin"]
    code, out, _ = run(capsys, "appointment", did, "--record", "1", "--state", "manque", *db,
                       "--today", "2026-11-28")
    assert code == 0 and "manqué" in out


def test_repayment_commands(store, capsys):
    did = make_dossier(store, decision="accorde", amount=600)
    db = ["--db", store.location]
    code, out, _ = run(capsys, "repayment", did, "--open", "--first-due", "2026-11-05",
                       "--months", "6", *db, *T)
    assert code == 0 and "600 € sur 6 mois" in out
    assert "1 échéance(s) impayée(s) (100,00 €)" in out
    code, out, _ = run(capsys, "repayment", did, "--pay", "1", "--amount", "100", *db, *T)
    assert "en cours ; reste dû 500,00 €" in out
    code, out, _ = run(capsys, "repayment", did, "--reschedule", "1", "--months", "2",
                       "--first-due", "2026-12-05", *db, *T)
    assert code == 0
    code, out, _ = run(capsys, "followup", did, *db, *T)
    assert "1 rééchelonnement(s)" in out and "250,00 €" in out


def test_bankfile_delays_and_funders(store, capsys, tmp_path):
    did = make_dossier(store)
    db = ["--db", store.location]
    run(capsys, "request", did, "--to", "parcours_confiance", "--aid", "microcredit_personnel",
        "--subject", "Microcrédit", "--sent", "2026-10-01", *db, *T)
    pdf = tmp_path / "banque.pdf"
    code, out, _ = run(capsys, "bankfile", did, "1", "-o", str(pdf), *db, *T)
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, "answer", did, "1", "--outcome", "refuse", "--reason",
                       "Capacité de remboursement insuffisante", "--date", "2026-10-21", *db, *T)
    code, out, _ = run(capsys, "delays", "--format", "csv", *db, *T)
    assert out.splitlines()[0].startswith("Organisme;Demandes envoyées")
    assert "Parcours Confiance (Caisse d'Épargne Grand Est Europe);1;1;0;20;20;" in out
    code, out, _ = run(capsys, "funders", "--format", "json", *db, *T)
    tables = {t["name"]: t for t in json.loads(out)}
    assert tables["financeurs_refus"]["rows"] == [
        {"motif": "Capacité de remboursement insuffisante", "refus": 1}]
    folder = tmp_path / "csv"
    code, out, _ = run(capsys, "funders", "--format", "csv", "-o", str(folder), *db, *T)
    assert code == 0 and sorted(p.name for p in folder.iterdir()) == [
        "financeurs_banques.csv", "financeurs_objet.csv", "financeurs_refus.csv",
        "financeurs_synthese.csv"]
