from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from intake_assistant.store import CorruptDossierError
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb.atomic_storage import HOST

PEOPLE = [
    {"nom": "Lefèvre", "prenom": "Hélène", "telephone": "06 12 34 56 78"},
    {"nom": "Martin", "prenom": "Julie", "telephone": "+33 7 11 22 33 44"},
    {"nom": "Le Gall", "prenom": "Jérôme", "telephone": "03 26 00 00 01"},
]


@pytest.fixture
def filled(store: Store, now) -> list[str]:
    ids = []
    for i, person in enumerate(PEOPLE):
        doc = store.create_dossier(agent="Sophie" if i < 2 else "Karim", answers=person,
                                   now=now + timedelta(days=i))
        ids.append(doc["id"])
    store.set_status(ids[1], "en_evaluation", agent="Nadia", now=now + timedelta(days=5))
    return ids


def _ids(entries) -> list[str]:
    return sorted(e.id for e in entries)


def test_search_ignores_case_and_accents(store: Store, filled: list[str]) -> None:
    assert _ids(store.list(search="lefevre")) == [filled[0]]
    assert _ids(store.list(search="HÉLÈNE LEFÈVRE")) == [filled[0]]
    assert _ids(store.list(search="jerome")) == [filled[2]]
    assert _ids(store.list(search="julie martin")) == [filled[1]]
    assert store.list(search="julie lefevre") == []


def test_search_by_phone_digits_and_id(store: Store, filled: list[str]) -> None:
    assert _ids(store.list(search="06 12 34")) == [filled[0]]
    assert _ids(store.list(search="07.11.22.33.44")) == [filled[1]]  # stored as +33 7 …
    assert _ids(store.list(search="0326000001")) == [filled[2]]
    assert _ids(store.list(search=filled[2])) == [filled[2]]


def test_filters_by_status_agent_and_dates(store: Store, filled: list[str], now) -> None:
    assert _ids(store.list(status="en_evaluation")) == [filled[1]]
    assert _ids(store.list(agent="karim")) == [filled[2]]
    day = now.date()
    assert _ids(store.list(date_from=day + timedelta(days=1))) == filled[1:]
    assert _ids(store.list(date_to=day)) == [filled[0]]
    entry = store.list(status="en_evaluation")[0]
    assert entry.last_contact == (day + timedelta(days=5)).isoformat()
    assert entry.to_dict()["telephone"] == "+33 7 11 22 33 44"


def test_index_entry_follows_answer_changes(store: Store, filled: list[str]) -> None:
    store.save_answer(filled[0], "nom", "Dupont", agent="a")
    store.save_answer(filled[0], "type_projet", "permis_b", agent="a")
    store.save_answer(filled[0], "montant_demande", 850, agent="a")
    entry = store.list(search="dupont")[0]
    assert (entry.id, entry.type_projet, entry.montant_demande) == (filled[0], "permis_b", 850)
    assert store.list(search="lefevre") == []


def test_other_process_writes_are_seen_by_a_loaded_index(tmp_path: Path, filled: list[str],
                                                         store: Store) -> None:
    assert len(store.list()) == 3
    other = Store.open(store.root)
    other.save_answer(filled[0], "nom", "Renard", agent="autre poste")
    other.create_dossier(agent="autre poste", answers={"nom": "Nouveau"})
    assert [e.nom for e in store.list(search="renard")] == ["Renard"]
    assert len(store.list()) == 4


def test_index_rebuilt_when_missing(store: Store, filled: list[str]) -> None:
    shutil.rmtree(store.index_dir)
    fresh = Store.open(store.root)
    assert _ids(fresh.list()) == sorted(filled)
    assert not (store.index_dir / "snapshot.json").exists()  # listing never writes
    fresh.save_answer(filled[0], "loyer", 400, agent="a")  # the next write rewrites the index
    assert (store.index_dir / "snapshot.json").exists()
    assert _ids(Store.open(store.root).list()) == sorted(filled)


