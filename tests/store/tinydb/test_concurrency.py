from __future__ import annotations

import json
import os
import socket
import time
from datetime import datetime

import pytest

from intake_assistant.store import DossierLockedError
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.platforms import POSIX_PIDS

from ..conftest import start_child


def test_two_processes_saving_the_same_dossier_lose_nothing(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="a", now=now)["id"]
    children = [start_child("saves", str(store.root), dossier_id, prefix, "200")
                for prefix in ("p", "q")]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out.strip() == "DONE"
    doc = store.load(dossier_id)
    expected = {f"{prefix}{i}": i for prefix in ("p", "q") for i in range(200)}
    assert doc["answers"] == expected
    assert len(doc["events"]) == 400
    assert sorted(e["seq"] for e in doc["events"]) == list(range(1, 401))
    assert doc["rev"] == 401
    entry = store.list(search=dossier_id)[0]
    assert entry.updated_at == doc["updated_at"]


def test_concurrent_creations_get_distinct_ids(store: Store) -> None:
    children = [start_child("create", str(store.root), "40") for _ in range(3)]
    ids = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        ids += out.split()
    assert len(ids) == len(set(ids)) == 120
    assert {e.id for e in store.list()} == set(ids)


def test_a_busy_dossier_does_not_block_another(store: Store, now) -> None:
    busy = store.create_dossier(agent="a", now=now)["id"]
    free = store.create_dossier(agent="a", now=now)["id"]
    child = start_child("hold-lock", str(store.root), busy)
    try:
        assert child.stdout.readline().strip() == "HELD"
        quick = Store.open(store.root, lock_timeout=0.3)
        started = time.perf_counter()
        quick.save_answer(free, "nom", "Libre", agent="a")
        assert time.perf_counter() - started < 0.25
        with pytest.raises(DossierLockedError) as info:
            quick.save_answer(busy, "nom", "Bloqué", agent="a")
        assert str(info.value) == (f"Le dossier {busy} est en cours d'enregistrement sur un autre "
                                   "poste ; réessayez dans un instant.")
    finally:
        child.stdin.close()
        child.wait(10)
    quick.save_answer(busy, "nom", "Débloqué", agent="a")
    assert store.load(busy)["answers"]["nom"] == "Débloqué"


def test_session_open_elsewhere_gives_a_french_message(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="a", now=now)["id"]
    child = start_child("session", str(store.root), dossier_id, "Nadia Benali")
    try:
        assert child.stdout.readline().strip() == "OPEN"
        since = json.loads(store.leases.path(dossier_id).read_bytes())["since"]
        with pytest.raises(DossierLockedError) as info:
            store.session(dossier_id, agent="Sophie")
        hour = since[11:16]
        assert str(info.value) == (f"Le dossier {dossier_id} est ouvert par Nadia Benali sur "
                                   f"{socket.gethostname()} depuis {hour}.")
        assert store.open_by(dossier_id)["agent"] == "Nadia Benali"
        # issue 11 §1: no write of another process while the dossier is open elsewhere
        with pytest.raises(DossierLockedError, match="ouvert par Nadia Benali.*rien n'a été"):
            store.save_answer(dossier_id, "note", "écriture courte", agent="Sophie")
    finally:
        child.stdin.close()
        child.wait(10)
    with store.session(dossier_id, agent="Sophie"):
        assert store.open_by(dossier_id) is None
        assert json.loads(store.leases.path(dossier_id).read_bytes())["agent"] == "Sophie"
    assert not store.leases.path(dossier_id).exists()


@POSIX_PIDS
def test_stale_lease_of_a_dead_process_is_taken_over(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="a", now=now)["id"]
    lease = {"pid": 999_999_999, "host": socket.gethostname(), "agent": "Parti",
             "since": now.isoformat()}
    store.leases.path(dossier_id).write_text(json.dumps(lease))
    os.chmod(store.leases.path(dossier_id), 0o600)
    with store.session(dossier_id, agent="Sophie") as session:
        assert session.dossier_id == dossier_id


def test_lease_of_another_host_expires(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="a", now=now)["id"]
    fresh = {"pid": 1, "host": "autre-poste", "agent": "Karim",
             "since": datetime.now().astimezone().isoformat()}
    store.leases.path(dossier_id).write_text(json.dumps(fresh))
    with pytest.raises(DossierLockedError, match="ouvert par Karim sur autre-poste"):
        store.session(dossier_id, agent="Sophie")
    old = dict(fresh, since="2020-01-01T08:00:00+01:00")
    store.leases.path(dossier_id).write_text(json.dumps(old))
    store.session(dossier_id, agent="Sophie").close()
