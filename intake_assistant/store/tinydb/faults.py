"""Operating-system faults met while writing, told in French (nothing is half-written: every
write goes through a temp file and a rename, so a failed one leaves the previous state)."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreUnavailableError

_NOTHING_LOST = "rien de ce qui était déjà enregistré n'est perdu."


def fault_message(exc: OSError, what: str, root: Path) -> str:
    where = exc.filename or root
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"Le disque de la base est plein : {what} n'a pas été enregistré. Libérez de la "
                f"place sur {root} puis réessayez ; {_NOTHING_LOST}")
    if exc.errno == errno.EROFS:
        return (f"La base {root} est en lecture seule : {what} est impossible. La consultation "
                f"reste possible ; {_NOTHING_LOST}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"Droits insuffisants pour écrire dans la base ({where}) : {what} est "
                f"impossible ; {_NOTHING_LOST}")
    if exc.errno == errno.ELOOP:
        return (f"Le chemin {where} est un lien symbolique en boucle : {what} est impossible. "
                f"Supprimez ce lien ; {_NOTHING_LOST}")
    if exc.errno in (errno.EISDIR, errno.ENOTDIR):
        return (f"Un dossier occupe la place d'un fichier de la base ({where}) : {what} est "
                f"impossible. Supprimez ce dossier ; {_NOTHING_LOST}")
    reason = exc.strerror or exc.__class__.__name__
    return f"Écriture impossible dans la base ({where} : {reason}) : {what} ; {_NOTHING_LOST}"


@contextmanager
def writing(what: str, root: Path) -> Iterator[None]:
    """Turn an OSError of a write into StoreUnavailableError with a French message.

    FileNotFoundError, FileExistsError and lock time-outs are left alone: callers give them a
    meaning.
    """
    try:
        yield
    except (FileNotFoundError, FileExistsError, TimeoutError):
        raise
    except OSError as exc:
        raise StoreUnavailableError(fault_message(exc, what, root)) from exc
