"""Which phone intakes are unfinished, told once per dossier version across runs (app/
intake_cache.py): a later launch replays none of them, a changed dossier is replayed, an erased
person's id leaves the file, a damaged file costs only replays."""

from __future__ import annotations

from datetime import datetime

import pytest

from intake_assistant.app import intake_cache, intake_progress, privacy
from intake_assistant.app.home import home_listing
from intake_assistant.store import open_store

NOW = datetime(2026, 6, 30, 10, 0).astimezone()


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "base")
    for name in ("Martin", "Durand", "Petit"):
        s.create_dossier(agent="Sophie", questionnaire="accueil_telephonique",
                         answers={"nom": name}, now=NOW)
    return s


@pytest.fixture
def replays(monkeypatch):
    """The dossiers replayed (a spy around the real replay); the in-memory cache emptied, as in
    a new process."""
    seen: list[str] = []
    real = intake_progress.intake_finished

    def spy(store, dossier_id, today=None):
        seen.append(dossier_id)
        return real(store, dossier_id, today)

    monkeypatch.setattr(intake_progress, "intake_finished", spy)
    intake_progress._finished_cache.clear()
    yield seen
    intake_progress._finished_cache.clear()


def check(store) -> dict[str, bool | None]:
    listing = home_listing(store, search=None, status=None)
    return {r.id: r.intake_finished for r in
            intake_progress.with_intakes_checked(store, listing).rows}


def test_a_new_run_replays_only_what_changed(store, replays) -> None:
    first = check(store)
    assert first and set(first.values()) == {False}  # a name only: left before the end
    assert sorted(replays) == sorted(first)
    intake_progress._finished_cache.clear()  # another launch
    replays.clear()
    assert check(store) == first
    assert replays == []
    changed = sorted(first)[1]
    store.save_answer(changed, "prenom", "Léa", agent="Sophie")
    intake_progress._finished_cache.clear()
    assert check(store) == first
    assert replays == [changed]


def test_an_erased_dossier_leaves_the_file(store, replays) -> None:
    told = check(store)
    target = sorted(told)[0]
    path = store.derived_dir(intake_cache.FOLDER) / intake_cache.NAME
    assert target.encode() in path.read_bytes()
    privacy.forget(store, target)
    for suffix in ("", "-wal"):
        file = path.with_name(path.name + suffix)
        assert not file.exists() or target.encode() not in file.read_bytes()


def test_a_damaged_file_costs_replays_only(store, replays) -> None:
    first = check(store)
    path = store.derived_dir(intake_cache.FOLDER) / intake_cache.NAME
    path.write_bytes(b"pas une base SQLite" * 100)
    intake_progress._finished_cache.clear()
    replays.clear()
    assert check(store) == first
    assert sorted(replays) == sorted(first)
    intake_progress._finished_cache.clear()
    replays.clear()
    assert check(store) == first and replays == []  # kept again


def test_an_empty_intake_erased_on_leaving_leaves_the_file(store, replays) -> None:
    from intake_assistant.app.interviews import InterviewSession
    from intake_assistant.app.questionnaires import load_questionnaire_by_name

    session = InterviewSession.start(load_questionnaire_by_name("accueil_telephonique"),
                                     store=store, agent="Sophie")
    assert session.dossier_id in check(store)  # a list shown meanwhile told it
    path = store.derived_dir(intake_cache.FOLDER) / intake_cache.NAME
    assert session.dossier_id.encode() in path.read_bytes()
    assert session.finish().erased
    for suffix in ("", "-wal"):
        file = path.with_name(path.name + suffix)
        assert not file.exists() or session.dossier_id.encode() not in file.read_bytes()
