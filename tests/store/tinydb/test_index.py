from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from intake_assistant.store import CorruptDossierError, dossier_version
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb import index as index_module
from intake_assistant.store.tinydb import store as store_module
from intake_assistant.store.tinydb.atomic_storage import HOST
from intake_assistant.store.tinydb.index import DB_NAME, Index
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
    store.index.close()
    shutil.rmtree(store.index_dir)
    fresh = Store.open(store.root)
    assert _ids(fresh.list()) == sorted(filled)
    assert (store.index_dir / DB_NAME).exists()
    assert _ids(Store.open(store.root).list()) == sorted(filled)


def test_index_rebuilt_when_damaged(store: Store, filled: list[str]) -> None:
    store.list()
    store.index.close()
    for name in os.listdir(store.index_dir):
        if name.startswith(DB_NAME):
            (store.index_dir / name).write_bytes(b"pas une base SQLite" * 100)
    assert _ids(Store.open(store.root).list()) == sorted(filled)


def test_an_old_json_index_is_replaced_and_removed(store: Store, filled: list[str]) -> None:
    store.index.close()
    shutil.rmtree(store.index_dir)
    store.index_dir.mkdir(mode=0o700)
    (store.index_dir / "snapshot.json").write_text('{"entries": [["Lefèvre"]]}')
    (store.index_dir / "journal.jsonl").write_text("{}\n")
    assert _ids(Store.open(store.root).list()) == sorted(filled)
    assert sorted(os.listdir(store.index_dir)) == sorted(
        n for n in os.listdir(store.index_dir) if n.startswith(DB_NAME) or n.endswith(".lock"))


def test_stale_entry_fixed_when_a_writer_died_before_indexing(store: Store, filled: list[str],
                                                              monkeypatch) -> None:
    store.list()
    with monkeypatch.context() as patch:  # killed between the dossier write and its index row
        patch.setattr(Index, "record", lambda self, entry, sig, token=None: None)
        store.save_answer(filled[0], "nom", "Perdu", agent="a")
    assert [e.nom for e in Store.open(store.root).list(search=filled[0])] == ["Perdu"]
    assert [e.nom for e in store.list(search="perdu")] == ["Perdu"]


def test_dossier_restored_by_hand_is_indexed(store: Store, filled: list[str], tmp_path) -> None:
    store.list()
    path = store.dossiers_dir / "2026" / f"{filled[2]}.json"
    saved = tmp_path / "copy.json"
    shutil.copy(path, saved)
    store.forget(filled[2])
    assert store.list(search="gall") == []
    shutil.copy(saved, path)
    fresh = Store.open(store.root)
    fresh.reindex()  # what `intake-assistant reindex` does; a reboot or a copy does it lazily
    assert _ids(fresh.list(search="gall")) == [filled[2]]


def test_a_file_changed_by_hand_fixes_its_row_when_read(store: Store, filled: list[str],
                                                        tmp_path) -> None:
    path = store.dossiers_dir / "2026" / f"{filled[0]}.json"
    old = tmp_path / "old.json"
    shutil.copy2(path, old)
    store.save_answer(filled[0], "nom", "Nouveau", agent="a")
    shutil.copy(old, path)  # a file put back by hand, around the store
    fresh = Store.open(store.root)
    assert fresh.load(filled[0])["answers"]["nom"] == "Lefèvre"
    assert [e.nom for e in fresh.list(search=filled[0])] == ["Lefèvre"]


def test_a_file_changed_by_hand_fixes_its_row_when_read_in_bulk(tmp_path, now) -> None:
    store = Store.open(tmp_path / "base")
    ids = [store.create_dossier(agent="a", answers={"nom": n}, now=now)["id"]
           for n in ("Martin", "Durand")]
    path = store.dossiers_dir / "2026" / f"{ids[0]}.json"
    shutil.copy2(path, tmp_path / "old.json")
    store.save_answer(ids[0], "nom", "Marton", agent="a")
    assert store.versions()[ids[0]].startswith("2:")
    shutil.copy2(tmp_path / "old.json", path)  # put back around this open store: row stale
    assert store.versions()[ids[0]].startswith("2:")
    read = {d["id"]: d for d in store.read_many(ids)}
    assert read[ids[0]]["answers"]["nom"] == "Martin"
    assert store.versions()[ids[0]] == dossier_version(read[ids[0]])  # row fixed


