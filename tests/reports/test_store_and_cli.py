"""Statistics through a store: the record cache follows changes, the CLI writes Excel CSV."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import sys
from contextlib import closing
from datetime import datetime

import pytest

from intake_assistant.cli import main
from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.reports import stats as stats_module
from intake_assistant.reports.cache import cache_path
from intake_assistant.reports.records import (
    CODE_STATUSES,
    answers_day,
    orientation_statuses,
)
from intake_assistant.reports.stats import compute_stats, store_stats
from intake_assistant.store.demo_data import generate_dossiers
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.reports.conftest import NAME, PERIOD, TODAY


@pytest.fixture
def store(tmp_path, dossiers):
    s = Store.open(tmp_path / "base", lock_timeout=2.0)
    s.import_dossiers(dossiers)
    return s


def summary(store, policy, min_group=0):
    return store_stats(store, date_from=PERIOD[0], date_to=PERIOD[1], today=TODAY,
                       min_group=min_group, policy=policy)


def test_store_stats_equal_compute_stats_and_cache_follows_changes(store, dossiers, policy):
    first = summary(store, policy)
    assert first == compute_stats(dossiers, date_from=PERIOD[0], date_to=PERIOD[1],
                                  today=TODAY, min_group=0, policy=policy)
    assert cache_path(store).exists()
    assert NAME.encode() not in cache_path(store).read_bytes()
    assert summary(store, policy) == first  # from the cache
    a1 = next(e.id for e in store.list() if e.created_at.startswith("2026-01-05"))
    store.set_status(a1, "en_evaluation", agent="Nadia Benali",
                     now=datetime(2026, 6, 1, 9, 0).astimezone())
    changed = summary(store, policy)
    funnel = {r["etape"]: r["dossiers"] for r in changed["tables"]["parcours"]["rows"]}
    assert funnel["Évaluations"] == 8
    store.forget(a1)
    assert summary(store, policy)["summary"]["requests"] == 8


def test_a_warm_run_compares_only_the_dossiers_changed_since_its_mark(
        store, dossiers, policy, monkeypatch):
    asked: list[object] = []
    versions = store.versions

    def spy(dossier_ids=None):
        asked.append(None if dossier_ids is None else sorted(dossier_ids))
        return versions(dossier_ids)

    monkeypatch.setattr(store, "versions", spy)

    def expected():
        return compute_stats(list(store.iter_dossiers()), date_from=PERIOD[0],
                             date_to=PERIOD[1], today=TODAY, min_group=0, policy=policy)

    first = summary(store, policy)
    assert asked == [None]  # no mark yet: every token compared
    assert summary(store, policy) == first
    assert asked[-1] == []  # nothing changed since the mark: no token fetched
    a1 = next(e.id for e in store.list() if e.created_at.startswith("2026-01-05"))
    store.set_status(a1, "en_evaluation", agent="Nadia Benali",
                     now=datetime(2026, 6, 1, 9, 0).astimezone())
    changed = summary(store, policy)
    assert asked[-1] == [a1] and changed != first and changed == expected()
    gone = next(e.id for e in store.list() if e.id != a1)
    store.forget(gone)  # an erasure is not named by the log: every token compared again
    assert summary(store, policy) == expected() and asked[-1] is None
    with closing(sqlite3.connect(cache_path(store))) as db, db:  # other parameter files
        db.execute("UPDATE meta SET value = 'autre' WHERE key = 'policy'")
    asked.clear()
    assert summary(store, policy) == expected() and asked == [None]  # every record anew


def test_fast_orientation_agrees_with_evaluate(policy):
    docs = list(generate_dossiers(150, seed=7, now=datetime(2026, 6, 30, 12, 0).astimezone()))
    rng = random.Random(3)
    for doc in docs:
        if rng.random() < 0.3 and doc["answers"]:  # also answers marked unknown
            key = rng.choice(sorted(doc["answers"]))
            doc["answers"].pop(key)
            doc["unknown"] = [*doc["unknown"], key]
        day = answers_day(doc)
        codes = orientation_statuses(doc["answers"], doc["unknown"], policy, day)
        full = evaluate(doc["answers"], policy, day, doc["unknown"])
        expected = {s.aid: s.status for s in full.suggestions}
        assert [CODE_STATUSES[c] for c in codes] == [expected[a.id] for a in policy.aids]


def read_excel_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the accents right
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_cli_csv_one_file_per_table(store, tmp_path, capsys):
    out = tmp_path / "csv"
    code = main(["stats", "--db", str(store.root), "--from", "2026-01-01", "--to", "2026-06-30",
                 "--today", "2026-06-30", "--format", "csv", "-o", str(out)])
    assert code == 0
    assert len(list(out.glob("*.csv"))) == 12  # with decisions_par_aide and motifs
    amounts = read_excel_csv((out / "montants.csv").read_bytes())
    assert amounts[0] == ["Montant", "Dossiers", "Total (€)", "Médiane (€)"]
    assert amounts[1] == ["Montant demandé", "9", "7800", "900"]
    assert amounts[2] == ["Montant accordé", "< 5", "", ""]
    delays = read_excel_csv((out / "delais.csv").read_bytes())
    assert delays[1] == ["Premier contact → évaluation", "7", "7", "14"]
    parcours = read_excel_csv((out / "parcours.csv").read_bytes())
    assert parcours[2] == ["Évaluations", "7", "77,8"]  # decimal comma, percent points
    for path in out.glob("*.csv"):
        assert NAME.encode() not in path.read_bytes()


def test_cli_csv_single_table_to_stdout_and_json(store, capsysbinary):
    code = main(["stats", "--db", str(store.root), "--from", "2026-01-01", "--to", "2026-06-30",
                 "--today", "2026-06-30", "--format", "csv", "--table", "type_projet",
                 "--seuil", "1"])
    assert code == 0
    table = read_excel_csv(capsysbinary.readouterr().out)
    assert table[1] == ["Permis B", "6", "66,7", "2"]
    assert table[2] == ["Électroménager", "3", "33,3", "0"]
    main(["stats", "--db", str(store.root), "--from", "2026-01-01", "--to", "2026-06-30",
          "--today", "2026-06-30", "--format", "json"])
    result = json.loads(capsysbinary.readouterr().out.decode())
    assert result["summary"] == {"requests": 9, "requests_year_before": 6, "growth": 0.5}
    assert result["tables"]["type_projet"]["rows"][1]["demandes"] == "< 5"


def test_the_stats_command_gives_the_collector_back_as_it_found_it(store, capsysbinary,
                                                                  monkeypatch):
    """Off while the records are read (none of them in a cycle), then on again: `main` may run
    in a process that goes on (these tests, an embedder)."""
    import gc

    seen: list[bool] = []
    aggregate = stats_module.aggregate

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return aggregate(*args, **kwargs)

    monkeypatch.setattr(stats_module, "aggregate", watching)
    assert gc.isenabled()
    assert main(["stats", "--db", str(store.root), "--format", "json"]) == 0
    assert seen == [False] and gc.isenabled()
    gc.disable()  # someone else's choice: left alone
    try:
        assert main(["stats", "--db", str(store.root), "--format", "json"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cli_refuses_csv_without_destination(store, capsys):
    assert main(["stats", "--db", str(store.root), "--format", "csv"]) == 2
    assert "indiquez un dossier" in capsys.readouterr().err


@pytest.mark.parametrize("forked", [
    pytest.param(True, marks=pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="workers are forked on Linux only")),
    False])
def test_parallel_cold_build_gives_the_same_statistics(store, dossiers, policy, monkeypatch,
                                                        forked):
    """Above PARALLEL_FROM records to build, worker processes share the work: same figures,
    whether they are forked (the policy inherited) or spawned (the policy built again)."""
    from intake_assistant.reports import cache

    sequential = summary(store, policy)
    cache_path(store).unlink()
    monkeypatch.setattr(cache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(cache, "_CHUNK", 3)
    monkeypatch.setattr(cache, "_TAIL", 2)
    monkeypatch.setattr(cache, "_may_fork", lambda: forked)
    assert summary(store, policy) == sequential
    assert cache_path(store).exists()


@pytest.mark.parametrize("count", [0, 1, 99, 1000, 1001, 1499, 2500, 50_001])
def test_the_last_chunks_of_a_parallel_build_are_small(count) -> None:
    """Every id once, in order; the last `workers` chunks' worth in chunks of _TAIL, so that
    the workers run out of work within one small chunk of each other."""
    from intake_assistant.reports.cache import _CHUNK, _TAIL, _chunks

    ids = [f"D-2026-{i:06d}" for i in range(count)]
    chunks = _chunks(ids, 2)
    assert [i for chunk in chunks for i in chunk] == ids
    assert all(0 < len(chunk) <= _CHUNK for chunk in chunks)
    small = [chunk for chunk in chunks if len(chunk) <= _TAIL]
    assert sum(map(len, small)) >= min(count, 2 * _CHUNK)
    assert all(len(chunk) <= _TAIL for chunk in chunks[len(chunks) - len(small):])


def test_a_record_has_exactly_the_cached_fields(store, dossiers, policy) -> None:
    """The cache stores records as rows of RECORD_FIELDS: a key added to a record and not to
    the list would be lost from the cache."""
    from intake_assistant.reports.records import RECORD_FIELDS, build_record

    for doc in store.iter_dossiers():
        assert tuple(build_record(doc, policy)) == RECORD_FIELDS


def test_a_damaged_cache_file_is_rebuilt_not_trusted(store, dossiers, policy) -> None:
    import sqlite3

    first = summary(store, policy)
    path = cache_path(store)
    with sqlite3.connect(path) as db:  # a row that is no record, a token that matches nothing
        ids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id LIMIT 2")]
        db.execute("UPDATE records SET r_created = 12 WHERE id = ?", (ids[0],))
        db.execute("UPDATE records SET token = 'x', r_stage = 'n''importe quoi' WHERE id = ?",
                   (ids[1],))
    db.close()
    assert summary(store, policy) == first
    path.write_bytes(b"pas une base" * 1000)  # the whole file damaged
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    assert summary(store, policy) == first


def test_a_damaged_row_met_by_a_warm_run_is_rebuilt_and_every_day_still_counted(
        store, dossiers, policy) -> None:
    """After a run the cache has its mark: the next compares no token, yet a row of the period
    that is no record (decisions not a list) is still rebuilt, and the first-contact days of
    every record (not only of the rebuilt one) still make the monthly table."""
    first = summary(store, policy)
    low, high = PERIOD[0].isoformat(), PERIOD[1].isoformat()
    with closing(sqlite3.connect(cache_path(store))) as db, db:
        assert db.execute("SELECT value FROM meta WHERE key = 'store_mark'").fetchone()
        target = db.execute("SELECT id FROM records WHERE r_created >= ? AND r_created <= ? "
                            "ORDER BY id LIMIT 1", (low, high)).fetchone()[0]
        db.execute("UPDATE records SET r_aids = 'pas une liste' WHERE id = ?", (target,))
    assert summary(store, policy) == first
    with closing(sqlite3.connect(cache_path(store))) as db:
        assert db.execute("SELECT r_aids FROM records WHERE id = ?", (target,)
                          ).fetchone()[0] != "pas une liste"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_are_forked_only_beside_threads_known_to_be_safe(tmp_path) -> None:
    """A command (one thread, the store's cleanup asleep beside it) forks its workers; a
    process with other threads (the TUI) spawns them: forking it could copy a held lock."""
    import subprocess
    import textwrap

    code = textwrap.dedent(f"""
        import threading
        from intake_assistant.reports import cache
        from intake_assistant.store import open_store
        open_store({str(tmp_path / 'base')!r})
        alone = cache._may_fork()
        stop = threading.Event()
        threading.Thread(target=stop.wait, name="worker").start()
        beside = cache._may_fork()
        stop.set()
        print(alone, beside)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]
