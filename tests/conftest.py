"""Suite-wide isolation: no test reads the real user's settings file or writes the user's cache,
and settings (or the validation memo) installed by one test (the command line's ``main``) never
leak into the next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from intake_assistant.app import settings, validation_memo
    from intake_assistant.core import datadir
    from intake_assistant.core.schema_memo import use_validation_memo

    folder = Path(tmp_path_factory.mktemp("settings"))
    monkeypatch.setenv(settings.ENV_FILE, str(folder / "config.toml"))
    monkeypatch.setenv(validation_memo.ENV_VAR, str(folder / "cache"))  # not the user's cache
    yield
    settings._current = None
    datadir.use_folder(None)
    use_validation_memo(None)
