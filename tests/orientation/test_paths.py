"""Where the shipped policy files are found."""

from __future__ import annotations

from pathlib import Path

from intake_assistant.orientation import paths


def test_checkout_uses_the_top_level_folder(monkeypatch):
    monkeypatch.delenv("INTAKE_ASSISTANT_DATA", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert paths.default_data_dir() == repo / "questionnaires"
    for path in (paths.default_parametres_path(), paths.default_aides_path(),
                 paths.default_calculs_path()):
        assert path.is_file()


def test_environment_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("INTAKE_ASSISTANT_DATA", str(tmp_path))
    assert paths.default_aides_path() == tmp_path / "aides.yaml"
