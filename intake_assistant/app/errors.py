"""The errors the faces (TUI, CLI) catch, from one place: they may not import the store.

Every one carries a French ``message`` to show as it is.
"""

from __future__ import annotations

from intake_assistant.store import (
    ConflictError,
    DossierLockedError,
    DossierNotFoundError,
    StoreError,
    StoreUnavailableError,
)

from .access import AccessDenied
from .interviews import AnswerNotSaved

__all__ = ["AccessDenied", "AnswerNotSaved", "ConflictError", "DossierLockedError",
           "DossierNotFoundError", "StoreError", "StoreUnavailableError"]
