"""The memo of data files already found valid (core.schema_memo.use_validation_memo), on disk.

One empty file per digest (sha256 of the schema and of the document's exact content) in the
user's cache folder (platformdirs; `INTAKE_ASSISTANT_CACHE` names another), private to the
user. Only valid documents are remembered, so a changed file is validated in full; a folder that
cannot be written costs validations only. Whoever could plant a digest there could as well edit
the YAML files themselves (same user); the expressions they hold are compiled by the safe,
whitelisted language whatever the memo says.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

import platformdirs

from intake_assistant.core.schema_memo import use_validation_memo

ENV_VAR = "INTAKE_ASSISTANT_CACHE"
APP_NAME = "intake-assistant"
KEPT = 256  # digests kept: a few per data file and version of it
_DIGEST = re.compile(r"[0-9a-f]{64}")


class FileValidationMemo:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def known_valid(self, digest: str) -> bool:
        return bool(_DIGEST.fullmatch(digest)) and (self.folder / digest).is_file()

    def remember(self, digest: str) -> None:
        if not _DIGEST.fullmatch(digest):
            return
        with suppress(OSError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.folder / digest, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(fd)
            self._bound()

    def _bound(self) -> None:
        """At most KEPT digests: the oldest go (files edited often leave many behind)."""
        entries = [e for e in os.scandir(self.folder) if _DIGEST.fullmatch(e.name)]
        if len(entries) <= KEPT:
            return
        entries.sort(key=lambda e: e.stat().st_mtime)
        for entry in entries[:len(entries) - KEPT // 2]:
            with suppress(OSError):
                os.unlink(entry.path)


def default_folder() -> Path:
    chosen = os.environ.get(ENV_VAR)
    base = Path(chosen).expanduser() if chosen else Path(
        platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return base / "validated"


def install() -> None:
    """Use the memo for the rest of the process (the command line, the TUI)."""
    use_validation_memo(FileValidationMemo(default_folder()))


def uninstall() -> None:
    use_validation_memo(None)
