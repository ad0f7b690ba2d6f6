"""The unit's activity statistics for the faces: which dates a period covers, the figures (those
of ``intake-assistant stats``: same function, same small-group rule) and how a cell reads.

Statistics are name-free aggregates reserved to the ``responsable`` role (``access.py``); once
that right is checked they are computed over the whole store, without writing an access-log entry
per dossier (no dossier is consulted: only its name-free record is counted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from intake_assistant.core.french import MONTHS
from intake_assistant.reports.stats import store_stats
from intake_assistant.reports.stats_text import text_cell
from intake_assistant.store import DossierStore

from .access import GuardedStore, require

__all__ = ["PERIODS", "Period", "activity", "last_twelve_months", "period_bounds",
           "period_label", "text_cell"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Period:
    key: str
    name: str  # as the period chooser says it


PERIODS = (Period("12", "12 derniers mois complets"), Period("annee", "année civile en cours"),
           Period("tout", "toute l'activité"))


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve complete calendar months before the current one: twelve bars in the chart,
    each month compared with the same month a year before (the current month, partial, is in
    « année civile en cours »)."""
    end = today.replace(day=1) - timedelta(days=1)
    months = end.year * 12 + end.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), end


def period_bounds(key: str, today: date) -> tuple[date | None, date]:
    """First and last day of a period; ``None``: from the first dossier on."""
    if key == "annee":
        return date(today.year, 1, 1), today
    if key == "tout":
        return None, today
    return last_twelve_months(today)


def period_label(key: str, today: date) -> str:
    """The period as the screen heads it, saying exactly what it covers."""
    if key == "12":
        start, end = last_twelve_months(today)
        return (f"12 derniers mois complets, {MONTHS[start.month - 1]} {start.year} – "
                f"{MONTHS[end.month - 1]} {end.year}")
    if key == "annee":
        return f"année {today.year} jusqu'à aujourd'hui"
    return "toute l'activité"


def activity(store: DossierStore, key: str, today: date,
             progress: Progress | None = None) -> dict[str, Any]:
    """The statistics of a period; `AccessDenied` (French) for a role they are not open to."""
    if isinstance(store, GuardedStore):
        require(store.identity, "statistiques")
        store = store.inner  # aggregates only: no dossier is consulted (see the docstring)
    start, end = period_bounds(key, today)
    return store_stats(store, date_from=start, date_to=end, today=today, progress=progress)
