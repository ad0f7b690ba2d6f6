"""Helper run in a separate process by the PostgreSQL tests (never collected by pytest).

Modes:
  saves URL ID PREFIX N       N single-answer saves on one dossier
  interview URL ID PREFIX N   N read-modify-write saves with `expected_rev`, reloading and retrying
                              on ConflictError (what an interview does); prints conflicts seen
  create URL N                create N dossiers, print their ids
  session URL ID AGENT TTL    open a lease (heartbeat every TTL/4) and keep it until stdin closes
                              or the process is killed
  interview-killed URL ID AGENT QUESTIONNAIRE
                              open a lease, mark an interview in progress, save a draft, print
                              MARKED and the server process of its connection, then die by
                              SIGKILL (no close, no end of interview)
"""

from __future__ import annotations

import os
import signal
import sys

from intake_assistant.store import ConflictError
from intake_assistant.store.postgres import PostgresStore


def interview(store: PostgresStore, dossier_id: str, prefix: str, count: int) -> int:
    conflicts = 0
    for i in range(count):
        while True:
            doc = store.load(dossier_id)
            answers = {**doc["answers"], f"{prefix}{i}": i}
            event = {"seq": len(doc["events"]) + 1, "type": "answer", "id": f"{prefix}{i}",
                     "value": i}
            try:
                store.save_answers(dossier_id, answers=answers, unknown=doc["unknown"],
                                   events=[event], agent=prefix, expected_rev=doc["rev"])
                break
            except ConflictError:
                conflicts += 1
    return conflicts


def main() -> None:
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "saves":
        store = PostgresStore(url, lock_timeout=30)
        dossier_id, prefix, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
        for i in range(count):
            store.save_answer(dossier_id, f"{prefix}{i}", i, agent=prefix)
        print("DONE", flush=True)
    elif mode == "interview":
        store = PostgresStore(url, lock_timeout=30)
        conflicts = interview(store, sys.argv[3], sys.argv[4], int(sys.argv[5]))
        print(f"DONE {conflicts}", flush=True)
    elif mode == "create":
        store = PostgresStore(url, lock_timeout=30)
        for _ in range(int(sys.argv[3])):
            print(store.create_dossier(agent="créateur")["id"], flush=True)
    elif mode == "session":
        store = PostgresStore(url, lease_ttl=float(sys.argv[5]))
        with store.session(sys.argv[3], agent=sys.argv[4]):
            print("OPEN", flush=True)
            sys.stdin.read()
    elif mode == "interview-killed":
        store = PostgresStore(url)
        dossier_id, agent, questionnaire = sys.argv[3], sys.argv[4], sys.argv[5]
        lease = store.session(dossier_id, agent=agent)
        store.begin_interview(dossier_id, questionnaire, token=lease.token)
        store.save_draft(dossier_id, {"path": "loyer", "text": "45"}, token=lease.token)
        with store._db() as conn:  # the server process whose end frees the lease
            pid = conn.info.backend_pid
        print(f"MARKED {pid}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    store.close()


if __name__ == "__main__":
    main()
