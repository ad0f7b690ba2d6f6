"""Where the shipped YAML data (parameters, aids catalogue, computed values) lives."""

from __future__ import annotations

from pathlib import Path

from intake_assistant.core.datadir import data_dir


def default_data_dir() -> Path:
    """The top-level ``questionnaires/`` folder in a checkout, else the copy inside the wheel.

    Delegates to the core's resolution so that ``INTAKE_ASSISTANT_DATA`` is honoured everywhere.
    """
    return data_dir()


def default_parametres_path() -> Path:
    return default_data_dir() / "parametres.yaml"


def default_aides_path() -> Path:
    return default_data_dir() / "aides.yaml"


def default_calculs_path() -> Path:
    return default_data_dir() / "calculs.yaml"
