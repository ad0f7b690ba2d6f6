"""Where the editable YAML data (questionnaires, dictionary, policy) lives."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``INTAKE_ASSISTANT_DATA`` if set; else the repository's ``questionnaires/`` (editable
    install); else the copy packed into the wheel."""
    env = os.environ.get("INTAKE_ASSISTANT_DATA")
    if env:
        return Path(env)
    repo = _PACKAGE.parent / "questionnaires"
    if repo.is_dir():
        return repo
    return _PACKAGE / "_questionnaires"