def test_index_rebuilt_when_damaged(store: Store, filled: list[str]) -> None:
    store.list()  # writes a snapshot
    (store.index_dir / "snapshot.json").write_bytes(b"{ broken")
    (store.index_dir / "journal.jsonl").write_bytes(b'\n{"op": "put", "e": [1, 2\n')
    assert _ids(Store.open(store.root).list()) == sorted(filled)


def test_stale_entry_fixed_when_a_writer_died_before_its_index_line(store: Store,
                                                                     filled: list[str]) -> None:
    store.list()
    journal = store.index_dir / "journal.jsonl"
    before = journal.read_bytes()
    store.save_answer(filled[0], "nom", "Perdu", agent="a")
    journal.write_bytes(before)  # as if killed between the dossier write and the journal line
    assert [e.nom for e in Store.open(store.root).list(search=filled[0])] == ["Perdu"]


def test_dossier_restored_by_hand_is_indexed(store: Store, filled: list[str], tmp_path) -> None:
    store.list()
    path = store.dossiers_dir / "2026" / f"{filled[2]}.json"
    saved = tmp_path / "copy.json"
    shutil.copy(path, saved)
    store.forget(filled[2])
    assert store.list(search="gall") == []
    shutil.copy(saved, path)
    assert _ids(Store.open(store.root).list(search="gall")) == [filled[2]]


def test_corrupt_dossier_is_reported_by_name_and_never_overwritten(store: Store,
                                                                     filled: list[str]) -> None:
    path = store.dossiers_dir / "2026" / f"{filled[0]}.json"
    damaged = path.read_bytes()[:100]
    path.write_bytes(damaged)
    with pytest.raises(CorruptDossierError) as info:
        store.load(filled[0])
    assert info.value.path == path
    assert filled[0] in str(info.value) and "illisible" in str(info.value)
    with pytest.raises(CorruptDossierError):
        store.save_answer(filled[0], "nom", "X", agent="a")
    with pytest.raises(CorruptDossierError):
        store.set_status(filled[0], "abandonne", agent="a")
    assert path.read_bytes() == damaged
    fresh = Store.open(store.root)
    assert _ids(fresh.list()) == sorted(filled[1:])
    assert fresh.corrupt_files() == {filled[0]: str(path)}
    assert [d["id"] for d in fresh.iter_dossiers()] == filled[1:]


def test_orphan_temp_files_are_removed_at_start_but_not_live_ones(store: Store,
                                                                  filled: list[str]) -> None:
    folder = store.dossiers_dir / "2026"
    dead = folder / f".~{filled[0]}.json~{HOST}~999999999~abcd.tmp"
    live = folder / f".~{filled[1]}.json~{HOST}~{os.getppid()}~abcd.tmp"
    dead.write_bytes(b"half a dossier")
    live.write_bytes(b"being written")
    fresh = Store.open(store.root)
    assert dead in fresh.removed_temps
    assert not dead.exists() and live.exists()
    assert _ids(fresh.list()) == sorted(filled)


def test_files_are_private(store: Store, filled: list[str]) -> None:
    store.list()
    for folder, _, files in os.walk(store.root):
        assert os.stat(folder).st_mode & 0o777 == 0o700, folder
        for name in files:
            assert os.stat(Path(folder) / name).st_mode & 0o777 == 0o600, name


def test_journal_is_compacted_by_writers_when_it_grows(store: Store, filled: list[str]) -> None:
    store.reindex()
    journal = store.index.journal_path
    sizes = []
    for _ in range(2100):
        store.index.record(store.index.entries[filled[0]], store.index.sigs[filled[0]])
        sizes.append(journal.stat().st_size)
    assert sizes[0] > 100 and max(sizes) > 100 * 2000  # it grew, line by line
    assert len(journal.read_bytes().splitlines()) < 200  # then a write compacted it
    header = json.loads(journal.read_bytes().splitlines()[0])
    assert header["journal"] == json.loads(store.index.snapshot_path.read_bytes())["token"]
    assert _ids(Store.open(store.root).list()) == sorted(filled)


def test_date_field_choice(store: Store, filled: list[str], now) -> None:
    later = now.date() + timedelta(days=5)
    assert _ids(store.list(date_from=later, date_field="last_contact")) == [filled[1]]
    assert store.list(date_from=date(2030, 1, 1)) == []
