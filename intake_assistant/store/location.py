"""Where the store lives: --db PATH, else $INTAKE_ASSISTANT_DB, else the user data folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from .errors import StoreUnavailableError

DIR_MODE = 0o700
FILE_MODE = 0o600

ENV_VAR = "INTAKE_ASSISTANT_DB"
APP_NAME = "intake-assistant"


def resolve_root(db: str | Path | None = None) -> Path:
    if db:
        return Path(db).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _owned(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def ensure_private_dir(path: Path, *, link_allowed: bool = False) -> Path:
    """Create `path` (and parents) readable by its owner only; tighten it if we own it.

    Dossiers hold personal data (CNIL): no other account on the machine may list or read them.
    A symbolic link is never followed to change its target's rights; inside the store
    (`link_allowed` False) a folder replaced by a link is refused.
    """
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except FileExistsError:
        pass  # a file or a dangling link: told below
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise StoreUnavailableError(
            f"Le dossier {path} de la base est inaccessible ({exc.strerror})."
        ) from exc
    if stat.S_ISLNK(st.st_mode):
        if link_allowed:
            return path
        raise StoreUnavailableError(
            f"{path} est un lien symbolique : la base refuse de suivre un lien pour ses propres "
            "dossiers. Remplacez-le par un vrai dossier."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise StoreUnavailableError(
            f"{path} devrait être un dossier de la base mais c'est un fichier : déplacez-le."
        )
    if st.st_mode & 0o077 and _owned(st):
        os.chmod(path, DIR_MODE)
    return path


def harden_tree(root: Path) -> int:
    """Take the group's and others' rights off every folder and file under `root` that we own,
    never following a link; returns how many were changed."""
    changed = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode) or not _owned(st):
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append(Path(entry.path))
            elif not stat.S_ISREG(st.st_mode):
                continue
            if st.st_mode & 0o077:  # only group and others lose rights
                try:
                    os.chmod(entry.path, stat.S_IMODE(st.st_mode) & 0o700)
                    changed += 1
                except OSError:
                    continue
    return changed
