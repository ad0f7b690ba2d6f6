"""The follow-up through the application layer on a real store: requests and their delays,
the bank file, appointments and the .ics parsed back by icalendar, the avance remboursable,
the index records the agenda reads, and the roles."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from intake_assistant.app import followup as fu
from intake_assistant.app import followup_exports as fx
from intake_assistant.app import followup_index as fi
from intake_assistant.app.access import AccessDenied, GuardedStore, Identity
from intake_assistant.core.followup.delays import WaitLevel
from intake_assistant.core.followup.repayment import InstalmentState, LoanState
from tests.followup.conftest import AGENT, TODAY, make_dossier


@pytest.fixture(params=["tinydb", "postgresql"])
def store(request, tmp_path):
    """Every follow-up flow on both backends: it only uses the store contract (rows, records,
    the export register)."""
    if request.param == "tinydb":
        from intake_assistant.store.tinydb import TinyDBStore

        yield TinyDBStore.open(tmp_path / "db", lock_timeout=2.0)
        return
    from intake_assistant.store.postgres import PostgresStore
    from tests.store.postgres import server

    try:
        scratch = server.scratch_database()
        url = scratch.__enter__()
    except Exception as exc:  # no server here: skipped (failed in CI, see server.py)
        server._unavailable(f"PostgreSQL indisponible : {exc}", str(exc))
    try:
        server.migrate(url)
        pg = PostgresStore(url, lock_timeout=2.0)
        yield pg
        pg.close()
    finally:
        scratch.__exit__(None, None, None)


def test_request_waits_is_flagged_then_answered(store):
    did = make_dossier(store)
    doc, row = fu.send_request(store, did, partner="departement_marne", aid="rsa",
                               subject="Aide individuelle d'insertion", sent="2026-09-20",
                               agent=AGENT, today=TODAY)
    assert row["data"]["organisme"] == "Département de la Marne (crédits d'insertion)"
    view = fu.followup_view(store, did, TODAY)
    line = view.requests[0]
    assert (line.waiting_days, line.level, line.answered) == (67, WaitLevel.ALERTE, False)
    assert view.worst_level is WaitLevel.ALERTE
    # seen across dossiers without opening them: the index record
    waiting = fi.waiting_requests(store, TODAY)
    assert [(w.dossier_id, w.days, w.level) for w in waiting] == [(did, 67, WaitLevel.ALERTE)]
    assert [w.level for w in fi.waiting_requests(store, date(2026, 10, 25))] == [
        WaitLevel.RELANCE]  # 35 days
    assert fi.waiting_requests(store, date(2026, 10, 19)) == []  # 29 days
    fu.remind_request(store, did, row["id"], day="2026-10-21", agent=AGENT, today=TODAY)
    fu.record_answer(store, did, row["id"], day="2026-11-24", outcome="accorde", amount=450,
                     reference="AII-2026-118", agent=AGENT, today=TODAY)
    line = fu.followup_view(store, did, TODAY).requests[0]
    assert (line.waiting_days, line.level, line.answered) == (65, WaitLevel.OK, True)
    assert line.data["relances"] == ["2026-10-21"] and line.data["montant"] == 450
    assert fi.waiting_requests(store, TODAY) == []
    # every change is audited in the dossier like an answer
    audited = {a["id"] for a in store.load(did)["audit"] if a.get("table") == "demandes"}
    assert {f"demandes[{row['id']}].repondu_le", f"demandes[{row['id']}].relances"} <= audited
    with pytest.raises(fu.FollowupError, match="déjà reçu sa réponse"):
        fu.remind_request(store, did, row["id"], day="2026-11-25", agent=AGENT, today=TODAY)


def test_thirty_five_days_is_a_reminder_not_an_alert(store):
    did = make_dossier(store)
    fu.send_request(store, did, partner="caf_marne", aid="aide_logement", subject="ALS",
                    sent="2026-10-22", agent=AGENT, today=TODAY)
    [w] = fi.waiting_requests(store, TODAY)
    assert (w.days, w.level, w.body) == (35, WaitLevel.RELANCE, "CAF de la Marne")
    assert fi.waiting_requests(store, date(2026, 11, 20)) == []  # 29 days


def test_requests_refused_with_a_reason(store):
    did = make_dossier(store)
    with pytest.raises(ValueError, match="Partenaire inconnu"):
        fu.send_request(store, did, partner="banque_x", aid=None, subject="x",
                        sent="2026-11-01", agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="futur"):
        fu.send_request(store, did, partner="caf_marne", aid=None, subject="x",
                        sent="2026-12-01", agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="n'instruit pas"):
        fu.send_request(store, did, partner="caf_marne", aid="fsl", subject="x",
                        sent="2026-11-01", agent=AGENT, today=TODAY)
    _, row = fu.send_request(store, did, partner="caf_marne", aid=None, subject="ALS",
                             sent="2026-11-01", agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="précéder l'envoi"):
        fu.record_answer(store, did, row["id"], day="2026-10-30", outcome="refuse",
                         agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="Réponse"):
        fu.record_answer(store, did, row["id"], day="2026-11-10", outcome="oui", agent=AGENT,
                         today=TODAY)
    with pytest.raises(fu.FollowupError, match="signature suppose"):
        fu.record_answer(store, did, row["id"], day="2026-11-10", outcome="refuse",
                         signed="2026-11-12", agent=AGENT, today=TODAY)


def test_bank_file_pdf_and_json_then_the_banks_decision(store, tmp_path):
    did = make_dossier(store)
    _, row = fu.send_request(store, did, partner="parcours_confiance",
                             aid="microcredit_personnel", subject="Microcrédit 1 200 € / 24 mois",
                             sent="2026-11-02", agent=AGENT, today=TODAY)
    text = fx.export_bank_file(store, did, row["id"], "json", today=TODAY, agent=AGENT)
    data = json.loads(text)
    assert data["banque"]["nom"].startswith("Parcours Confiance")
    assert "03 26 00 00 01" in data["banque"]["contact"]
    assert data["identity"]["date_naissance"] == "1990-04-12"
    assert data["household"]["nb_personnes"] == 2
    assert data["budget"]["total_resources"] == 1550
    assert data["project"]["cout_projet"] == 1400 and data["project"]["apport_personnel"] == 200
    assert data["proposal"]["montant"] == 1200 and data["proposal"]["duree_mois"] == 24
    assert data["proposal"]["taux_annuel"] == 0.04 and data["proposal"]["mensualite"] > 50
    assert "Devis ou facture du projet" in data["pieces"]
    assert data["avis"].startswith("Projet cohérent")
    assert data["decision"] is None
    pdf = fx.export_bank_file(store, did, row["id"], "pdf", tmp_path / "banque.pdf",
                              today=TODAY, agent=AGENT)
    reader = PdfReader(str(pdf))
    content = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Demande de microcrédit personnel accompagné", "Julie", "Parcours Confiance",
                     "Pièces jointes", "Proposition de prêt", "Justificatif de domicile"):
        assert expected in content, expected
    assert (pdf.stat().st_mode & 0o777) == 0o600
    exports = store.load(did)["exports"]
    assert [e["format"] for e in exports] == ["json", "banque-pdf"]
    assert exports[1]["path"] == str(pdf.resolve())
    fu.record_answer(store, did, row["id"], day="2026-11-20", outcome="accorde", amount=1200,
                     months=24, rate=0.04, signed="2026-11-25", reference="MC-448812",
                     agent=AGENT, today=TODAY)
    data = json.loads(fx.export_bank_file(store, did, row["id"], "json", today=TODAY))
    assert data["decision"] == {"date": "2026-11-20", "resultat": "accorde", "montant": 1200,
                                "duree_mois": 24, "taux": 0.04, "motif": None,
                                "signe_le": "2026-11-25", "reference": "MC-448812"}
    fu.record_bank_report(store, did, row["id"], day="2026-11-26", kind="impaye", amount=52.1,
                          agent=AGENT)
    [granted_banks] = [t for t in fx.funder_figures(store) if t["name"] == "financeurs_banques"]
    assert granted_banks["rows"][0]["accordes"] == 1
    # not a bank: no bank file
    _, other = fu.send_request(store, did, partner="caf_marne", aid=None, subject="ALS",
                               sent="2026-11-01", agent=AGENT, today=TODAY)
    with pytest.raises(fx.ExportError, match="pas adressée à une banque"):
        fx.export_bank_file(store, did, other["id"], "json", today=TODAY)


def test_appointments_agenda_and_ics_parsed_back(store, tmp_path):
    did = make_dossier(store)
    other = make_dossier(store, {"nom": "Dubois", "prenom": "Marc", "telephone": "0698765432"})
    first = fu.book_first_interview(store, other, day=TODAY, at="9h30", agent=AGENT,
                                    today=TODAY)
    assert first.row["data"]["objet"] == fu.FIRST_INTERVIEW and first.overlaps == []
    booking = fu.book_appointment(store, did, day=TODAY, at="10h", agent=AGENT, minutes=45,
                                  place="Bureau 2", with_whom="les_deux",
                                  partner="parcours_confiance", subject="Signature du prêt",
                                  today=TODAY)
    assert [a.dossier_id for a in booking.overlaps] == [other]  # 9h30–10h30 overlaps 10h
    later = fu.book_appointment(store, did, day=TODAY + timedelta(days=7), at="14:00",
                                agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="est passé"):
        fu.book_appointment(store, did, day="2026-11-20", at="9h", agent=AGENT, today=TODAY)
    with pytest.raises(fu.FollowupError, match="Heure illisible"):
        fu.book_appointment(store, did, day=TODAY, at="midi", agent=AGENT, today=TODAY)
    fu.add_callback(store, did, due=TODAY, reason="Demander le RIB", agent=AGENT)
    agenda = fi.agenda(store, TODAY)
    assert [(a.start.strftime("%H:%M"), a.person) for a in agenda.appointments] == [
        ("09:30", "Marc Dubois"), ("10:00", "Julie Martin")]
    assert [c.reason for c in agenda.callbacks] == ["Demander le RIB"]
    assert [a.row_id for a in agenda.upcoming] == [later.row["id"]]
    assert agenda.summary() == "2 rendez-vous · 1 rappel · 0 demande à relancer"
    # the past: honoured goes into the meetings, a missed one stays recorded
    meetings = len(store.load(did)["rencontres"])
    fu.record_appointment(store, did, booking.row["id"], state="honore", note="Prêt signé",
                          agent=AGENT, today=TODAY)
    assert len(store.load(did)["rencontres"]) == meetings + 1
    fu.record_appointment(store, other, first.row["id"], state="manque", agent=AGENT,
                          today=TODAY)
    with pytest.raises(fu.FollowupError, match="pas encore eu lieu"):
        fu.record_appointment(store, did, later.row["id"], state="honore", agent=AGENT,
                              today=TODAY)
    fu.record_appointment(store, did, later.row["id"], state="annule", agent=AGENT,
                          today=TODAY)
    path, count = fx.export_ics(store, tmp_path / "agenda.ics", date_from=TODAY, agent=AGENT,
                                now=datetime(2026, 11, 26, 8, 0).astimezone())
    assert count == 3
    cal = Calendar.from_ical(path.read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    signing = events[f"{did}-rdv-{booking.row['id']}@intake-assistant"]
    start = signing.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Europe/Paris")
    assert signing.decoded("DTEND") - start == timedelta(minutes=45)
    assert str(signing["SUMMARY"]) == "Signature du prêt — Julie Martin"
    assert str(signing["LOCATION"]) == "Bureau 2"
    assert "Parcours Confiance" in str(signing["DESCRIPTION"])
    assert str(events[f"{did}-rdv-{later.row['id']}@intake-assistant"]["STATUS"]) == "CANCELLED"
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    # the file names two persons: in both dossiers' export register
    assert [e["format"] for e in store.load(other)["exports"]] == ["ics"]


def test_avance_from_the_decision_payments_missed_rescheduled_repaid(store):
    did = make_dossier(store, decision="accorde", amount=1200)
    with pytest.raises(fu.FollowupError, match="plafond"):
        fu.open_advance(store, did, first_due="2026-11-05", amount=2000, agent=AGENT)
    with pytest.raises(fu.FollowupError, match="durée maximale"):
        fu.open_advance(store, did, first_due="2026-11-05", months=30, agent=AGENT)
    _, row = fu.open_advance(store, did, first_due="2026-11-05", agent=AGENT)
    assert (row["data"]["montant"], row["data"]["duree_mois"], row["data"]["decide_le"]) == (
        1200, 24, "2026-10-15")
    s = fu.advance_statement(store.load(did), row["id"], TODAY)
    assert s.lines[0].instalment.amount_cents == 5000  # 1 200 € / 24
    assert s.lines[0].state is InstalmentState.IMPAYEE  # due 5/11, tolerance 10 days
    fu.record_payment(store, did, row["id"], day="2026-11-20", amount=50, agent=AGENT,
                      today=TODAY)
    s = fu.advance_statement(store.load(did), row["id"], TODAY)
    assert s.state is LoanState.EN_COURS and s.remaining_cents == 115_000
    with pytest.raises(fu.FollowupError, match="dépasse ce qui reste dû"):
        fu.record_payment(store, did, row["id"], day="2026-11-21", amount=1200, agent=AGENT,
                          today=TODAY)
    fu.reschedule_advance(store, did, row["id"], day="2026-11-25", months=10,
                          first_due="2026-12-05", agent=AGENT, today=TODAY)
    s = fu.advance_statement(store.load(did), row["id"], TODAY)
    assert s.reschedulings == 1 and s.lines[0].instalment.amount_cents == 11_500
    doc = fu.record_payment(store, did, row["id"], day="2026-11-26", amount=1150, agent=AGENT,
                            today=TODAY)
    assert fu.advance_statement(doc, row["id"], TODAY).state is LoanState.REMBOURSE
    assert fu._data(doc, fu.ADVANCES, row["id"])["etat"] == "rembourse"
    # a new advance may follow once this one is repaid
    fu.open_advance(store, did, first_due="2027-01-05", amount=300, months=3,
                    decided="2026-11-26", agent=AGENT)


def test_roles(store):
    did = make_dossier(store)
    reception = GuardedStore(store, Identity("sophie", "Sophie Lambert", "accueil", "système"))
    with pytest.raises(AccessDenied, match="adresser une demande à un partenaire"):
        fu.send_request(reception, did, partner="caf_marne", aid=None, subject="x",
                        sent="2026-11-01", agent="x", today=TODAY)
    with pytest.raises(AccessDenied, match="suivre le remboursement"):
        fu.open_advance(reception, did, first_due="2026-12-05", amount=300, months=3,
                        decided="2026-11-26", agent="x")
    booking = fu.book_first_interview(reception, did, day=TODAY, at="11h", agent="x",
                                      today=TODAY)
    assert booking.row["agent"] == "sophie"  # the authenticated login, whatever was passed
    with pytest.raises(AccessDenied, match="statistiques"):
        fx.delay_statistics(reception, TODAY)


def test_index_record_never_goes_back_to_an_older_revision(store):
    did = make_dossier(store)
    doc, _ = fu.send_request(store, did, partner="caf_marne", aid=None, subject="ALS",
                             sent="2026-11-01", agent=AGENT, today=TODAY)
    newer, _ = fu.add_callback(store, did, due=TODAY, reason="RIB", agent=AGENT)
    fi.refresh_index(store, doc)  # a late writer with the older document
    record = store.get_record(fi.KIND, did)
    assert record["doc"]["rev"] == newer["rev"] and record["doc"]["rappels"]
    store.forget(did)  # attached: erased with the person
    assert store.get_record(fi.KIND, did) is None


def test_demo_data_fills_the_agenda_and_the_statistics(store):
    from intake_assistant.app.stores import add_demo_dossiers

    add_demo_dossiers(store, 120, seed=3, now=datetime(2026, 11, 26, 8, 0).astimezone())
    agenda = fi.agenda(store, TODAY)
    assert agenda.appointments and agenda.upcoming
    table = fx.delay_statistics(store, TODAY)
    bodies = {r["organisme"]: r for r in table["rows"]}
    dep = bodies["Département de la Marne (crédits d'insertion)"]
    assert dep["repondues"] > 5 and 40 <= dep["mediane"] <= 105  # the fiche's 2–3 months
    caf = bodies.get("CAF de la Marne")
    assert caf is None or caf["mediane"] < dep["mediane"]
    synthese = fx.funder_figures(store)[0]
    values = {r["indicateur"]: r["valeur"] for r in synthese["rows"]}
    assert int(values["Prêts accordés"]) > 0
    assert any(r["data"].get("avance") for d in store.iter_dossiers()
               for r in d["tables"].get("versements", []))


def test_the_avance_starts_from_the_commissions_decision_on_that_aid(store):
    """With the per-aid decisions (casework), the avance's own row gives amount, duration and
    day; a later refusal of the avance leaves nothing to schedule."""
    did = make_dossier(store, decision="accorde", amount=1400)
    store.append_rows(did, "decisions", [
        {"seance": "S-2026-10", "date": "2026-10-20", "aid": "microcredit_personnel",
         "decision": "accorde", "montant": 1000, "duree_mois": 24, "taux_annuel": 0.04},
        {"seance": "S-2026-10", "date": "2026-10-20", "aid": "avance_remboursable",
         "decision": "accorde", "montant": 400, "duree_mois": 8, "taux_annuel": None}],
        agent=AGENT)
    assert fu.advance_inputs(store.load(did)) == (400, 8, date(2026, 10, 20))
    _, row = fu.open_advance(store, did, first_due="2026-11-05", agent=AGENT)
    assert (row["data"]["montant"], row["data"]["duree_mois"]) == (400, 8)
    store.append_rows(did, "decisions", [
        {"seance": "S-2026-11", "date": "2026-11-20", "aid": "avance_remboursable",
         "decision": "refuse", "montant": None, "duree_mois": None}], agent=AGENT)
    assert fu.advance_inputs(store.load(did)) == (None, None, None)
