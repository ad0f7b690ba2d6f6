from __future__ import annotations

from pathlib import Path

import pytest

from intake_assistant.store.tinydb import reading


@pytest.mark.parametrize("size", [0, 1, 11_500, 200_000])
def test_a_file_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.json"
    data = bytes(i % 251 for i in range(size))
    path.write_bytes(data)
    assert reading.read_file(path) == data
    assert reading.read_file(str(path)) == data


class _Stat:
    def __init__(self, size: int) -> None:
        self.st_size = size


@pytest.mark.parametrize("said", [0, 10, 99_999, 100_001, 300_000])
def test_a_size_that_is_not_the_files_reads_on_to_the_end(tmp_path: Path, monkeypatch,
                                                          said: int) -> None:
    """fstat's size is only a guess: a file that grew meanwhile (or a shorter read than asked)
    is still read up to its end, never cut at the size first seen."""
    path = tmp_path / "f.json"
    data = bytes(i % 251 for i in range(100_000))
    path.write_bytes(data)
    monkeypatch.setattr(reading.os, "fstat", lambda fd: _Stat(said))
    assert reading.read_file(path) == data


def test_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        reading.read_file(tmp_path / "absent.json")
