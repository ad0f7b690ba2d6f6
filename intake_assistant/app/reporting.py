"""Statistics and report files, as the faces (CLI, TUI) ask for them.

The faces may import only the application layer: this module is their door to ``reports``.
It stays light to import (the orientation engine and the record cache load on first use), so a
command that does not compute statistics does not pay for them.

Statistics are name-free aggregates reserved to the ``responsable`` role (``access.py``); once
that right is checked they are computed over the whole store, without writing an access-log entry
per dossier (no dossier is consulted: only its name-free record is counted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_assistant.core.french import MONTHS

from .access import GuardedStore, require

if TYPE_CHECKING:
    from intake_assistant.store import DossierStore

__all__ = ["CSV_BOM", "EXPORT_FORMATS", "PERIODS", "STATS_TABLES", "Period", "activity",
           "default_start", "last_twelve_months", "period_bounds", "period_label", "statistics",
           "stats_as_json",
           "stats_as_text", "table_as_csv", "text_cell", "write_table_csv"]

Progress = Callable[[int, int], None]

# The commission summary's formats and the statistics tables (for the faces' choices).
EXPORT_FORMATS = ("pdf", "md", "json")
STATS_TABLES = ("demandes_par_mois", "type_projet", "type_menage", "tranche_age", "commune",
                "parcours", "orientations", "montants", "decisions_par_aide", "motifs", "delais",
                "attente")
CSV_BOM = "\ufeff"


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


def default_start(end: date) -> date:
    """The first day of the default period: the last 12 months, the current one included."""
    from intake_assistant.reports.stats import default_start as start

    return start(end)


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


def statistics(store: DossierStore, *, date_from: date | None, date_to: date | None,
               today: date, min_group: int = 5,
               progress: Progress | None = None) -> dict[str, Any]:
    """The activity statistics of every dossier (aggregates only), through the record cache."""
    from intake_assistant.reports.stats import store_stats

    if isinstance(store, GuardedStore):
        require(store.identity, "statistiques")
        store = store.inner  # aggregates only: no dossier is consulted (no access-log entry)

    return store_stats(store, date_from=date_from, date_to=date_to, today=today,
                       min_group=min_group, progress=progress)


def activity(store: DossierStore, key: str, today: date,
             progress: Progress | None = None) -> dict[str, Any]:
    """The statistics of a period; `AccessDenied` (French) for a role they are not open to."""
    if isinstance(store, GuardedStore):
        require(store.identity, "statistiques")
        store = store.inner  # aggregates only: no dossier is consulted (see the docstring)
    start, end = period_bounds(key, today)
    return statistics(store, date_from=start, date_to=end, today=today, progress=progress)


def text_cell(value: Any, kind: str) -> str:
    """One statistics cell as the terminal shows it."""
    from intake_assistant.reports.stats_text import text_cell as cell

    return cell(value, kind)


def stats_as_text(result: dict[str, Any], names: Sequence[str] | None = None) -> str:
    from intake_assistant.reports.stats_text import stats_text

    return stats_text(result, list(names) if names else None)


def stats_as_json(result: dict[str, Any], names: Sequence[str] | None = None) -> str:
    from intake_assistant.reports.stats_text import stats_json

    return stats_json(result, list(names) if names else None)


def table_as_csv(table: dict[str, Any]) -> str:
    from intake_assistant.reports.csv_excel import table_csv

    return table_csv(table)


def write_table_csv(path: Path, table: dict[str, Any]) -> None:
    from intake_assistant.reports.csv_excel import write_csv

    write_csv(path, table)
