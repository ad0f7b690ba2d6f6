"""Display helpers the faces need from the engine's value model, without importing the engine."""

from __future__ import annotations

from typing import Any

from intake_assistant.core.expressions import is_missing


def known(value: Any) -> bool:
    """A value to show: neither absent nor a « missing » marker of the expression language."""
    return value is not None and not is_missing(value)
