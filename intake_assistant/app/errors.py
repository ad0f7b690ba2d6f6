"""The errors the faces (TUI, CLI) catch, from one place: they may not import the store.

Every one carries a French ``message`` to show as it is. Light on purpose: the home list imports
it before its first paint.
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


class AnswerNotSaved(StoreError):
    """A change the engine accepted could not be made durable; the interview was rolled back.

    Defined here, not with the interviews: the faces import this module at start, and the
    interview module brings the whole questionnaire engine with it (issue 16: launch)."""


__all__ = ["AccessDenied", "AnswerNotSaved", "ConflictError", "DossierLockedError",
           "DossierNotFoundError", "StoreError", "StoreUnavailableError"]
