from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from intake_assistant.store.tinydb import TinyDBStore as Store

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("child.py")
NOW = datetime(2026, 3, 2, 10, 30).astimezone()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "base", lock_timeout=2.0)


@pytest.fixture
def now() -> datetime:
    return NOW


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_child(*args: str, env: dict[str, str] | None = None,
                **kwargs: object) -> subprocess.Popen[str]:
    """Run tests/store/child.py in another process (a second agent, or a writer to kill)."""
    # run as a module from the repository: the script's own folder on sys.path would let
    # tests/store/tinydb/ shadow the tinydb library
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.child", *args], env=env or child_env(), text=True,
        cwd=REPO,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,  # type: ignore[arg-type]
    )
