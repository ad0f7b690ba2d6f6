"""What the TUI remembers between runs: the agent at this keyboard (name, role).

A small JSON file in the user config folder, readable by its owner only. Nothing about a dossier
is kept here: the interview in progress and its typed draft live with the dossier in the store
(one per dossier, erased with it), so two windows of one user never share a slot. A file written
by an older version, which still names a dossier or holds a draft, is rewritten without them when
read. The path is injectable so that tests never touch the real one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

APP_NAME = "intake-assistant"
ROLES = {"accueil": "Accueil", "travailleur_social": "Travailleur social"}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "tui.json"


@dataclass
class TuiConfig:
    agent: str = ""
    role: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.agent.strip()) and self.role in ROLES


def load_config(path: Path) -> TuiConfig:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TuiConfig()  # first start, or a damaged file: ask again
    if not isinstance(raw, dict):
        return TuiConfig()
    known = {k: v for k, v in raw.items() if k in TuiConfig.__dataclass_fields__}
    try:
        config = TuiConfig(**known)
    except TypeError:
        return TuiConfig()
    if set(raw) - set(known):  # an older file naming a dossier or holding a draft: dropped
        try:
            save_config(path, config)
        except OSError:
            pass
    return config


def save_config(path: Path, config: TuiConfig) -> None:
    """Atomic write (temp file + rename) with mode 0600 from the start."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(config), handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
