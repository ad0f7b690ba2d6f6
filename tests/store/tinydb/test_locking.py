"""The write lock between processes (store/tinydb/locking.py): exclusive, bounded wait, released
for good, never through a symbolic link. Between processes: tests/store/tinydb/test_concurrency."""

from __future__ import annotations

import os
import threading

import pytest

from intake_assistant.store.tinydb.locking import file_lock
from tests.platforms import WINDOWS


def test_a_held_lock_makes_another_holder_wait_then_give_up(tmp_path) -> None:
    first = file_lock(tmp_path / "d.lock", timeout=5)
    first.acquire()
    second = file_lock(tmp_path / "d.lock", timeout=0.1)
    with pytest.raises(TimeoutError):
        second.acquire()
    assert not second.is_locked
    first.release()
    second.acquire()  # free now
    assert second.is_locked
    second.release()


def test_a_waiting_holder_gets_the_lock_once_released(tmp_path) -> None:
    first = file_lock(tmp_path / "d.lock", timeout=5)
    first.acquire()
    got = threading.Event()

    def wait_for_it() -> None:
        with file_lock(tmp_path / "d.lock", timeout=30):
            got.set()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    assert not got.wait(0.1)  # still held
    first.release()
    waiter.join(30)
    assert got.is_set()


def test_the_lock_file_is_private_and_releasing_twice_is_harmless(tmp_path) -> None:
    lock = file_lock(tmp_path / "d.lock", timeout=1)
    lock.acquire()
    lock.release()
    lock.release()
    assert WINDOWS or (os.stat(tmp_path / "d.lock").st_mode & 0o077) == 0


@pytest.mark.skipif(WINDOWS, reason="liens symboliques : POSIX")
def test_a_symbolic_link_planted_as_the_lock_file_is_refused(tmp_path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("x")
    (tmp_path / "d.lock").symlink_to(target)
    with pytest.raises(OSError):
        file_lock(tmp_path / "d.lock", timeout=0.1).acquire()
