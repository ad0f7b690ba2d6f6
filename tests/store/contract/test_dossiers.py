"""Contract: dossiers, answers, events, audit, notes, fields, ids, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake_assistant.store import (
    ConflictError,
    CorruptDossierError,
    DossierNotFoundError,
    DossierStore,
    InvalidValueError,
)

from .conftest import Backend

Store = DossierStore


def test_create_returns_documented_shape(store: Store, now) -> None:
    doc = store.create_dossier(agent="Sophie", questionnaire="accueil_telephonique",
                               answers={"nom": "Martin", "prenom": "Julie"}, now=now)
    assert doc["id"] == "D-2026-000001"
    assert doc["status"] == "premier_contact"
    assert doc["status_history"] == [{"status": "premier_contact", "at": now.isoformat(),
                                      "agent": "Sophie"}]
    assert doc["created_at"] == now.isoformat() and doc["created_at"][19:] != ""  # has offset
    for key in ("created_by", "agent", "questionnaires", "answers", "unknown", "events", "audit",
                "rencontres", "commission", "notes", "evaluation_sociale", "tables", "exports",
                "draft", "interview"):
        assert key in doc
    assert doc["rev"] == 1 and doc["tables"] == {} and doc["exports"] == []
    assert doc["draft"] is None and doc["interview"] is None
    assert store.load(doc["id"]) == doc


def test_ids_follow_the_year_and_never_repeat(store: Store, now) -> None:
    first = store.create_dossier(agent="a", now=now)["id"]
    second = store.create_dossier(agent="a", now=now)["id"]
    next_year = store.create_dossier(agent="a", now=now + timedelta(days=365))["id"]
    assert (first, second, next_year) == ("D-2026-000001", "D-2026-000002", "D-2027-000001")
    store.forget(second)
    assert store.create_dossier(agent="a", now=now)["id"] == "D-2026-000003"


def test_save_answers_replaces_answers_appends_events_and_audits(store: Store, now) -> None:
    doc = store.create_dossier(agent="Sophie", answers={"nom": "Martin", "loyer": 400}, now=now)
    events = [{"seq": 1, "at": now.isoformat(), "agent": "Nadia", "type": "answer", "id": "loyer",
               "raw": "420", "value": 420}]
    later = now + timedelta(minutes=5)
    saved = store.save_answers(doc["id"], answers={"nom": "Martin", "loyer": 420},
                               unknown=["ficp"], events=events, agent="Nadia",
                               questionnaire="entretien_social", now=later)
    assert saved["answers"] == {"nom": "Martin", "loyer": 420}
    assert saved["unknown"] == ["ficp"]
    assert saved["events"] == events
    assert saved["questionnaires"] == ["entretien_social"]
    assert saved["updated_at"] == later.isoformat()
    assert saved["audit"] == [
        {"at": later.isoformat(), "agent": "Nadia", "id": "loyer", "old": 400, "new": 420},
        {"at": later.isoformat(), "agent": "Nadia", "id": "ficp", "old": None, "new": None,
         "unknown": True},
    ]
    assert store.load(doc["id"]) == saved


def test_audit_distinguishes_types_and_removals(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", answers={"ficp": 1, "enfants": [{"age": 3}]}, now=now)
    saved = store.save_answers(doc["id"], answers={"ficp": True}, unknown=[], events=[],
                               agent="b", now=now)
    changes = {row["id"]: (row["old"], row["new"]) for row in saved["audit"]}
    assert changes == {"ficp": (1, True), "enfants": ([{"age": 3}], None)}
    again = store.save_answers(doc["id"], answers={"ficp": True}, unknown=[], events=[],
                               agent="b", now=now)
    assert len(again["audit"]) == 2  # unchanged answers add no row


def test_save_answer_merges_one_answer_with_event(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", answers={"nom": "Martin"}, now=now)
    store.save_answer(doc["id"], "loyer", 420, agent="b", raw="420 €", questionnaire="q", now=now)
    saved = store.save_answer(doc["id"], "ficp", agent="b", unknown=True, now=now)
    assert saved["answers"] == {"nom": "Martin", "loyer": 420}
    assert saved["unknown"] == ["ficp"]
    assert [(e["seq"], e["type"], e["id"], e["value"]) for e in saved["events"]] == [
        (1, "answer", "loyer", 420), (2, "unknown", "ficp", None)]
    assert saved["events"][0]["raw"] == "420 €"
    answered = store.save_answer(doc["id"], "ficp", False, agent="c", now=now)
    assert answered["unknown"] == []
    assert answered["audit"][-1] == {"at": now.isoformat(), "agent": "c", "id": "ficp",
                                     "old": None, "new": False}


def test_expected_rev_detects_a_concurrent_change(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    store.save_answer(doc["id"], "nom", "Martin", agent="b")
    with pytest.raises(ConflictError, match="modifié sur un autre poste"):
        store.save_answers(doc["id"], answers={}, unknown=[], events=[], agent="a",
                           expected_rev=doc["rev"])
    assert store.load(doc["id"])["answers"] == {"nom": "Martin"}  # nothing overwritten
    fresh = store.load(doc["id"])
    saved = store.save_answers(doc["id"], answers={"nom": "Dubois"}, unknown=[], events=[],
                               agent="a", expected_rev=fresh["rev"])
    assert saved["rev"] == fresh["rev"] + 1
    assert store.load(doc["id"])["answers"] == {"nom": "Dubois"}


@pytest.mark.parametrize("write", ["status", "meeting", "decision", "note", "fields", "assign",
                                   "rows"])
def test_every_write_takes_expected_rev(store: Store, now, write: str) -> None:
    doc = store.create_dossier(agent="a", now=now)
    store.save_answer(doc["id"], "nom", "Martin", agent="b")  # rev 2: the caller read rev 1
    calls = {
        "status": lambda rev: store.set_status(doc["id"], "en_evaluation", agent="a",
                                               expected_rev=rev),
        "meeting": lambda rev: store.add_meeting(doc["id"], date="2026-03-03", avec="demandeur",
                                                 partenaire=None, note="", agent="a",
                                                 expected_rev=rev),
        "decision": lambda rev: store.record_decision(doc["id"], date="2026-03-03",
                                                      decision="refuse", montant_accorde=None,
                                                      conditions="", agent="a",
                                                      expected_rev=rev),
        "note": lambda rev: store.add_note(doc["id"], "n", agent="a", expected_rev=rev),
        "fields": lambda rev: store.set_fields(doc["id"], agent="a", duree_retenue=12,
                                               expected_rev=rev),
        "assign": lambda rev: store.assign(doc["id"], "Nadia", agent="a", expected_rev=rev),
        "rows": lambda rev: store.append_rows(doc["id"], "rendez_vous", [{"jour": "lundi"}],
                                              agent="a", expected_rev=rev),
    }
    before = store.load(doc["id"])
    with pytest.raises(ConflictError, match="rien n'a été écrasé"):
        calls[write](1)
    assert store.load(doc["id"]) == before
    if write != "decision":  # a refusal needs the commission status: the rev check came first
        assert calls[write](2)["rev"] == 3


def test_revision_rises_by_one_with_every_content_change(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    revs = [doc["rev"]]
    revs.append(store.save_answer(doc["id"], "nom", "X", agent="a")["rev"])
    revs.append(store.set_status(doc["id"], "en_evaluation", agent="a")["rev"])
    revs.append(store.add_note(doc["id"], "n", agent="a")["rev"])
    revs.append(store.set_fields(doc["id"], agent="a", duree_retenue=6)["rev"])
    revs.append(store.set_fields(doc["id"], agent="a", duree_retenue=6)["rev"])  # unchanged
    assert revs == [1, 2, 3, 4, 5, 5]


def test_notes_fields_and_assignment(store: Store, now) -> None:
    doc = store.create_dossier(agent="Sophie", now=now)
    store.add_note(doc["id"], "Rappeler après 11 h", agent="Sophie", now=now)
    store.set_fields(doc["id"], agent="Nadia", evaluation_sociale="Projet cohérent",
                     duree_retenue=24, now=now)
    saved = store.assign(doc["id"], "Nadia", agent="Sophie", now=now)
    assert saved["notes"] == [{"at": now.isoformat(), "agent": "Sophie",
                               "text": "Rappeler après 11 h"}]
    assert saved["evaluation_sociale"] == "Projet cohérent" and saved["duree_retenue"] == 24
    assert saved["agent"] == "Nadia" and saved["created_by"] == "Sophie"
    assert {row["id"] for row in saved["audit"]} == {"evaluation_sociale", "duree_retenue", "agent"}
    with pytest.raises(InvalidValueError, match="non modifiable"):
        store.set_fields(doc["id"], agent="x", status="clos")
    with pytest.raises(InvalidValueError, match="vide"):
        store.add_note(doc["id"], "  ", agent="x")


def test_unknown_and_invalid_ids(store: Store) -> None:
    with pytest.raises(DossierNotFoundError) as info:
        store.load("D-2026-000042")
    assert str(info.value) == "Le dossier D-2026-000042 n'existe pas."
    assert isinstance(info.value, KeyError)
    with pytest.raises(DossierNotFoundError):
        store.save_answer("D-2026-000042", "nom", "x", agent="a")
    for bad in ("../../etc/passwd", "D-2026-1", "d-2026-000001"):
        with pytest.raises(InvalidValueError, match="Identifiant de dossier invalide"):
            store.load(bad)


def test_values_that_json_cannot_hold_are_refused_before_writing(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    with pytest.raises(InvalidValueError):
        store.save_answer(doc["id"], "loyer", float("nan"), agent="a")
    with pytest.raises(InvalidValueError):
        store.save_answer(doc["id"], "x", {1, 2}, agent="a")
    assert store.load(doc["id"]) == doc


def test_iter_dossiers_reads_everything_in_id_order(store: Store, now) -> None:
    ids = [store.create_dossier(agent="a", answers={"nom": f"N{i}"}, now=now)["id"]
           for i in range(5)]
    assert [d["id"] for d in store.iter_dossiers()] == ids


def test_read_many_reads_the_ids_given_in_their_order(store: Store, now) -> None:
    ids = [store.create_dossier(agent="a", answers={"nom": f"N{i}"}, now=now)["id"]
           for i in range(5)]
    store.save_answer(ids[3], "loyer", 420, agent="a")
    wanted = [ids[3], ids[0], "D-2026-000099", ids[4]]  # one never created: skipped
    read = list(store.read_many(wanted))
    assert [d["id"] for d in read] == [ids[3], ids[0], ids[4]]
    assert read == [store.load(i) for i in (ids[3], ids[0], ids[4])]
    assert list(store.read_many([])) == []
    with pytest.raises(InvalidValueError):
        list(store.read_many(["pas-un-id"]))


def test_import_gives_ids_and_checks_the_shape(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", answers={"nom": "Modèle"}, now=now)
    copy = {k: v for k, v in doc.items() if k not in ("tables", "exports", "draft", "interview")}
    ids = store.import_dossiers([copy, dict(copy, status="accorde")])
    assert ids == ["D-2026-000002", "D-2026-000003"]
    assert store.load(ids[0])["answers"] == {"nom": "Modèle"}
    assert store.load(ids[0])["tables"] == {}  # keys of later versions get their defaults
    with pytest.raises(InvalidValueError, match="answers"):
        store.import_dossiers([dict(copy, answers="du texte")])
    assert store.count() == 3


def test_reopened_store_sees_the_same_dossiers(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", answers={"nom": "Durable"}, now=now)
    store.save_answer(doc["id"], "loyer", 420, agent="a")
    again = backend.reopen()
    assert again.load(doc["id"]) == store.load(doc["id"])
    assert [e.id for e in again.list()] == [doc["id"]]
    again.add_note(doc["id"], "vu de l'autre poste", agent="b")
    assert store.load(doc["id"])["notes"][-1]["text"] == "vu de l'autre poste"
    assert store.list()[0].rev == 3  # the first handle catches up with the other's write


def test_location_reopens_the_same_store(backend: Backend, now) -> None:
    from intake_assistant.store import open_store

    doc = backend.store.create_dossier(agent="a", now=now)
    assert open_store(backend.store.location).load(doc["id"]) == doc


@pytest.mark.parametrize("bad", [
    {"answers": "du texte"},
    {"status": None},
    {"created_at": None},
    {"unknown": "loyer"},
    {"status_history": [{"at": "2026-01-01"}]},
    {"rev": "sept"},
    {"commission": "accordé"},
    {"tables": {"rdv": [{"id": "1", "at": "2026-01-01", "agent": "a"}]}},
])
def test_a_malformed_document_is_damaged_by_name_and_the_rest_works(backend: Backend, now,
                                                                     bad) -> None:
    """Issue 11 §2: valid JSON of the wrong shape never breaks the other dossiers."""
    store = backend.store
    ok = store.create_dossier(agent="a", answers={"nom": "Sain"}, now=now)
    broken = store.create_dossier(agent="a", answers={"nom": "Abîmé"}, now=now)
    damaged = {**store.load(broken["id"]), **bad}
    (key,) = bad
    written = backend.write_raw(broken["id"], damaged)
    assert written == (key not in backend.schema_refuses)
    fresh = backend.reopen()
    if not written:  # the backend's schema refused the damage: the dossier is whole
        assert fresh.load(broken["id"]) == store.load(broken["id"]) == broken
        assert sorted(e.id for e in fresh.list()) == [ok["id"], broken["id"]]
        assert fresh.corrupt_files() == {}
        return
    with pytest.raises(CorruptDossierError) as info:
        fresh.load(broken["id"])
    assert broken["id"] in info.value.message and "structure inattendue" in info.value.message
    assert [e.id for e in fresh.list()] == [ok["id"]]
    assert fresh.count() == 1
    assert [d["id"] for d in fresh.iter_dossiers()] == [ok["id"]]
    assert [d["id"] for d in fresh.read_many([broken["id"], ok["id"]])] == [ok["id"]]
    assert set(fresh.versions()) == {ok["id"]}
    assert set(fresh.corrupt_files()) == {broken["id"]}
    assert [e.dossier_id for e in fresh.purge(inactive_days=0, dry_run=True,
                                              now=now + timedelta(days=3))] == [ok["id"]]
    with pytest.raises(CorruptDossierError):
        fresh.save_answer(broken["id"], "nom", "X", agent="a")
    fresh.forget(broken["id"])  # erasure stays possible
    assert fresh.corrupt_files() == {}


def test_a_dossier_that_is_not_json_is_damaged_too(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", now=now)
    assert backend.write_raw(doc["id"], [1, 2, 3])
    with pytest.raises(CorruptDossierError):
        backend.reopen().load(doc["id"])
