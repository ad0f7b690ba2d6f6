"""Statistics records kept current at save time (app/records_upkeep.py): after an answer, a
status change, a note… made through the application layer, the next statistics run finds every
record current and builds none; an erased person's record does not come back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from intake_assistant.app import dossiers as actions
from intake_assistant.app import privacy
from intake_assistant.app.interviews import InterviewSession
from intake_assistant.app.records_upkeep import UPKEEP
from intake_assistant.core import lifecycle
from intake_assistant.core.linter import load_questionnaire
from intake_assistant.orientation.build import default_policy
from intake_assistant.reports import cache
from intake_assistant.reports.stats import compute_stats, store_stats
from intake_assistant.store import open_store
from intake_assistant.store.demo_data import generate_dossiers

SAISIE = Path(__file__).parents[1] / "store" / "fixtures" / "saisie.yaml"
TODAY = date(2026, 6, 30)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "base")
    s.import_dossiers(generate_dossiers(40, seed=5,
                                        now=datetime(2026, 6, 30, 12, 0).astimezone()))
    return s


@pytest.fixture
def builds(monkeypatch):
    """How many records the statistics build (a spy around the real build_record)."""
    counted = {"n": 0}
    real = cache.build_record

    def counting(doc, policy):
        counted["n"] += 1
        return real(doc, policy)

    monkeypatch.setattr(cache, "build_record", counting)
    return counted


def open_one(store, skip: set[str]) -> str:
    """A dossier that may still be abandoned."""
    return next(i for i in sorted(store.versions()) if i not in skip
                and "abandonne" in lifecycle.allowed_next(store.load(i)["status"]))


def run_stats(store):
    return store_stats(store, date_from=None, date_to=None, today=TODAY, min_group=0)


def cached_tokens(store) -> dict[str, str]:
    with cache.closing(cache.sqlite3.connect(cache.cache_path(store))) as db:
        return dict(db.execute("SELECT id, token FROM records"))


def test_answers_and_status_changes_leave_nothing_to_rebuild(store, builds):
    run_stats(store)  # the cache exists (first run: every record built)
    assert builds["n"] == 40
    ids = sorted(store.versions())
    session = InterviewSession.start(load_questionnaire(SAISIE), store=store,
                                     dossier_id=ids[0], agent="Sophie")
    session.answer("Martin")
    session.answer("Julie")
    session.finish()
    actions.set_status(store, open_one(store, {ids[0]}), "abandonne", agent="Nadia")
    actions.add_note(store, ids[2], "rappeler lundi", agent="Nadia")
    assert UPKEEP.flush(timeout=60)
    assert cached_tokens(store) == store.versions()  # every saved dossier's new token
    builds["n"] = 0
    refreshed = run_stats(store)
    assert builds["n"] == 0  # nothing rebuilt
    # and the statistics are those of the dossiers as they are now
    policy = default_policy()
    assert refreshed == compute_stats([store.load(i) for i in ids], date_from=None,
                                      date_to=None, today=TODAY, min_group=0, policy=policy)


def test_no_cache_yet_nothing_is_written(store):
    actions.set_status(store, open_one(store, set()), "abandonne", agent="Nadia")
    assert UPKEEP.flush(timeout=60)
    assert not cache.cache_path(store).exists()  # the first statistics run builds it all


def test_a_forgotten_dossier_keeps_no_record(store, builds):
    run_stats(store)
    target = sorted(store.versions())[3]
    actions.add_note(store, target, "avant l'effacement", agent="Nadia")
    privacy.forget(store, target)  # the refresh may still be pending: it must not bring it back
    assert UPKEEP.flush(timeout=60)
    assert target not in cached_tokens(store)
    assert target.encode() not in cache.cache_path(store).read_bytes()


def test_a_cache_of_other_policy_files_is_left_to_the_next_run(store):
    run_stats(store)
    with cache.closing(cache.sqlite3.connect(cache.cache_path(store))) as db, db:
        db.execute("UPDATE meta SET value = 'autre' WHERE key = 'policy'")
    target = open_one(store, set())
    before = cached_tokens(store)[target]
    actions.set_status(store, target, "abandonne", agent="Nadia")
    assert UPKEEP.flush(timeout=60)
    # not refreshed with these parameters: the next run rebuilds every record anyway
    assert cached_tokens(store)[target] == before != store.versions()[target]


def test_every_write_of_the_guarded_store_keeps_its_record_current(store, builds, monkeypatch):
    """Casework and follow-up write through the guarded store (per-aid decisions, fields,
    rows…): whichever intent it is, the record is refreshed at save time too."""
    from intake_assistant.app import access
    from intake_assistant.app.agents import add_agent

    run_stats(store)
    add_agent(store, "nadia", "Nadia Benali", "travailleur_social")
    monkeypatch.setattr(access.getpass, "getuser", lambda: "nadia")
    guarded = access.GuardedStore(store, access.authenticate(store))
    ids = sorted(store.versions())
    guarded.set_fields(ids[4], evaluation_sociale="situation stable")
    guarded.append_rows(ids[5], "decisions", [{"aid": "microcredit", "decision": "accorde",
                                               "date": "2026-06-29", "montant": 1500}])
    guarded.add_meeting(ids[6], date="2026-06-29", avec="demandeur", partenaire=None,
                        note="point budget")
    assert UPKEEP.flush(timeout=60)
    assert cached_tokens(store) == store.versions()
    builds["n"] = 0
    run_stats(store)
    assert builds["n"] == 0
