"""Kill a writer process at random moments and check that nothing acknowledged is lost.

Shared by the slow test (50 kills) and `bench/store.py --kill-test` (200 kills).
"""

from __future__ import annotations

import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb import store as store_module

from .conftest import start_child


@dataclass
class KillReport:
    kills: int = 0
    acked: int = 0
    dossiers: int = 0
    orphans: int = 0  # temp files left by a kill in the middle of a write
    problems: list[str] = field(default_factory=list)


def kill_loop(root: Path, kills: int, *, seed: int = 7) -> KillReport:
    delay, store_module.CLEANUP_DELAY_S = store_module.CLEANUP_DELAY_S, 0.0
    try:
        return _kill_loop(root, kills, seed=seed)
    finally:
        store_module.CLEANUP_DELAY_S = delay


def _kill_loop(root: Path, kills: int, *, seed: int) -> KillReport:
    rng = random.Random(seed)
    report = KillReport()
    acked: dict[tuple[str, str], str] = {}  # (dossier, answer id) -> value
    for round_ in range(kills):
        child = start_child("writer", str(root), str(round_))
        assert child.stdout is not None
        first = child.stdout.readline()  # wait on state: the stream of saves has begun
        time.sleep(rng.uniform(0.0, 0.25))  # then kill at a random moment of it
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        out = first + out
        report.kills += 1
        for line in out.splitlines():
            parts = line.split(" ", 3)
            if len(parts) == 4 and parts[0] == "ACK":
                acked[(parts[1], parts[2])] = parts[3]
        # every dossier stays readable, every acknowledged answer is there
        store = Store.open(root)
        store.wait_cleanup(60)  # orphan temps of the dossier folders (CLEANUP_DELAY_S is 0 here)
        report.orphans += len(store.removed_temps)
        docs = {d["id"]: d for d in store.iter_dossiers()}
        if store.corrupt_files():
            report.problems.append(f"round {round_}: unreadable {store.corrupt_files()}")
        for (dossier_id, key), value in acked.items():
            doc = docs.get(dossier_id)
            if doc is None or doc["answers"].get(key) != value:
                report.problems.append(f"round {round_}: lost {dossier_id} {key}")
        indexed = {e.id for e in store.list()}
        if indexed != set(docs):
            report.problems.append(f"round {round_}: index {len(indexed)} != files {len(docs)}")
        if report.problems:
            break
    report.acked = len(acked)
    report.dossiers = len(docs)
    return report
