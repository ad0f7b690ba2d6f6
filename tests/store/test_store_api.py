from __future__ import annotations

from datetime import timedelta

import pytest

from intake_assistant.store import (
    ConflictError,
    DossierNotFoundError,
    InvalidValueError,
)
from intake_assistant.store.tinydb import TinyDBStore as Store


def test_create_returns_documented_shape(store: Store, now) -> None:
    doc = store.create_dossier(agent="Sophie", questionnaire="accueil_telephonique",
                               answers={"nom": "Martin", "prenom": "Julie"}, now=now)
    assert doc["id"] == "D-2026-000001"
    assert doc["status"] == "premier_contact"
    assert doc["status_history"] == [{"status": "premier_contact", "at": now.isoformat(),
                                      "agent": "Sophie"}]
    assert doc["created_at"] == now.isoformat() and doc["created_at"][19:] != ""  # has offset
    for key in ("created_by", "agent", "questionnaires", "answers", "unknown", "events", "audit",
                "rencontres", "commission", "notes", "evaluation_sociale"):
        assert key in doc
    assert store.load(doc["id"]) == doc


def test_ids_follow_the_year_and_never_repeat(store: Store, now) -> None:
    first = store.create_dossier(agent="a", now=now)["id"]
    second = store.create_dossier(agent="a", now=now)["id"]
    next_year = store.create_dossier(agent="a", now=now + timedelta(days=365))["id"]
    assert (first, second, next_year) == ("D-2026-000001", "D-2026-000002", "D-2027-000001")
    store.forget(second)
    assert store.create_dossier(agent="a", now=now)["id"] == "D-2026-000003"


def test_lost_sequence_counter_restarts_after_highest_file(store: Store, now) -> None:
    for _ in range(3):
        store.create_dossier(agent="a", now=now)
    (store.sequences_dir / "2026").unlink()
    assert store.create_dossier(agent="a", now=now)["id"] == "D-2026-000004"


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
    fresh = store.load(doc["id"])
    store.save_answers(doc["id"], answers={"nom": "Dubois"}, unknown=[], events=[], agent="a",
                       expected_rev=fresh["rev"])
    assert store.load(doc["id"])["answers"] == {"nom": "Dubois"}


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
