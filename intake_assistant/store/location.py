"""Where the store lives: --db PATH, else $INTAKE_ASSISTANT_DB, else the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DIR_MODE = 0o700

ENV_VAR = "INTAKE_ASSISTANT_DB"
APP_NAME = "intake-assistant"


def resolve_root(db: str | Path | None = None) -> Path:
    if db:
        return Path(db).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by its owner only; tighten it if we own it.

    Dossiers hold personal data (CNIL): no other account on the machine may list or read them.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    st = path.stat()
    if hasattr(os, "getuid") and st.st_mode & 0o077 and st.st_uid == os.getuid():
        os.chmod(path, DIR_MODE)
    return path
