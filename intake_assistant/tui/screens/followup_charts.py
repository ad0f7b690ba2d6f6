"""The follow-up's blocks of the statistics screen (F9): answer delays per body, bank results,
from the same functions as ``intake-assistant delays`` and ``funders``. Shown only when the
store has follow-up (no empty charts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

ColumnChart = Callable[..., str]
LABEL = 34  # bodies' names are long: cut so that the bars and figures keep one line


def _short(table: dict[str, Any], key: str) -> dict[str, Any]:
    from intake_assistant.tui.screens.followup_forms import cut

    return {**table, "rows": [{**r, key: cut(str(r[key]), LABEL)} for r in table["rows"]]}


def followup_charts(store: Any, start: date | None, end: date, today: date,
                    column_chart: ColumnChart) -> list[tuple[str, str]]:
    """(title, chart) blocks; ``column_chart`` is the statistics screen's bar drawer."""
    from intake_assistant.app.followup_exports import delay_statistics, funder_figures

    delays = delay_statistics(store, today, date_from=start, date_to=end)
    if not delays["rows"]:
        return []
    delays = _short(delays, "organisme")
    out = [("Délais de réponse des partenaires : médiane en jours (90e centile entre "
            "parenthèses)", column_chart(delays, "organisme", "mediane", "centile_90"))]
    waiting = {**delays, "rows": [r for r in delays["rows"] if r["en_attente"]]}
    if waiting["rows"]:
        out.append(("Demandes encore en attente (plus longue attente en cours)",
                    column_chart(waiting, "organisme", "en_attente", "plus_longue_attente")))
    tables = {t["name"]: t for t in funder_figures(store, date_from=start, date_to=end)}
    banks = _short(tables["financeurs_banques"], "banque")
    if banks["rows"]:
        out.append(("Microcrédit : prêts accordés par banque (taux d'accord)",
                    column_chart(banks, "banque", "accordes", "taux_accord")))
        purposes = tables["financeurs_objet"]
        if purposes["rows"]:
            out.append(("Microcrédit : prêts accordés par objet (montant moyen)",
                        column_chart(purposes, "objet", "prets", "montant_moyen")))
    return out
