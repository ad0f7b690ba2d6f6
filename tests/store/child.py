"""Helper run in a separate process by the store tests (never collected by pytest).

Modes:
  writer ROOT SEED          create dossiers and save answers forever; print "ACK ..." after each
                            durable save returns (the parent kills it at a random moment)
  saves ROOT ID PREFIX N    N single-answer saves on one dossier
  create ROOT N             create N dossiers, print their ids
  hold-lock ROOT ID         hold the write lock of a dossier until stdin closes
  session ROOT ID AGENT     open a session (lease) and keep it until stdin closes
  interview-killed ROOT ID AGENT QUESTIONNAIRE
                            open a session, mark an interview in progress, save a draft, then
                            die by SIGKILL (no close, no end of interview)
  interview ROOT ID AGENT   an interview (app layer, tests/store/fixtures/saisie.yaml) driven by
                            stdin lines: "answer TEXT", "correct PATH TEXT", "finish"; prints
                            STARTED rev / ACK path rev / REFUSED message / FINISHED.
                            $STORE_TEST_DELAY_BEFORE_LEASE (s): prints WAITING then sleeps
                            between deciding to open the dossier and taking its lease
  forgetter ROOT            forget every dossier in id order, "ACK id" after each
  purger ROOT DAYS          one purge of the dossiers inactive for DAYS, then "DONE"
  stats ROOT                a cold statistics build shared by worker processes
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time

from intake_assistant.store import open_store
from intake_assistant.store.tinydb import TinyDBStore as Store


def writer(root: str, seed: int) -> None:
    store = Store.open(root)
    rng = random.Random(seed)
    ids = [e.id for e in store.list()]
    step = 0
    while True:
        step += 1
        if not ids or rng.random() < 0.1:
            doc = store.create_dossier(agent="kill", answers={"nom": f"K{seed}-{step}"})
            ids.append(doc["id"])
            print(f"ACK {doc['id']} nom K{seed}-{step}", flush=True)
            continue
        dossier_id = rng.choice(ids)
        key, value = f"a{seed}_{step}", f"v{step}-" + "x" * rng.randrange(0, 300)
        if rng.random() < 0.5:
            store.save_answer(dossier_id, key, value, agent="kill")
        else:
            current = store.load(dossier_id)
            answers = {**current["answers"], key: value}
            event = {"seq": len(current["events"]) + 1, "type": "answer", "id": key, "value": value}
            store.save_answers(dossier_id, answers=answers, unknown=current["unknown"],
                               events=[event], agent="kill")
        print(f"ACK {dossier_id} {key} {value}", flush=True)


def interview(root: str, dossier_id: str, agent: str) -> None:
    import time
    from pathlib import Path

    from intake_assistant.app.interviews import InterviewSession
    from intake_assistant.core.linter import load_questionnaire
    from intake_assistant.store import StoreError

    questionnaire = load_questionnaire(Path(__file__).with_name("fixtures") / "saisie.yaml")
    store = open_store(root)
    delay = float(os.environ.get("STORE_TEST_DELAY_BEFORE_LEASE") or 0)
    if delay:
        opening = store.session

        def slow_session(dossier_id: str, *, agent: str):  # type: ignore[no-untyped-def]
            print("WAITING", flush=True)
            time.sleep(delay)
            return opening(dossier_id, agent=agent)

        store.session = slow_session  # type: ignore[method-assign]
    try:
        session = InterviewSession.start(questionnaire, store=store, dossier_id=dossier_id,
                                         agent=agent)
    except StoreError as exc:
        print(f"REFUSED {exc.message}", flush=True)
        return
    print(f"STARTED {session.rev} {sorted(session.interview.answers.items())}", flush=True)
    for line in sys.stdin:
        command, _, rest = line.rstrip("\n").partition(" ")
        try:
            if command == "answer":
                step = session.current_step()
                session.answer(rest)
                print(f"ACK {step.path if step else '?'} {session.rev}", flush=True)
            elif command == "correct":
                path, _, text = rest.partition(" ")
                session.select(path)
                session.answer(text)
                print(f"ACK {path} {session.rev} {text}", flush=True)
            elif command == "finish":
                session.finish()
                print("FINISHED", flush=True)
                return
        except StoreError as exc:
            print(f"REFUSED {exc.message}", flush=True)


def main() -> None:
    mode, root = sys.argv[1], sys.argv[2]
    if mode == "writer":
        writer(root, int(sys.argv[3]))
    elif mode == "saves":
        store = Store.open(root, lock_timeout=30)
        dossier_id, prefix, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
        for i in range(count):
            store.save_answer(dossier_id, f"{prefix}{i}", i, agent=prefix)
        print("DONE", flush=True)
    elif mode == "create":
        store = Store.open(root, lock_timeout=30)
        for _ in range(int(sys.argv[3])):
            print(store.create_dossier(agent="créateur")["id"], flush=True)
    elif mode == "hold-lock":
        store = Store.open(root)
        with store._write_lock(sys.argv[3]):
            print("HELD", flush=True)
            sys.stdin.read()
    elif mode == "session":
        store = Store.open(root)
        with store.session(sys.argv[3], agent=sys.argv[4]):
            print("OPEN", flush=True)
            sys.stdin.read()
    elif mode == "interview":
        interview(root, sys.argv[3], sys.argv[4])
    elif mode == "forgetter":
        store = open_store(root)
        for entry in sorted(store.list(), key=lambda e: e.id):
            store.forget(entry.id)
            print(f"ACK {entry.id}", flush=True)
    elif mode == "purger":
        store = open_store(root)
        store.purge(inactive_days=int(sys.argv[3]))
        print("DONE", flush=True)
    elif mode == "stats":
        from intake_assistant.orientation.build import default_policy
        from intake_assistant.reports import cache

        cache.PARALLEL_FROM, cache._CHUNK = 1, 2
        real = cache.build_record

        def slow(doc, policy):  # forked workers start at once: the build must outlast a look
            time.sleep(0.05)
            return real(doc, policy)

        cache.build_record = slow
        store = open_store(root)
        print("BUILDING", flush=True)
        cache.store_records(store, default_policy())
        print("DONE", flush=True)
    elif mode == "interview-killed":
        store = open_store(root)
        dossier_id, agent, questionnaire = sys.argv[3], sys.argv[4], sys.argv[5]
        lease = store.session(dossier_id, agent=agent)
        store.begin_interview(dossier_id, questionnaire, token=lease.token)
        store.save_draft(dossier_id, {"path": "loyer", "text": "45"}, token=lease.token)
        print("MARKED", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
