"""How answers read back to staff: choice labels, oui/non, euros and dates the French way."""

from __future__ import annotations

from typing import Any

from intake_assistant.core import french
from intake_assistant.core.expressions import is_missing
from intake_assistant.core.model import Question


def display_plain(value: Any) -> str:
    """Values inside question texts."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return french.format_number(value, 2)
    if isinstance(value, int):
        return french.format_number(value, 0)
    if is_missing(value) or value is None:
        return "…"
    return str(value)


def display_value(q: Question, value: Any) -> str:
    """An answer the way staff read it back: labels, oui/non, euros, dates."""
    if value is None:
        return "—"
    if q.type == "choice":
        return next((c.label for c in q.choices if c.value == value), str(value))
    if q.type == "multi_choice":
        return ", ".join(next((c.label for c in q.choices if c.value == v), str(v)) for v in value)
    if q.type == "money" and isinstance(value, int | float):
        return french.format_money(value)
    if q.type == "date" and isinstance(value, str):
        try:
            return french.format_date(value)
        except (ValueError, TypeError):
            return value
    if q.type == "repeat" and isinstance(value, list):
        items = "; ".join(
            ", ".join(display_plain(v) for v in item.values()) or "?"
            if isinstance(item, dict) else display_plain(item)
            for item in value
        )
        return f"{len(value)} élément(s)" + (f" ({items})" if items else "")
    return display_plain(value)
