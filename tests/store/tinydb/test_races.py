"""Issue 11 §1: two agents on one dossier — no lost update, deterministic (processes talk through
pipes; an injected delay opens the window that once lost answers)."""

from __future__ import annotations

import subprocess

from intake_assistant.store.tinydb import TinyDBStore as Store

from ..conftest import child_env, start_child


def _send(child: subprocess.Popen[str], line: str) -> str:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(line + "\n")
    child.stdin.flush()
    return child.stdout.readline().strip()


def _read(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    return child.stdout.readline().strip()


def test_a_second_interview_is_refused_while_the_first_runs(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="Sophie", now=now)["id"]
    first = start_child("interview", str(store.root), dossier_id, "Sophie")
    try:
        assert _read(first).startswith("STARTED")
        assert _send(first, "answer Martin").startswith("ACK nom")
        second = start_child("interview", str(store.root), dossier_id, "Nadia")
        out, _ = second.communicate(timeout=60)
        assert out.startswith("REFUSED Le dossier") and "ouvert par Sophie" in out
        assert _send(first, "answer Julie").startswith("ACK prenom")
        assert _send(first, "answer 06 12 34 56 78").startswith("ACK telephone")
        assert _send(first, "finish") == "FINISHED"
    finally:
        first.kill()
        first.wait(10)
    doc = store.load(dossier_id)
    assert doc["answers"] == {"nom": "Martin", "prenom": "Julie", "telephone": "06 12 34 56 78"}
    assert doc["interview"] is None


def test_an_interview_started_just_before_another_finished_loses_nothing(store: Store,
                                                                          now) -> None:
    """The reported race: B starts while A is about to finish; B is slowed down between its
    decision to open and its lease. B must read A's last answers (lease first, read after) or be
    refused — never save over them from a stale copy."""
    dossier_id = store.create_dossier(agent="Sophie", now=now)["id"]
    first = start_child("interview", str(store.root), dossier_id, "Sophie")
    env = dict(child_env(), STORE_TEST_DELAY_BEFORE_LEASE="2")
    second = None
    try:
        assert _read(first).startswith("STARTED")
        assert _send(first, "answer Martin").startswith("ACK nom")
        assert _send(first, "answer Julie").startswith("ACK prenom")
        second = start_child("interview", str(store.root), dossier_id, "Nadia", env=env)
        assert _read(second) == "WAITING"  # B decided to open the dossier, A still has it
        assert _send(first, "answer 06 12 34 56 78").startswith("ACK telephone")
        assert _send(first, "finish") == "FINISHED"  # A's last answers acknowledged
        started = _read(second)
        if started.startswith("STARTED"):
            assert "06 12 34 56 78" in started  # B's interview was built from A's answers
            assert _send(second, "correct nom Martin-Dubois").startswith("ACK nom")
            assert _send(second, "finish") == "FINISHED"
            expected_nom = "Martin-Dubois"
        else:  # A still had it when B's delay ended: refused, nothing written
            assert started.startswith("REFUSED"), started
            expected_nom = "Martin"
    finally:
        for child in (first, second):
            if child is not None:
                child.kill()
                child.wait(10)
    doc = store.load(dossier_id)
    assert doc["answers"] == {"nom": expected_nom, "prenom": "Julie",
                              "telephone": "06 12 34 56 78"}


def test_a_status_change_elsewhere_is_refused_during_an_interview(store: Store, now) -> None:
    dossier_id = store.create_dossier(agent="Sophie", now=now)["id"]
    first = start_child("interview", str(store.root), dossier_id, "Sophie")
    try:
        assert _read(first).startswith("STARTED")
        other = Store.open(store.root)
        for write in (lambda: other.set_status(dossier_id, "abandonne", agent="Karim"),
                      lambda: other.add_note(dossier_id, "note", agent="Karim"),
                      lambda: other.add_meeting(dossier_id, date="2026-03-03", avec="demandeur",
                                                partenaire=None, note="", agent="Karim")):
            try:
                write()
            except Exception as exc:  # noqa: BLE001 - checked just below
                assert "ouvert par Sophie" in str(exc)
            else:
                raise AssertionError("a write of another process went through")
        assert _send(first, "answer Martin").startswith("ACK nom")
        assert _send(first, "finish") == "FINISHED"
    finally:
        first.kill()
        first.wait(10)
    doc = store.load(dossier_id)
    assert doc["status"] == "premier_contact" and doc["notes"] == [] and doc["answers"] == {
        "nom": "Martin"}


def test_two_evaluations_started_at_once_change_the_status_once(store: Store, now) -> None:
    from intake_assistant.app.interviews import InterviewSession
    from intake_assistant.app.questionnaires import load_questionnaire_by_name
    from intake_assistant.store import DossierLockedError

    dossier_id = store.create_dossier(agent="Sophie", now=now)["id"]
    evaluation = load_questionnaire_by_name("evaluation")
    child = start_child("session", str(store.root), dossier_id, "Nadia")
    try:
        assert _read(child) == "OPEN"
        try:
            InterviewSession.start(evaluation, store=store, dossier_id=dossier_id, agent="Karim")
        except DossierLockedError:
            pass
        else:
            raise AssertionError("opened a dossier leased elsewhere")
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)
    assert store.load(dossier_id)["status"] == "premier_contact"  # untouched before the lease
    session = InterviewSession.start(evaluation, store=store, dossier_id=dossier_id,
                                     agent="Karim")
    session.close()
    history = store.load(dossier_id)["status_history"]
    assert [h["status"] for h in history] == ["premier_contact", "en_evaluation"]
