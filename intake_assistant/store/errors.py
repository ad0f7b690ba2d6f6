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
    """A dossier file cannot be read; it is reported by name and never overwritten."""

    def __init__(self, path: Path, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"Le fichier du dossier {path.name} est illisible{detail} : il n'a pas été modifié. "
            f"Emplacement : {path}"
        )
        self.path = path


class DossierLockedError(StoreError):
    """The dossier is open in another session, or its short write lock could not be taken."""


class InvalidTransitionError(StoreError, TransitionError):
    """A status change that the dossier life-cycle does not allow."""


class InvalidValueError(StoreError, ValueError):
    """A value given to the store (date, decision, amount, id) is not acceptable."""


class ConflictError(StoreError):
    """The dossier changed since the caller read it (optimistic check with `expected_rev`)."""
