"""Contract: leases (a dossier open elsewhere), and writes refused while it is (issue 11 §1)."""

from __future__ import annotations

import pytest

from intake_assistant.store import (
    DossierLockedError,
    DossierNotFoundError,
    DossierStore,
)

from .conftest import Backend


def test_a_session_is_exclusive_and_says_who_has_it(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", now=now)
    with backend.held_elsewhere(doc["id"], "Nadia Benali"):
        holder = store.open_by(doc["id"])
        assert holder is not None and holder["agent"] == "Nadia Benali" and holder["host"]
        with pytest.raises(DossierLockedError, match="ouvert par Nadia Benali sur .* depuis"):
            store.session(doc["id"], agent="Sophie")
    assert store.open_by(doc["id"]) is None
    with store.session(doc["id"], agent="Sophie") as lease:
        assert (lease.dossier_id, lease.agent) == (doc["id"], "Sophie") and lease.token
        assert store.open_by(doc["id"]) is None  # our own lease is not "elsewhere"
        lease.renew()
    with store.session(doc["id"], agent="Karim"):  # released: anyone may open it
        pass


def test_a_session_on_a_missing_dossier(store: DossierStore) -> None:
    with pytest.raises(DossierNotFoundError):
        store.session("D-2026-000099", agent="a")


WRITES = {
    "save_answers": lambda s, i: s.save_answers(i, answers={"nom": "X"}, unknown=[], events=[],
                                                agent="Sophie"),
    "save_answer": lambda s, i: s.save_answer(i, "nom", "X", agent="Sophie"),
    "status": lambda s, i: s.set_status(i, "abandonne", agent="Sophie"),
    "meeting": lambda s, i: s.add_meeting(i, date="2026-03-03", avec="demandeur",
                                          partenaire=None, note="", agent="Sophie"),
    "note": lambda s, i: s.add_note(i, "note", agent="Sophie"),
    "fields": lambda s, i: s.set_fields(i, agent="Sophie", evaluation_sociale="texte"),
    "assign": lambda s, i: s.assign(i, "Sophie", agent="Sophie"),
    "rows": lambda s, i: s.append_rows(i, "rendez_vous", [{"jour": "lundi"}], agent="Sophie"),
    "forget": lambda s, i: s.forget(i),
}


def test_writes_of_another_session_are_refused_while_the_dossier_is_open(backend: Backend,
                                                                         now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", answers={"nom": "Martin"}, now=now)
    with backend.held_elsewhere(doc["id"], "Nadia Benali"):
        for name, write in WRITES.items():
            with pytest.raises(DossierLockedError, match="ouvert par Nadia Benali"):
                write(store, doc["id"])
            assert store.load(doc["id"]) == doc, name  # nothing changed
        store.register_export(doc["id"], path=None, fmt="md", agent="Sophie")  # reading is fine
    for name, write in WRITES.items():
        if name != "forget":
            write(store, doc["id"])
    assert store.load(doc["id"])["status"] == "abandonne"


def test_the_lease_holder_writes(store: DossierStore, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    with store.session(doc["id"], agent="Sophie"):
        saved = store.save_answers(doc["id"], answers={"nom": "X"}, unknown=[], events=[],
                                   agent="Sophie", expected_rev=doc["rev"])
        store.set_status(doc["id"], "en_evaluation", agent="Sophie", expected_rev=saved["rev"])
    assert store.load(doc["id"])["status"] == "en_evaluation"


def test_a_dead_sessions_lease_is_taken_over(backend: Backend, now) -> None:
    store = backend.store
    doc = store.create_dossier(agent="a", now=now)
    backend.kill_session_elsewhere(doc["id"], "Nadia", "evaluation")
    assert store.open_by(doc["id"]) is None
    store.add_note(doc["id"], "écrit après la mort de l'autre session", agent="Sophie")
    with store.session(doc["id"], agent="Sophie"):
        pass
