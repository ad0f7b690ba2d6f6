from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from intake_assistant.store.tinydb.atomic_storage import AtomicJSONStorage, write_atomic
from tests.platforms import POSIX_MODES


@POSIX_MODES
def test_write_atomic_replaces_and_keeps_files_private(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"one")
    st = write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert st.st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["f.json"]


def test_exclusive_write_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        write_atomic(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["f.json"]


def test_batch_writes_once_and_discards_on_error(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    storage = db.storage
    with storage.batch():
        db.table("a").insert({"x": 1})
        db.table("b").insert({"y": 2})
        assert not path.exists()  # nothing written before the end of the batch
    assert json.loads(path.read_bytes()) == {"a": {"1": {"x": 1}}, "b": {"1": {"y": 2}}}
    with pytest.raises(RuntimeError), storage.batch():
        db.table("a").insert({"x": 3})
        raise RuntimeError("interrupted")
    assert json.loads(path.read_bytes())["a"] == {"1": {"x": 1}}
    assert TinyDB(path, storage=AtomicJSONStorage).table("a").all() == [{"x": 1}]
