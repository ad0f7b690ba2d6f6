"""How the TUI writes values: French money, days, statuses, orientation statuses.

Display only: every figure comes from the engine, the orientation or the store. The core modules
are imported on first use, so that the first screen paints before they are loaded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from intake_assistant.core.statuses import WAITING as WAITING_STATUSES  # noqa: F401
from intake_assistant.core.statuses import AidStatus, status_label  # noqa: F401 (display helper)

# The labels are the vocabulary's (core/statuses.py); the screens add an icon and a style.
AID_STATUS = {
    status: (status.label.lower(), icon, css)
    for status, icon, css in ((AidStatus.ELIGIBLE, "✔", "eligible"),
                              (AidStatus.TO_CHECK, "?", "to-check"),
                              (AidStatus.NOT_ELIGIBLE, "✘", "not-eligible"))
}


def known(value: Any) -> bool:
    from intake_assistant.app.display import known as shown

    return shown(value)


def money(value: Any, decimals: int | None = None) -> str:
    from intake_assistant.core import french

    if not known(value) or isinstance(value, bool):
        return "—"
    return french.format_money(value, decimals)


def number(value: Any, decimals: int = 2) -> str:
    from intake_assistant.core import french

    if not known(value) or isinstance(value, bool):
        return "—"
    return french.format_number(value, decimals)


def day(value: str | date | None) -> str:
    from intake_assistant.core import french

    if not value:
        return "—"
    try:
        return french.format_date(value)
    except (TypeError, ValueError):
        return str(value)


def stamp(value: str | None) -> str:
    """An ISO timestamp as "26/11/2026 10:12"."""
    from intake_assistant.core import french

    if not value:
        return "—"
    try:
        return french.format_datetime(value)
    except (TypeError, ValueError):
        return str(value)


def days_since(value: str | None, today: date) -> int | None:
    if not value:
        return None
    try:
        return (today - date.fromisoformat(value[:10])).days
    except ValueError:
        return None


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    # French: 0 and 1 take the singular (« 0 dossier trouvé », « 1 dossier »)
    return f"{count} {word if abs(count) < 2 else plural_word or word + 's'}"
