"""TinyDB: what the index tells and keeps across changes. The marks of `changes_since` come
from its log of changes (its epoch and sequence number), so they name exactly the dossiers
changed and refuse a mark of another index; its counts are kept until it changes."""

from __future__ import annotations

from datetime import datetime

from intake_assistant.store.tinydb import TinyDBStore, search_table


def _store(tmp_path, name="base") -> TinyDBStore:
    return TinyDBStore.open(tmp_path / name, lock_timeout=2.0)


def test_the_changed_dossiers_are_named_in_id_order(tmp_path) -> None:
    now = datetime(2026, 3, 2, 9, 0).astimezone()
    store = _store(tmp_path)
    ids = [store.create_dossier(agent="x", now=now)["id"] for _ in range(4)]
    mark, _ = store.changes_since(None)
    store.save_answer(ids[2], "nom", "Martin", agent="x")
    store.set_status(ids[0], "en_evaluation", agent="x", now=now)
    store.save_answer(ids[2], "prenom", "Léa", agent="x")
    after, changed = store.changes_since(mark)
    assert changed == [ids[0], ids[2]]
    assert store.changes_since(after) == (after, [])
    other = _store(tmp_path, "autre")  # another index: its own epoch
    assert other.changes_since(after)[1] is None


def test_a_mark_older_than_the_kept_log_cannot_tell(tmp_path, monkeypatch) -> None:
    now = datetime(2026, 3, 2, 9, 0).astimezone()
    store = _store(tmp_path)
    first = store.create_dossier(agent="x", now=now)["id"]
    mark, _ = store.changes_since(None)
    monkeypatch.setattr("intake_assistant.store.tinydb.index.LOG_KEPT", 3)
    assert search_table.LOG_KEPT > 3  # only the check is narrowed, not the triggers
    for value in range(3):
        store.save_answer(first, "nom", f"Martin {value}", agent="x")
    assert store.changes_since(mark)[1] is None


def test_counts_kept_between_changes_follow_this_process_and_another(tmp_path) -> None:
    """The index keeps its counts until it changes (the home list asks for two at each
    search): a dossier made here or by another process is counted at once."""
    now = datetime(2026, 3, 2, 9, 0).astimezone()
    here, other = _store(tmp_path), _store(tmp_path)
    here.create_dossier(agent="x", now=now)
    assert here.count() == 1 and here.count(status="premier_contact") == 1
    made = here.create_dossier(agent="x", now=now)["id"]
    assert here.count() == 2 and here.count(status="premier_contact") == 2
    other.create_dossier(agent="y", now=now)
    assert here.count() == 3 and here.count(status="premier_contact") == 3
    here.set_status(made, "en_evaluation", agent="x", now=now)
    assert here.count(status="premier_contact") == 2
    assert here.count(status="en_evaluation") == 1 and here.count() == 3
    other.forget(made)
    assert here.count() == 2 and here.count(status="en_evaluation") == 0