def test_a_bulk_read_hands_each_dossier_over_as_it_is_read(tmp_path, now) -> None:
    """Each dossier is given before the next file is read (the statistics build its record
    while the parsed dossier is in the processor's cache), and the index rows of what was
    given are checked even when the caller stops early."""
    store = Store.open(tmp_path / "base")
    ids = [store.create_dossier(agent="a", answers={"nom": n}, now=now)["id"]
           for n in ("Martin", "Durand", "Petit")]
    path = store.dossiers_dir / "2026" / f"{ids[0]}.json"
    shutil.copy2(path, tmp_path / "old.json")
    store.save_answer(ids[0], "nom", "Marton", agent="a")
    shutil.copy2(tmp_path / "old.json", path)  # put back around this open store: row stale
    reading = store.read_many(ids)
    first = next(reading)
    assert first["answers"]["nom"] == "Martin"
    os.unlink(store.dossiers_dir / "2026" / f"{ids[1]}.json")  # erased once the first is given
    assert next(reading)["id"] == ids[2]
    reading.close()  # stopped early: the row of what it was given is fixed all the same
    assert store.versions()[ids[0]] == dossier_version(first)


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
    assert [d["id"] for d in Store.open(store.root).read_many(filled)] == filled[1:]


def test_orphan_temp_files_are_removed_at_start_but_not_live_ones(store: Store,
                                                                  filled: list[str],
                                                                  monkeypatch) -> None:
    folder = store.dossiers_dir / "2026"
    dead = folder / f".~{filled[0]}.json~{HOST}~999999999~abcd.tmp"
    live = folder / f".~{filled[1]}.json~{HOST}~{os.getppid()}~abcd.tmp"
    dead.write_bytes(b"half a dossier")
    live.write_bytes(b"being written")
    monkeypatch.setattr(store_module, "CLEANUP_DELAY_S", 0.0)
    fresh = Store.open(store.root)
    fresh.wait_cleanup(30)  # dossier folders are cleaned in the background
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


def test_an_erased_person_leaves_no_trace_in_the_index(store: Store, filled: list[str]) -> None:
    for _ in range(20):  # older versions of the row in the write-ahead log
        store.save_answer(filled[2], "loyer", 400, agent="a")
    store.forget(filled[2])
    for name in os.listdir(store.index_dir):
        data = (store.index_dir / name).read_bytes()
        assert b"Gall" not in data and b"gall" not in data and filled[2].encode() not in data


def test_lost_sequence_counter_restarts_after_highest_file(store: Store, now) -> None:
    for _ in range(3):
        store.create_dossier(agent="a", now=now)
    (store.sequences_dir / "2026").unlink()
    assert store.create_dossier(agent="a", now=now)["id"] == "D-2026-000004"


def test_a_start_neither_reads_nor_checks_every_file(store: Store, filled: list[str],
                                                      monkeypatch) -> None:
    """Issue 16: the index is trusted at start (intents catch killed writers); the files are
    checked only after a reboot or a copy, in the background."""
    store.reindex()
    calls: list[str] = []
    monkeypatch.setattr(Index, "verify", lambda self, progress=None: calls.append("verify"))
    monkeypatch.setattr(Index, "_reread", lambda self, i, p: calls.append(i))
    fresh = Store.open(store.root)
    assert _ids(fresh.list()) == sorted(filled)
    assert _ids(fresh.list(search="lefevre")) == [filled[0]]
    assert fresh.count() == 3 and len(fresh.versions()) == 3
    assert calls == []
    assert fresh.index._background is None


def test_after_a_reboot_the_files_are_checked_in_the_background(store: Store, filled: list[str],
                                                                 monkeypatch) -> None:
    store.reindex()
    monkeypatch.setattr(index_module, "boot_id", lambda: "un autre démarrage")
    monkeypatch.setattr(index_module, "_BACKGROUND_DELAY_S", 0.0)
    path = store.dossiers_dir / "2026" / f"{filled[1]}.json"
    path.unlink()  # lost in the crash, say
    fresh = Store.open(store.root)
    fresh.list()  # served at once from the index
    fresh.index.wait_background(30)
    assert _ids(fresh.list()) == sorted([filled[0], filled[2]])


def test_a_copy_that_keeps_times_is_not_re_read(store: Store, filled: list[str], tmp_path,
                                                monkeypatch) -> None:
    """Issue 16: after a copy or a restore (every inode new) the index trusts files whose size
    and time are those recorded, instead of re-reading every dossier."""
    store.reindex()  # the index is current
    monkeypatch.setattr(index_module, "_BACKGROUND_DELAY_S", 0.0)
    reads: list[str] = []
    original = Index._reread
    monkeypatch.setattr(Index, "_reread",
                        lambda self, i, p: reads.append(i) or original(self, i, p))
    store.index.close()  # a copy of a closed store
    kept = tmp_path / "copie-a"
    shutil.copytree(store.root, kept)  # copy2: times kept
    copy = Store.open(kept)
    assert _ids(copy.list()) == sorted(filled)
    copy.index.wait_background(30)
    assert reads == []
    plain = tmp_path / "copie-b"
    shutil.copytree(store.root, plain, copy_function=shutil.copyfile)  # new times
    copy = Store.open(plain)
    assert _ids(copy.list()) == sorted(filled)  # from the copied index, at once
    copy.index.wait_background(30)
    assert sorted(reads) == sorted(filled)  # then checked in the background


