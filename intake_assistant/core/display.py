"""How plain values read inside texts and back to staff: oui/non, French numbers, « … » unknown.

How an answer of a given question type reads (labels, euros, dates, « 24 mois ») is the type's
``display`` in ``qtypes``; this module holds what every type shares.
"""

from __future__ import annotations

from typing import Any

from intake_assistant.core import french
from intake_assistant.core.expressions import is_missing


def display_plain(value: Any) -> str:
    """Values inside question texts."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        try:
            return french.format_number(value, 2)
        except ValueError:  # not finite: never stored, but never a crash either
            return "…"
    if isinstance(value, int):
        return french.format_number(value, 0)
    if is_missing(value) or value is None:
        return "…"
    return str(value)
