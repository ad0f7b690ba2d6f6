"""Several processes on one PostgreSQL database: no lost update, no deadlock, no stuck lease.

(A session's exclusivity and a killed client's lease are in the contract suite, which runs on
PostgreSQL with other processes as the other sessions.)"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from intake_assistant.store import DossierLockedError
from intake_assistant.store.postgres import PostgresStore
from tests.platforms import POSIX_SIGNALS

from . import server

start = server.start_child


def finish(children: list[subprocess.Popen[str]], timeout: float = 120) -> list[str]:
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=timeout)
        assert child.returncode == 0, err
        outputs.append(out)
    return outputs


@pytest.mark.parametrize("processes", [2, 10])
def test_processes_saving_the_same_dossier_lose_nothing(store: PostgresStore, pg_url: str,
                                                        processes: int) -> None:
    dossier_id = store.create_dossier(agent="a", answers={"nom": "Martin"})["id"]
    count = 60 if processes == 2 else 15
    children = [start("saves", pg_url, dossier_id, f"p{i}_", str(count))
                for i in range(processes)]
    finish(children)
    doc = store.load(dossier_id)
    expected = {f"p{i}_{j}": j for i in range(processes) for j in range(count)}
    assert {k: v for k, v in doc["answers"].items() if k != "nom"} == expected
    assert len(doc["events"]) == processes * count
    assert doc["rev"] == 1 + processes * count


def test_interviews_with_expected_rev_lose_nothing_and_see_conflicts(store: PostgresStore,
                                                                     pg_url: str) -> None:
    """Read, change, save with `expected_rev`, reload on conflict: what every interview does."""
    dossier_id = store.create_dossier(agent="a")["id"]
    children = [start("interview", pg_url, dossier_id, f"i{i}_", "25") for i in range(4)]
    outputs = finish(children)
    doc = store.load(dossier_id)
    assert {k: v for k, v in doc["answers"].items()} == {
        f"i{i}_{j}": j for i in range(4) for j in range(25)}
    assert doc["rev"] == 1 + 100
    assert all(line.startswith("DONE") for line in outputs)


def test_processes_on_different_dossiers_and_creations(store: PostgresStore,
                                                       pg_url: str) -> None:
    ids = [store.create_dossier(agent="a")["id"] for _ in range(5)]
    savers = [start("saves", pg_url, ids[i % 5], f"s{i}_", "30") for i in range(8)]
    creators = [start("create", pg_url, "20") for _ in range(2)]
    outputs = finish(savers + creators)
    created = [line for out in outputs[8:] for line in out.split()]
    assert len(created) == len(set(created)) == 40
    for n, dossier_id in enumerate(ids):
        writers = [i for i in range(8) if i % 5 == n]
        answers = store.load(dossier_id)["answers"]
        assert answers == {f"s{i}_{j}": j for i in writers for j in range(30)}
    assert len(store.list()) == 45


def _wait_open(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "OPEN", child.stderr.read() if child.stderr else ""


def test_heartbeat_keeps_a_lease_past_its_ttl(store: PostgresStore, pg_url: str) -> None:
    dossier_id = store.create_dossier(agent="a")["id"]
    child = start("session", pg_url, dossier_id, "Nadia", "1.0")
    try:
        _wait_open(child)
        first = store.open_by(dossier_id)
        assert first is not None
        deadline = time.monotonic() + 30
        while True:  # wait on state: the heartbeat moved the expiry forward
            renewed = store.open_by(dossier_id)
            assert renewed is not None, "le bail a expiré malgré le battement de cœur"
            if renewed["renewed"] > first["renewed"]:
                break
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with pytest.raises(DossierLockedError):
            store.session(dossier_id, agent="Sophie")
    finally:
        finish([child])


@POSIX_SIGNALS
def test_a_lease_whose_connection_lives_on_ends_at_expiry(store: PostgresStore,
                                                          pg_url: str) -> None:
    """A client frozen (suspended laptop: its connection still open, no heartbeat) holds the
    dossier only until the lease expires."""
    dossier_id = store.create_dossier(agent="a")["id"]
    child = start("session", pg_url, dossier_id, "Nadia", "2")
    try:
        _wait_open(child)
        os.kill(child.pid, signal.SIGSTOP)
        with pytest.raises(DossierLockedError):
            store.session(dossier_id, agent="Sophie")
        deadline = time.monotonic() + 30
        while store.open_by(dossier_id) is not None:
            assert time.monotonic() < deadline, "bail resté bloqué après son expiration"
            time.sleep(0.1)
        store.session(dossier_id, agent="Sophie").close()
    finally:
        os.kill(child.pid, signal.SIGCONT)
        finish([child])
