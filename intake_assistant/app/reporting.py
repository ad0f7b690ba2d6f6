"""Statistics and report files, as the faces (CLI, TUI) ask for them.

The faces may import only the application layer: this module is their door to ``reports``.
It stays light to import (the orientation engine and the record cache load on first use), so a
command that does not compute statistics does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intake_assistant.store import DossierStore

# The commission summary's formats and the statistics tables (for the faces' choices).
EXPORT_FORMATS = ("pdf", "md", "json")
STATS_TABLES = ("demandes_par_mois", "type_projet", "type_menage", "tranche_age", "commune",
                "parcours", "orientations", "montants", "delais", "attente")
CSV_BOM = "\ufeff"


def default_start(end: date) -> date:
    """The first day of the default period: the last 12 months, the current one included."""
    from intake_assistant.reports.stats import default_start as start

    return start(end)


def statistics(store: DossierStore, *, date_from: date | None, date_to: date | None,
               today: date, min_group: int = 5,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The activity statistics of every dossier (aggregates only), through the record cache."""
    from intake_assistant.reports.stats import store_stats

    return store_stats(store, date_from=date_from, date_to=date_to, today=today,
                       min_group=min_group, progress=progress)


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
