"""Where the editable YAML data (questionnaires, dictionary, policy) lives.

In order: ``INTAKE_ASSISTANT_DATA``; the folder named by the settings file (or the
``questionnaires`` folder of the settings folder: a CCAS's own edited copy, outside the package);
the checkout's ``questionnaires/`` (a developer's editable install); the copy packed into the wheel.
The settings are read by the application layer, which hands their folder over with ``use_folder``
(the core reads no settings file itself).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "INTAKE_ASSISTANT_DATA"
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataFolder:
    path: Path
    source: str  # in French, for `check`, `config` and the help screen


_chosen: DataFolder | None = None


def use_folder(path: Path | None, source: str = "fichier de réglages") -> None:
    """The settings' folder (None: back to the default)."""
    global _chosen
    _chosen = DataFolder(Path(path).expanduser(), source) if path else None


def shipped_dir() -> Path:
    """The questionnaires that come with the program: the checkout's, else the wheel's copy."""
    checkout = _PACKAGE.parent
    repo = checkout / "questionnaires"
    if repo.is_dir() and (checkout / "pyproject.toml").is_file():
        return repo
    return _PACKAGE / "_questionnaires"


def data_folder() -> DataFolder:
    env = os.environ.get(ENV_VAR)
    if env:
        return DataFolder(Path(env).expanduser(), f"variable d'environnement {ENV_VAR}")
    if _chosen is not None:
        return _chosen
    return DataFolder(shipped_dir(), "questionnaires livrés avec le programme")


def data_dir() -> Path:
    return data_folder().path
