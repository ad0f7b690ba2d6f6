from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from intake_assistant.store import CorruptDossierError
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb.atomic_storage import HOST
from tests.platforms import POSIX_MODES

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


@POSIX_MODES
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


def test_lost_sequence_counter_restarts_after_highest_file(store: Store, now) -> None:
    for _ in range(3):
        store.create_dossier(agent="a", now=now)
    (store.sequences_dir / "2026").unlink()
    assert store.create_dossier(agent="a", now=now)["id"] == "D-2026-000004"


def test_listing_never_writes(store: Store, filled: list[str]) -> None:
    """Issue 11 §7: `list` neither writes nor compacts, even with a stale index."""
    shutil.rmtree(store.index_dir)
    store.index_dir.mkdir(mode=0o700)

    def snapshot() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_mtime_ns, p.stat().st_size)
                for p in store.root.rglob("*") if p.is_file()}

    before = snapshot()
    fresh = Store.open(store.root)
    assert _ids(fresh.list()) == sorted(filled)
    fresh.count()
    fresh.versions()
    fresh.list(search="lefevre")
    after = snapshot()
    assert after == before


def test_a_copy_that_keeps_times_is_not_re_read(store: Store, filled: list[str], tmp_path,
                                                monkeypatch) -> None:
    """Issue 16: after a copy or a restore (every inode new) the index trusts files whose size
    and time are those recorded, instead of re-reading every dossier."""
    from intake_assistant.store.tinydb.index import Index

    store.reindex()  # the snapshot is current
    reads: list[str] = []
    original = Index._reread
    monkeypatch.setattr(Index, "_reread",
                        lambda self, i, p: reads.append(i) or original(self, i, p))
    kept = tmp_path / "copie-a"
    shutil.copytree(store.root, kept)  # copy2: times kept
    assert _ids(Store.open(kept).list()) == sorted(filled)
    assert reads == []
    plain = tmp_path / "copie-b"
    shutil.copytree(store.root, plain, copy_function=shutil.copyfile)  # new times
    assert _ids(Store.open(plain).list()) == sorted(filled)
    assert sorted(reads) == sorted(filled)
