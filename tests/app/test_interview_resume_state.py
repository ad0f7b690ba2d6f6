"""The interview session keeps its resume state with the dossier (issue 11 §9): marked in
progress when it opens, the typed draft saved with the dossier, both cleared when it finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_assistant.app.interviews import InterviewSession
from intake_assistant.core.linter import load_questionnaire
from intake_assistant.store import open_store
from intake_assistant.store.errors import StoreUnavailableError

SAISIE = Path(__file__).parents[1] / "store" / "fixtures" / "saisie.yaml"


def test_marker_and_draft_live_with_the_dossier(tmp_path: Path) -> None:
    store = open_store(tmp_path / "base")
    questionnaire = load_questionnaire(SAISIE)
    session = InterviewSession.start(questionnaire, store=store, agent="Sophie")
    doc = store.load(session.dossier_id)
    assert doc["interview"] is not None and doc["interview"]["questionnaire"] == "saisie_test"
    assert doc["interview"]["agent"] == "Sophie"
    session.answer("Martin")
    session.save_draft("prenom", "Jul")
    draft = store.load(session.dossier_id)["draft"]
    assert draft is not None and (draft["path"], draft["text"]) == ("prenom", "Jul")
    session.close()  # the app stopped without finishing: offered again with its draft
    found = store.interrupted_interviews("Sophie")
    assert [(i["dossier_id"], i["questionnaire"]) for i in found] == [
        (session.dossier_id, "saisie_test")]
    assert found[0]["draft"] is not None and found[0]["draft"]["text"] == "Jul"
    again = InterviewSession.start(questionnaire, store=store, dossier_id=session.dossier_id,
                                   agent="Sophie")
    again.answer("Julie")
    again.save_draft("telephone", "")  # an empty text clears the draft
    assert store.load(session.dossier_id)["draft"] is None
    assert again.finish().erased is False
    after = store.load(session.dossier_id)
    assert after["interview"] is None and after["draft"] is None
    assert after["answers"] == {"nom": "Martin", "prenom": "Julie"}
    assert store.interrupted_interviews("Sophie") == []


def test_an_empty_interview_leaves_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "base")
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store, agent="Sophie")
    assert session.finish().erased is True
    assert store.count() == 0 and store.interrupted_interviews("Sophie") == []


def test_an_empty_interview_is_erased_while_still_leased(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Erased before the lease is given back (no other session opens it in between), without
    a durable write first to clear the marker of a file about to go."""
    store = open_store(tmp_path / "base")
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store, agent="Sophie")
    seen: list[bool] = []  # whether the lease was still held when the erasure began
    forget = store.forget
    monkeypatch.setattr(store, "forget", lambda i: (seen.append(not session.lease.closed),
                                                    forget(i))[1])
    monkeypatch.setattr(store, "end_interview", lambda *a, **k: pytest.fail("marker written"))
    assert session.finish().erased is True
    assert seen == [True] and session.lease.closed
    assert store.count() == 0 and store.interrupted_interviews("Sophie") == []
    left = [p.relative_to(store.root).as_posix() for p in store.root.rglob("*")
            if session.dossier_id in p.name]
    assert left == []  # no lease, lock or dossier file names it (the lease given back after)


def test_an_empty_interview_whose_erasure_is_refused_is_closed_as_any(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "base")
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store, agent="Sophie")

    def refused(dossier_id: str) -> None:
        raise StoreUnavailableError("Le disque est plein.")

    monkeypatch.setattr(store, "forget", refused)
    assert session.finish().erased is False
    kept = store.load(session.dossier_id)
    assert kept["interview"] is None  # marker cleared: not offered again as interrupted
    assert store.open_by(session.dossier_id) is None
    assert store.interrupted_interviews("Sophie") == []
