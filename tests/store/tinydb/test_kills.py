"""SIGKILL in the middle of `forget`, `purge`, an interview's save and a statistics build
(issue 11 §8 and "the kill tests also kill forget, purge and a session save")."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from intake_assistant.store import DossierNotFoundError
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.platforms import POSIX_SIGNALS

from ..conftest import start_child

pytestmark = POSIX_SIGNALS


def _people(store: Store, count: int, *, when: datetime | None = None,
            prefix: str = "Personne") -> dict[str, dict]:
    docs = {}
    for i in range(count):
        doc = store.create_dossier(agent="Sophie", answers={"nom": f"{prefix}{i:03d}"}, now=when)
        store.add_note(doc["id"], f"note {i}", agent="Sophie", now=when)
        docs[doc["id"]] = store.load(doc["id"])
    return docs


def _assert_whole_or_gone(root: Path, before: dict[str, dict], gone: set[str]) -> None:
    """Every dossier is intact or entirely erased; acknowledged erasures are erased; the index
    (after the restart finishing an interrupted erasure) lists exactly the files."""
    store = Store.open(root)
    files = {d["id"]: d for d in store.iter_dossiers()}
    assert store.corrupt_files() == {}
    assert gone.isdisjoint(files)
    for dossier_id, doc in files.items():
        assert doc == before[dossier_id]
    assert {e.id for e in store.list()} == set(files)
    erased = set(before) - set(files)
    index_bytes = b"".join(p.read_bytes() for p in (root / "index").iterdir() if p.is_file())
    for dossier_id in erased:
        with pytest.raises(DossierNotFoundError):
            store.load(dossier_id)
        assert before[dossier_id]["answers"]["nom"].encode() not in index_bytes, dossier_id
        assert not list(root.rglob(f"*{dossier_id}*"))


@pytest.mark.slow
def test_forget_killed_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(11)
    root = tmp_path / "base"
    before = _people(Store.open(root), 60)
    gone: set[str] = set()
    for _ in range(8):
        child = start_child("forgetter", str(root))
        assert child.stdout is not None
        first = child.stdout.readline()  # erasing has begun
        time.sleep(rng.uniform(0.0, 0.1))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        out = first + out
        gone |= {line.split()[1] for line in out.splitlines() if line.startswith("ACK ")}
        _assert_whole_or_gone(root, before, gone)
    assert gone  # the kills landed while erasing


@pytest.mark.slow
def test_purge_killed_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(5)
    root = tmp_path / "base"
    store = Store.open(root)
    before = _people(store, 50, when=datetime.now().astimezone() - timedelta(days=1000))
    before |= _people(store, 5, prefix="Recent")  # recent: never purged
    recent = {i for i, d in before.items() if d["created_at"][:4] == str(datetime.now().year)}
    for _ in range(6):
        child = start_child("purger", str(root), "730")
        time.sleep(rng.uniform(0.3, 0.6))
        child.send_signal(signal.SIGKILL)
        child.communicate()
        _assert_whole_or_gone(root, before, set())
    final = start_child("purger", str(root), "730")
    assert final.communicate(timeout=120)[0].strip() == "DONE"
    _assert_whole_or_gone(root, before, set(before) - recent)
    assert {e.id for e in Store.open(root).list()} == recent


@pytest.mark.slow
def test_interview_killed_during_its_saves_loses_nothing_acknowledged(tmp_path: Path) -> None:
    root = tmp_path / "base"
    store = Store.open(root)
    dossier_id = store.create_dossier(agent="Sophie")["id"]
    rng = random.Random(3)
    acked: list[str] = []
    total = 0
    for round_ in range(6):
        child = start_child("interview", str(root), dossier_id, "Sophie")
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().startswith("STARTED"), child.stderr.read()
        if round_ == 0:
            for text in ("Martin", "Julie", "06 12 34 56 78"):
                child.stdin.write(f"answer {text}\n")
        names = [f"Nom{chr(97 + round_)}{chr(97 + i % 26)}{chr(97 + i // 26)}"
                 for i in range(200)]
        for name in names:
            child.stdin.write(f"correct nom {name}\n")
        child.stdin.flush()
        first = child.stdout.readline()  # the saves have begun
        time.sleep(rng.uniform(0.0, 0.2))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        out = first + out
        acks = [line.split()[3] for line in out.splitlines() if line.startswith("ACK nom ")
                and len(line.split()) == 4]
        acked = acks or acked
        total += len(acks)
        doc = Store.open(root).load(dossier_id)
        if acks:  # the last acknowledged value is there (or the one in flight after it)
            position = names.index(acks[-1])
            assert doc["answers"]["nom"] in names[position:position + 2], (doc, acks[-1])
        elif acked:
            assert doc["answers"]["nom"] in [acked[-1], names[0]]
        assert doc["interview"] is not None  # killed: offered again
        assert [i["dossier_id"] for i in Store.open(root).interrupted_interviews("Sophie")] == [
            dossier_id]
    assert doc["answers"]["prenom"] == "Julie"
    assert total >= 5  # each round was killed during its stream of acknowledged saves


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != b"Z":
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the workers")
def test_statistics_workers_die_with_their_parent(tmp_path: Path) -> None:
    root = tmp_path / "base"
    _people(Store.open(root), 40)
    for _ in range(3):
        child = start_child("stats", str(root))
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "BUILDING"
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {p for p in _children(child.pid)  # forked or spawned, not the tracker
                       if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()}
            time.sleep(0.05)
        assert workers, "no worker process was started"
        child.send_signal(signal.SIGKILL)
        child.wait(10)  # not communicate(): orphan workers would hold its pipes open
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        orphans = [p for p in workers if _alive(p)]
        for pid in orphans:  # do not leave them behind a failed test
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "orphan statistics workers"
