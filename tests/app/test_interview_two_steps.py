"""An answer in two steps (the TUI paints the next question before the disk answers): the engine
takes it at once, `save()` makes it durable or puts the interview back; nothing else meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_assistant.app.interviews import AnswerNotSaved, InterviewSession
from intake_assistant.core.linter import load_questionnaire
from intake_assistant.store import StoreError, open_store

SAISIE = Path(__file__).parents[1] / "store" / "fixtures" / "saisie.yaml"


def test_answer_taken_now_saved_when_asked(tmp_path: Path) -> None:
    store = open_store(tmp_path / "base")
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store, agent="Sophie")
    result, save = session.answer_unsaved("Martin")
    assert result.accepted and session.unsaved
    assert session.interview.current_step().path == "prenom"  # the next question, at once
    assert store.load(session.dossier_id)["answers"].get("nom") is None  # not on disk yet
    with pytest.raises(RuntimeError):
        session.answer("Julie")  # no other intent before the save has returned
    save()
    assert not session.unsaved
    assert store.load(session.dossier_id)["answers"]["nom"] == "Martin"
    save()  # once only
    session.answer("Julie")
    assert store.load(session.dossier_id)["answers"]["prenom"] == "Julie"
    session.finish()


def test_failed_second_step_puts_the_interview_back(tmp_path: Path, monkeypatch) -> None:
    store = open_store(tmp_path / "base")
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store, agent="Sophie")
    before = (dict(session.interview.answers), len(session.interview.events))

    def full(*args, **kwargs):
        raise StoreError("Disque plein.")

    monkeypatch.setattr(store, "save_answers", full)
    result, save = session.mark_unknown_unsaved()
    assert result.accepted and session.interview.current_step().path == "prenom"
    with pytest.raises(AnswerNotSaved, match="Disque plein."):
        save()
    assert not session.unsaved
    assert session.interview.current_step().path == "nom"  # the same question again
    assert (dict(session.interview.answers), len(session.interview.events)) == before
    session.close()
