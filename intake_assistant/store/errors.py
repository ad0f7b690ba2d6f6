"""Errors raised by the dossier store; every message is a French sentence shown to staff."""

from __future__ import annotations

from pathlib import Path

from intake_assistant.core.lifecycle import TransitionError


class StoreError(Exception):
    """Base class of store errors; `message` is the French text to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DossierNotFoundError(StoreError, KeyError):
    """No dossier with this id (KeyError so that `except KeyError` callers keep working)."""

    def __init__(self, dossier_id: str) -> None:
        super().__init__(f"Le dossier {dossier_id} n'existe pas.")
        self.dossier_id = dossier_id

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class CorruptDossierError(StoreError):
    """A dossier cannot be read or does not have the document's shape; it is reported by name
    and never overwritten. `where` is the file (or the backend's row) it was read from."""

    def __init__(self, where: Path | str, reason: str = "", *, dossier_id: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        name = dossier_id or Path(str(where)).name
        super().__init__(
            f"Le dossier {name} est illisible{detail} : il n'a pas été modifié. "
            f"Emplacement : {where}"
        )
        self.path = Path(where) if isinstance(where, Path) else None
        self.where = str(where)
        self.reason = reason


class DossierLockedError(StoreError):
    """The dossier is open in another session, or its short write lock could not be taken."""


class InvalidTransitionError(StoreError, TransitionError):
    """A status change that the dossier life-cycle does not allow."""


class InvalidValueError(StoreError, ValueError):
    """A value given to the store (date, decision, amount, id) is not acceptable."""


class ConflictError(StoreError):
    """The dossier changed since the caller read it (optimistic check with `expected_rev`)."""


class RecordNotFoundError(StoreError, KeyError):
    """No such store-wide record, or no such row in a dossier table."""

    def __str__(self) -> str:
        return self.message


class StoreUnavailableError(StoreError):
    """The store cannot be written (read-only medium, rights, disk full, unusable lock path).

    Nothing was changed: a write either happens whole or not at all.
    """
