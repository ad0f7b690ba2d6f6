"""Contract: drafts and interrupted interviews live with the dossier (issue 11 §6 and §9), and
the export register (issue 11 §6)."""

from __future__ import annotations

import pytest

from intake_assistant.store import DossierLockedError, DossierStore, InvalidValueError

from .conftest import Backend


def test_draft_is_kept_with_the_dossier_without_touching_its_content(store: DossierStore,
                                                                      now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    with store.session(doc["id"], agent="Sophie") as lease:
        store.save_draft(doc["id"], {"path": "loyer", "text": "45"}, token=lease.token)
        kept = store.load(doc["id"])
        assert kept["draft"] is not None
        assert (kept["draft"]["path"], kept["draft"]["text"], kept["draft"]["agent"]) == (
            "loyer", "45", "Sophie")
        assert kept["rev"] == doc["rev"] and kept["updated_at"] == doc["updated_at"]
        assert kept["audit"] == [] and kept["events"] == []
        assert store.list()[0].last_contact == store.list()[0].created_at[:10]
        store.save_draft(doc["id"], {"path": "loyer", "text": "450"}, token=lease.token)
        assert store.load(doc["id"])["draft"]["text"] == "450"  # type: ignore[index]
        store.save_draft(doc["id"], None, token=lease.token)
        assert store.load(doc["id"])["draft"] is None
        with pytest.raises(InvalidValueError, match="trop long"):
            store.save_draft(doc["id"], {"path": "x", "text": "a" * 200_000}, token=lease.token)


def test_only_the_lease_holder_saves_a_draft_or_a_marker(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", now=now)
    with pytest.raises(DossierLockedError, match="n'est plus ouvert"):
        store.save_draft(doc["id"], {"path": "x", "text": "y"}, token="pas-un-bail")
    with store.session(doc["id"], agent="a") as lease:
        token = lease.token
    with pytest.raises(DossierLockedError):
        store.begin_interview(doc["id"], "evaluation", token=token)  # closed: token dead
    with backend.held_elsewhere(doc["id"], "Nadia"):
        with pytest.raises(DossierLockedError, match="ouvert par Nadia"):
            store.save_draft(doc["id"], {"path": "x", "text": "y"}, token=token)
    assert store.load(doc["id"]) == doc


def test_an_interview_killed_midway_is_offered_back_with_its_draft(backend: Backend,
                                                                   now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", answers={"nom": "Martin"}, now=now)
    other = store.create_dossier(agent="a", now=now)
    assert store.interrupted_interviews("Nadia") == []
    backend.kill_session_elsewhere(doc["id"], "Nadia", "evaluation")
    found = store.interrupted_interviews("Nadia")
    assert len(found) == 1
    item = found[0]
    assert (item["dossier_id"], item["questionnaire"], item["agent"]) == (
        doc["id"], "evaluation", "Nadia")
    assert item["host"] and item["since"]
    assert item["draft"] is not None and item["draft"]["text"] == "45"
    assert store.interrupted_interviews("Sophie") == []  # another agent's is not offered
    assert backend.reopen().interrupted_interviews("Nadia") == found
    # resumed and finished: no longer interrupted, draft gone
    with store.session(doc["id"], agent="Nadia") as lease:
        store.begin_interview(doc["id"], "evaluation", token=lease.token)
        assert store.interrupted_interviews("Nadia") == []  # open here and now
        store.end_interview(doc["id"], token=lease.token)
    assert store.interrupted_interviews("Nadia") == []
    after = store.load(doc["id"])
    assert after["interview"] is None and after["draft"] is None
    assert after["rev"] == doc["rev"]
    assert store.load(other["id"])["interview"] is None


def test_a_live_interview_elsewhere_is_not_interrupted(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", now=now)
    backend.kill_session_elsewhere(doc["id"], "Nadia", "evaluation")
    with backend.held_elsewhere(doc["id"], "Nadia"):
        assert store.interrupted_interviews("Nadia") == []  # reopened elsewhere, alive
    assert [i["dossier_id"] for i in store.interrupted_interviews("Nadia")] == [doc["id"]]


def test_exports_are_registered_without_changing_the_content(store: DossierStore, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    store.register_export(doc["id"], path="/home/ccas/synthese.pdf", fmt="pdf", agent="Nadia",
                          now=now)
    store.register_export(doc["id"], path=None, fmt="md", agent="Sophie", now=now)
    kept = store.load(doc["id"])
    assert kept["exports"] == [
        {"at": now.isoformat(), "agent": "Nadia", "path": "/home/ccas/synthese.pdf",
         "format": "pdf"},
        {"at": now.isoformat(), "agent": "Sophie", "path": None, "format": "md"},
    ]
    assert kept["rev"] == doc["rev"]
    assert [x["path"] for x in store.forget(doc["id"]).exports] == [
        "/home/ccas/synthese.pdf", None]
