"""Contract: RGPD purge and forget leave no trace of the person in the store (issue 11 §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake_assistant.store import (
    DossierLockedError,
    DossierNotFoundError,
    DossierStore,
)

from .conftest import Backend, traces

NAME = "Zébulon-Tartempion"
PHONE = "06 99 88 77 66"


def person(store: DossierStore, now, days_ago: int, nom: str = NAME) -> str:
    moment = now - timedelta(days=days_ago)
    phone = PHONE if nom == NAME else "03 26 00 00 00"
    doc = store.create_dossier(agent="Sophie", answers={"nom": nom, "prenom": "Anaïs",
                                                          "telephone": phone}, now=moment)
    store.save_answer(doc["id"], "loyer", 400, agent="Sophie", now=moment)
    store.save_answer(doc["id"], "loyer", 420, agent="Nadia", now=moment)  # audit row
    store.add_note(doc["id"], f"Note sur {nom}", agent="Nadia", now=moment)
    store.append_rows(doc["id"], "rendez_vous", [{"avec": nom}], agent="Nadia", now=moment)
    store.put_record("demandes_partenaires", f"dp-{doc['id']}", {"objet": f"Aide pour {nom}"},
                     dossier_id=doc["id"])
    store.register_export(doc["id"], path=f"/tmp/synthese-{doc['id']}.pdf", fmt="pdf",
                          agent="Nadia", now=moment)
    return doc["id"]


def test_purge_dry_run_lists_and_keeps(store: DossierStore, now) -> None:
    old = person(store, now, 800)
    person(store, now, 100, nom="Récent")
    listed = store.purge(dry_run=True, now=now)
    assert [e.dossier_id for e in listed] == [old]
    assert listed[0].entry is not None and listed[0].entry.nom == NAME
    assert [x["path"] for x in listed[0].exports] == [f"/tmp/synthese-{old}.pdf"]
    assert store.load(old)["answers"]["nom"] == NAME


def test_purge_erases_inactive_dossiers_without_trace(backend: Backend, now) -> None:
    store = backend.store
    old = person(store, now, 800)
    recent = person(store, now, 100, nom="Récent")
    revived = person(store, now, 900, nom="Revenu")
    store.add_meeting(revived, date=(now - timedelta(days=10)).date().isoformat(),
                      avec="demandeur", partenaire=None, note="Retour", agent="Nadia")
    store.list()
    assert traces(backend, NAME)
    purged = store.purge(now=now)
    assert [e.dossier_id for e in purged] == [old]
    assert [x["path"] for x in purged[0].exports] == [f"/tmp/synthese-{old}.pdf"]
    assert traces(backend, NAME, PHONE, PHONE.replace(" ", ""), old) == []
    with pytest.raises(DossierNotFoundError):
        store.load(old)
    assert {e.id for e in backend.reopen().list()} == {recent, revived}
    assert {r["id"] for r in store.list_records("demandes_partenaires")} == {
        f"dp-{recent}", f"dp-{revived}"}


def test_purge_threshold_is_configurable(store: DossierStore, now) -> None:
    dossier_id = person(store, now, 40)
    assert store.purge(inactive_days=60, now=now) == []
    assert [e.dossier_id for e in store.purge(inactive_days=30, now=now)] == [dossier_id]


def test_purge_skips_a_dossier_open_elsewhere(backend: Backend, now) -> None:
    store = backend.store
    old = person(store, now, 800)
    with backend.held_elsewhere(old, "Nadia"):
        assert store.purge(now=now) == []
    assert [e.dossier_id for e in store.purge(now=now)] == [old]


def test_forget_erases_the_person_everywhere(backend: Backend, now) -> None:
    store = backend.store
    gone = person(store, now, 5)
    kept = person(store, now, 5, nom="Gardé")
    store.list()
    with store.session(gone, agent="Nadia") as lease:
        store.begin_interview(gone, "evaluation", token=lease.token)
        store.save_draft(gone, {"path": "loyer", "text": f"brouillon {NAME}"}, token=lease.token)
    erased = store.forget(gone)
    assert erased.dossier_id == gone and erased.entry is not None
    assert [x["path"] for x in erased.exports] == [f"/tmp/synthese-{gone}.pdf"]
    assert traces(backend, NAME, gone) == []
    assert [e.id for e in store.list()] == [kept]
    assert [e.id for e in backend.reopen().list()] == [kept]
    assert store.interrupted_interviews("Nadia") == []
    assert store.list_records(dossier_id=kept) != []
    assert store.get_record("demandes_partenaires", f"dp-{gone}") is None
    with pytest.raises(DossierNotFoundError):
        store.forget(gone)


def test_forget_refuses_a_dossier_open_elsewhere(backend: Backend, now) -> None:
    store = backend.store
    dossier_id = person(store, now, 5)
    with backend.held_elsewhere(dossier_id, "Nadia"):
        with pytest.raises(DossierLockedError, match="ouvert par Nadia"):
            store.forget(dossier_id)
    assert store.load(dossier_id)["answers"]["nom"] == NAME


def test_a_damaged_dossier_can_still_be_forgotten(backend: Backend, now) -> None:
    store = backend.store
    dossier_id = person(store, now, 5)
    backend.write_raw(dossier_id, {"id": dossier_id, "answers": f"{NAME} en vrac"})
    erased = backend.reopen().forget(dossier_id)
    assert erased.exports == ()  # unreadable: its register is lost with it
    assert traces(backend, NAME) == []