def test_pages_of_a_streamed_listing_neither_skip_nor_repeat(store: Store, now) -> None:
    """Keyset pages (updated_at, id): entries written at the same moment are split across
    pages without loss."""
    moments = [now, now, now + timedelta(days=1), now, now + timedelta(days=1), now]
    for i, moment in enumerate(moments * 2):
        store.create_dossier(agent="a", answers={"nom": f"N{i}"}, now=moment)
    expected = [e.id for e in store.index.select()]
    for page in (1, 2, 3, 5, 100):
        assert [e.id for e in store.index.iter_select(page=page)] == expected
    assert [e.id for e in store.index.iter_select(status="premier_contact", page=4)] == expected


def test_forget_erases_the_temp_copies_of_that_dossier_only(store: Store, filled: list[str]
                                                            ) -> None:
    folder = store.dossiers_dir / "2026"
    mine = folder / f".~{filled[0]}.json~{HOST}~999999999~abcd.tmp"
    other = folder / f".~{filled[1]}.json~{HOST}~999999999~abcd.tmp"
    mine.write_bytes(b"Lef\xc3\xa8vre, a killed writer's copy")
    other.write_bytes(b"another person's copy")
    store.forget(filled[0])
    assert not mine.exists() and other.exists()
    assert not (folder / f"{filled[0]}.json").exists()


def test_rows_of_a_file_come_in_row_order_whatever_the_key_order() -> None:
    from intake_assistant.store.tinydb.dossier_file import _ordered_rows

    assert _ordered_rows({"1": {"a": 1}, "2": {"a": 2}}) == [{"a": 1}, {"a": 2}]
    assert _ordered_rows({"10": {"a": 10}, "2": {"a": 2}, "1": {"a": 1}}) == [
        {"a": 1}, {"a": 2}, {"a": 10}]  # out of order, and 10 after 2 (numbers, not text)
    assert _ordered_rows({"1": {"a": 1}, "3": {"a": 3}}) == [{"a": 1}, {"a": 3}]
    assert _ordered_rows({str(i): i for i in range(1, 3000)}) == list(range(1, 3000))
    assert _ordered_rows({}) == []


def test_user_table_rows_come_in_id_order_with_their_ids() -> None:
    from intake_assistant.store.tinydb.dossier_file import _user_rows

    assert _user_rows({"1": {"a": 1}, "2": {"a": 2}}) == [{"id": "1", "a": 1},
                                                          {"id": "2", "a": 2}]
    assert _user_rows({"10": {"a": 10}, "2": {"a": 2}, "1": {"a": 1}}) == [
        {"id": "1", "a": 1}, {"id": "2", "a": 2}, {"id": "10", "a": 10}]
    assert _user_rows({"1": {"a": 1}, "3": {"a": 3}}) == [{"id": "1", "a": 1},
                                                          {"id": "3", "a": 3}]


def test_a_save_changes_its_row_in_place_and_logs_it(store: Store, filled: list[str],
                                                     now) -> None:
    # In place (same rowid): a REPLACE deleted and re-inserted the row, rewriting every index
    # of the table at each save. The change log and the search see the new name all the same.
    dossier_id = filled[0]
    with closing(sqlite3.connect(store.index.path)) as db:
        def row() -> tuple:
            return db.execute("SELECT rowid, nom, search_text, rev FROM entries WHERE id = ?",
                              (dossier_id,)).fetchone()

        def logged() -> int:
            return db.execute("SELECT count(*) FROM changes WHERE id = ?",
                              (dossier_id,)).fetchone()[0]

        before, log_before = row(), logged()
        doc = store.save_answer(dossier_id, "nom", "Durand", agent="Sophie",
                                now=now + timedelta(days=9))
        after = row()
        assert after[0] == before[0]
        assert after[1:] == ("Durand", "durand helene " + dossier_id.casefold().replace("-", " "),
                             doc["rev"])
        assert logged() == log_before + 1
        assert _ids(store.list(search="Durand")) == [dossier_id]
        assert store.list(search="Lefèvre") == []
        # A row missing from the index (dropped by hand) is inserted by the next save.
        with db:
            db.execute("DELETE FROM entries WHERE id = ?", (dossier_id,))
        store.save_answer(dossier_id, "prenom", "Anne", agent="Sophie",
                          now=now + timedelta(days=10))
        assert row()[1] == "Durand"
        assert _ids(store.list(search="Anne")) == [dossier_id]
