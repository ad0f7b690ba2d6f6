"""The in-memory search table (search_table.py): the same answers as the SQLite scan, current
after any process's write, and nothing of an erased person kept."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest

from intake_assistant.store.demo_data import generate_dossiers
from intake_assistant.store.index_entry import Query, search_key
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb import search_table

SEARCHES = ["le", "a", "e", "lefevre", "LEFÈVRE hélène", "martin julie", "julie martin",
            "jean", "mar tin", "d 2025", "d-2025-000002", "06", "06 12", "+33 7 11 22",
            "0711223344", "2025", "000002", "personne", "-", "'", " / ", "ma", "ou", "é"]


@pytest.fixture
def many(store: Store, now) -> Store:
    """Demo dossiers and a few written names, statuses spread."""
    store.import_dossiers(generate_dossiers(400, seed=7, now=now), durable=False)
    people = [{"nom": "Lefèvre", "prenom": "Hélène", "telephone": "06 12 34 56 78"},
              {"nom": "Martin", "prenom": "Julie", "telephone": "+33 7 11 22 33 44"},
              {"nom": "Vaudrevange", "prenom": "Jérôme", "telephone": "03 26 00 00 01"}]
    for i, person in enumerate(people):
        store.create_dossier(agent="Sophie", answers=person, now=now + timedelta(days=i))
    return store


def _prepared(store: Store) -> Store:
    store.prepare_search()
    assert store.index.wait_search_table(60)
    return store


def _brute(store: Store, search: str) -> list[str]:
    """What `Query` matches, entry by entry, most recently updated first."""
    query = Query(search)
    entries = [e for e in store.list() if query.matches(search_key(e))]
    return [e.id for e in entries]


def _answers(store: Store, search: str) -> tuple[object, ...]:
    counts = store.count_by_status(search=search)
    listed = [e.id for e in store.list(search=search)]
    first = [e.id for e in store.list(search=search, limit=7)]
    statuses = {s: [e.id for e in store.list(search=search, status=s, limit=5)]
                for s in ("premier_contact", "clos", "accorde")}
    return counts, listed, first, statuses


@pytest.mark.parametrize("chunk", [search_table.CHUNK, 7])
def test_the_table_answers_what_the_sql_scan_answers(many: Store, chunk: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_table, "CHUNK", chunk)  # 7: read in 58 statements
    scanned = Store.open(many.root)  # never prepared: scans SQLite
    table = _prepared(Store.open(many.root))
    for search in SEARCHES:
        assert _answers(table, search) == _answers(scanned, search), search
        assert table.index._found is not None and table.index._found[0][0] == search
        listed = [e.id for e in table.list(search=search)]
        assert listed == _brute(table, search), search
        assert table.count_by_status(search=search) == dict(
            Counter(e.status for e in table.list(search=search))), search


def test_many_matches_are_counted_by_sql_and_listed_from_the_table(
        many: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_table, "MAX_HITS", 20)
    scanned = Store.open(many.root)
    table = _prepared(Store.open(many.root))
    for search in ("a", "e", "le", "06", "-"):
        assert _answers(table, search) == _answers(scanned, search), search
        assert not table.index._found[1].complete, search  # type: ignore[index]


def test_a_search_sees_every_process_write_at_once(many: Store, now) -> None:
    table = _prepared(many)
    other = Store.open(many.root)  # another process, as far as the index can tell
    assert table.list(search="ozymandias") == []
    target = table.list(search="lefevre helene")[0].id
    other.save_answer(target, "nom", "Ozymandias", agent="autre poste")
    assert [e.id for e in table.list(search="ozymandias helene")] == [target]
    assert table.list(search="lefevre helene") == []
    created = other.create_dossier(agent="autre poste", answers={
        "nom": "Zéphyrin", "telephone": "06 99 88 77 66"}, now=now + timedelta(days=40))
    assert [e.id for e in table.list(search="zephyrin")] == [created["id"]]
    assert [e.id for e in table.list(search="0699887766")] == [created["id"]]
    assert table.list(search="ozymandias", limit=1)[0].id == target
    table.save_answer(created["id"], "nom", "Yvain", agent="ici")  # this process writes
    assert [e.id for e in table.list(search="yvain")] == [created["id"]]
    assert table.count_by_status(search="zephyrin") == {}
    assert table.index._table is not None  # all of it answered by the table, kept current
    assert [e.id for e in table.list(search="yvain")] == _brute(table, "yvain")


def test_an_erased_person_is_not_found_nor_kept(many: Store) -> None:
    table = _prepared(many)
    other = Store.open(many.root)
    gone = table.list(search="vaudrevange jerome")[0].id
    kept = [e.id for e in table.list(search="lefevre")]
    other.forget(gone)
    assert table.list(search="vaudrevange") == []
    assert table.count_by_status(search="vaudrevange") == {}
    assert [e.id for e in table.list(search="lefevre")] == kept
    assert table.index.wait_search_table(60)  # a new snapshot, without the erased name
    snapshot = table.index._table.snapshot  # type: ignore[union-attr]
    assert gone not in snapshot.ids
    assert not any("vaudrevange" in chunk.text for chunk in snapshot.chunks)
    assert table.list(search="vaudrevange") == []
    for name in os.listdir(many.index_dir):  # the change log keeps neither name nor id
        data = (many.index_dir / name).read_bytes()
        assert b"Vaudrevange" not in data and b"vaudrevange" not in data
        assert gone.encode() not in data


def test_an_index_made_anew_is_not_read_with_the_old_table(many: Store) -> None:
    """Another version of the code remakes the index in place: its change log starts again
    at 1, so the table must not take the new log for the continuation of the old one."""
    table = _prepared(many)
    target = table.list(search="lefevre helene")[0].id
    for _ in range(3):  # the old log goes further than the new one will
        table.save_answer(target, "loyer", 400, agent="a")
    assert [e.id for e in table.list(search="lefevre helene")] == [target]  # read the log
    other = Store.open(many.root)
    db = other.index._connect()
    db.execute("UPDATE meta SET value = 'autre' WHERE key = 'format'")
    other.index._create(db)
    other.reindex()
    other.save_answer(target, "nom", "Ozymandias", agent="autre version")
    assert [e.id for e in table.list(search="ozymandias")] == [target]
    assert table.index.wait_search_table(60)
    assert [e.id for e in table.list(search="ozymandias")] == [target]
    assert table.index._found is not None  # the new snapshot answers
