from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

from intake_assistant.store import ENV_VAR, resolve_root
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.platforms import POSIX_MODES


def test_db_argument_wins_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_root(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_root(None) == tmp_path / "env"


def test_default_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_root(None) == Path(platformdirs.user_data_dir("intake-assistant",
                                                                 appauthor=False))


@POSIX_MODES
def test_open_creates_a_private_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "a" / "b"))
    store = Store.open()
    assert store.root == tmp_path / "a" / "b"
    assert os.stat(store.root).st_mode & 0o777 == 0o700


@POSIX_MODES
def test_existing_open_folder_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    Store.open(folder)
    assert os.stat(folder).st_mode & 0o777 == 0o700


def test_a_killed_but_unreaped_process_does_not_hold_a_lease() -> None:
    import subprocess
    import time

    from intake_assistant.store.tinydb.atomic_storage import pid_alive

    child = subprocess.Popen(["sleep", "30"])
    child.kill()
    time.sleep(0.2)  # dead, not reaped yet: a zombie still answers kill(pid, 0)
    try:
        assert not pid_alive(child.pid)
    finally:
        child.wait()
