"""How plain values read inside texts and back to staff: oui/non, French numbers, « … » unknown.

How an answer of a given question type reads (labels, euros, dates, « 24 mois ») is the type's
``display`` in ``qtypes``; this module holds what every type shares.
"""

from __future__ import annotations

import unicodedata
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


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_safe(text: str) -> str:
    """Text as it may be printed to a terminal: control characters (ESC, BEL, NUL…) and bidi
    overrides become visible ``<U+001B>`` marks, so stored text can never move the cursor, ring or
    reorder what is shown (answers refuse them; older or imported data may hold them)."""
    if text.isprintable():
        return text
    return "".join(
        f"<U+{ord(ch):04X}>" if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in text
    )
