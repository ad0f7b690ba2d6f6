"""The store contract suite: every behaviour of `DossierStore`, written once, run on every backend.

ONE fixture, `backend`, is parametrised over the backends; a new backend (PostgreSQL) plugs in
with one more `Backend` subclass and its name in `BACKENDS`. Tests use only the contract
(`backend.store`) and the few helpers below, which are the backend-specific ways to set a scene:
another session holding a dossier, a damaged document, every byte the backend keeps.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from intake_assistant.store import DossierStore, open_store

from ..conftest import NOW, start_child


class Backend:
    """What a backend gives the contract tests (subclass per backend)."""

    name = ""
    store: DossierStore

    def reopen(self) -> DossierStore:
        """Another handle on the same store (as a second PC or a restart would open it)."""
        raise NotImplementedError

    @contextmanager
    def held_elsewhere(self, dossier_id: str, agent: str) -> Iterator[None]:
        """The dossier open in another live session (another process or connection)."""
        raise NotImplementedError
        yield

    def kill_session_elsewhere(self, dossier_id: str, agent: str, questionnaire: str) -> None:
        """Another session opened the dossier, marked an interview, saved a draft, then died
        (killed: no close, no end of interview)."""
        raise NotImplementedError

    def write_raw(self, dossier_id: str, document: Any) -> None:
        """Replace a stored document by `document` as is (valid JSON, maybe the wrong shape)."""
        raise NotImplementedError

    def all_bytes(self) -> bytes:
        """Everything the backend keeps, to search for traces of an erased person."""
        raise NotImplementedError


class TinyDBBackend(Backend):
    name = "tinydb"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = open_store(root, lock_timeout=2.0)

    def reopen(self) -> DossierStore:
        return open_store(self.root, lock_timeout=2.0)

    @contextmanager
    def held_elsewhere(self, dossier_id: str, agent: str) -> Iterator[None]:
        child = start_child("session", str(self.root), dossier_id, agent)
        try:
            assert child.stdout is not None and child.stdin is not None
            assert child.stdout.readline().strip() == "OPEN", child.stderr.read()
            yield
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(10)

    def kill_session_elsewhere(self, dossier_id: str, agent: str, questionnaire: str) -> None:
        child = start_child("interview-killed", str(self.root), dossier_id, agent, questionnaire)
        out, err = child.communicate(timeout=30)
        assert out.strip() == "MARKED", err

    def write_raw(self, dossier_id: str, document: Any) -> None:
        path = self.root / "dossiers" / dossier_id[2:6] / f"{dossier_id}.json"
        if isinstance(document, dict):
            meta = {k: v for k, v in document.items()
                    if k not in ("events", "audit", "rencontres", "notes", "exports", "tables")}
            rows = {name: {str(i): row for i, row in enumerate(document.get(name) or [], 1)}
                    for name in ("events", "audit", "rencontres", "notes", "exports")
                    if isinstance(document.get(name, []), list)}
            for name, table in (document.get("tables") or {}).items():
                rows[f"rows.{name}"] = {str(row.get("id", i)): {k: v for k, v in row.items()
                                                                 if k != "id"}
                                        for i, row in enumerate(table, 1)}
            content: Any = {"dossier": {"1": meta}, **rows}
        else:
            content = document
        path.write_bytes(json.dumps(content).encode())

    def all_bytes(self) -> bytes:
        chunks = []
        for folder, _, files in os.walk(self.root):
            for name in files:
                chunks.append((Path(folder) / name).read_bytes())
                chunks.append(name.encode())
        return b"".join(chunks)


BACKENDS = ["tinydb"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "tinydb":
        return TinyDBBackend(tmp_path / "base")
    raise AssertionError(request.param)


@pytest.fixture
def store(backend: Backend) -> DossierStore:
    return backend.store


@pytest.fixture
def now() -> datetime:
    return NOW


def traces(backend: Backend, *needles: str) -> list[str]:
    """Which of `needles` can still be found in what the backend keeps (any usual encoding)."""
    data = backend.all_bytes()
    found = []
    for needle in needles:
        for form in (needle.encode("utf-8"), needle.encode("unicode_escape"),
                     json.dumps(needle).encode()[1:-1]):
            if form and form in data:
                found.append(needle)
                break
    return found
