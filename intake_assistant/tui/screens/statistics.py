"""Statistiques (F9): the unit's activity as bar charts drawn with block characters.

The figures are those of ``intake-assistant stats`` (same function, same small-group rule), computed
in a worker thread so the screen opens at once; on a large store the first run fills the record
cache and shows its progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from intake_assistant.app.reporting import PERIODS, period_label, text_cell
from intake_assistant.core.french import format_date

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 40


def bar(value: float, maximum: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character; any value above 0 shows at least a sliver."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, rest = divmod(min(eighths, width * 8), 8)
    return "█" * full + (BLOCKS[rest] if rest else "")


def bar_chart(rows: Sequence[tuple[str, Any, str]], width: int = BAR_WIDTH,
              total: int | None = None) -> str:
    """Rows of (label, value, shown text); a masked value ("< 5") draws a sliver. With
    ``total`` (the columns available), the bars shrink so that no line wraps."""
    numbers = [v for _, v, _ in rows if isinstance(v, int | float)]
    maximum = max(numbers, default=0)
    label_w = max((len(label) for label, _, _ in rows), default=0)
    if total is not None:
        shown_w = max((len(shown) for _, _, shown in rows), default=0)
        width = max(2, min(width, total - label_w - shown_w - 4))
    lines = []
    for label, value, shown in rows:
        drawn = bar(value, maximum, width) if isinstance(value, int | float) else "▏"
        lines.append(f"{label.ljust(label_w)}  {drawn.ljust(width)}  {shown}")
    return "\n".join(lines)


def _column_chart(table: dict[str, Any], label_id: str, value_id: str,
                  extra: str | None = None, limit: int | None = None,
                  total: int | None = None) -> str:
    kinds = {c["id"]: c["kind"] for c in table["columns"]}
    rows = []
    for row in table["rows"][:limit]:
        shown = text_cell(row[value_id], kinds[value_id]).rjust(8)
        if extra is not None and row.get(extra) is not None:
            shown += f"   ({text_cell(row[extra], kinds[extra])})"
        rows.append((str(row[label_id]), row[value_id], shown))
    return bar_chart(rows, total=total)


def charts(result: dict[str, Any], total: int | None = None) -> list[tuple[str, str]]:
    """(title, chart text) for each block of the screen, fitted to ``total`` columns."""
    t = result["tables"]
    months = dict(t["demandes_par_mois"])
    months["rows"] = [r for r in months["rows"] if r["mois"] != "Total de la période"]

    def chart(table: dict[str, Any], label_id: str, value_id: str, extra: str | None = None,
              limit: int | None = None) -> str:
        return _column_chart(table, label_id, value_id, extra, limit, total)

    out = [
        ("Demandes par mois (évolution sur un an)", chart(months, "mois", "demandes",
                                                           "evolution")),
        ("Parcours des demandes", chart(t["parcours"], "etape", "dossiers", "part")),
        ("Par type de projet", chart(t["type_projet"], "groupe", "demandes", "part")),
        ("Par type de ménage", chart(t["type_menage"], "groupe", "demandes", "part")),
        ("Par tranche d'âge", chart(t["tranche_age"], "groupe", "demandes", "part")),
        ("Par commune (10 premières)",
         chart(t["commune"], "groupe", "demandes", "part", limit=10)),
        ("Orientations proposées (éligible ou à vérifier)",
         chart(t["orientations"], "aide", "proposee")),
        ("Délais médians entre les étapes (90e centile entre parenthèses)",
         chart(t["delais"], "etape", "mediane", "centile_90")),
        ("Dossiers en cours depuis plus de 30 jours dans leur statut",
         chart(t["attente"], "statut", "plus_30_jours")),
    ]
    amounts = t["montants"]["rows"]
    out.append(("Montants", "\n".join(
        f"{r['montant']} : {text_cell(r['dossiers'], 'count')} dossiers, total "
        f"{text_cell(r['total'], 'money')}, médiane {text_cell(r['mediane'], 'money')}"
        for r in amounts)))
    return out


def heading(result: dict[str, Any]) -> str:
    period, summary = result["period"], result["summary"]
    return (f"Du {format_date(period['from'])} au {format_date(period['to'])} : "
            f"{text_cell(summary['requests'], 'count')} demandes ; même période un an avant : "
            f"{text_cell(summary['requests_year_before'], 'count')} ; évolution "
            f"{text_cell(summary['growth'], 'growth')}.")


class StatisticsScreen(Screen[None]):
    DEFAULT_CSS = """
    StatisticsScreen { background: $surface; }
    StatisticsScreen #stats-title { padding: 0 1; text-style: bold; background: $primary;
                                    color: $text; width: 100%; }
    StatisticsScreen #stats-status { padding: 0 1; color: $text-muted; }
    StatisticsScreen #stats-body { padding: 0 1; }
    StatisticsScreen .chart-title { margin-top: 1; text-style: bold; }
    StatisticsScreen .chart { padding-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "close", "Retour", id="statistics.close"),
        Binding("p", "next_period", "Période suivante", id="statistics.next_period"),
        Binding("r", "reload", "Recalculer", id="statistics.reload"),
    ]

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self._today = today
        self.period_index = 0
        self.result: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Statistiques d'activité", id="stats-title")
        yield Static("", id="stats-status", markup=False)
        yield VerticalScroll(id="stats-body")
        yield Footer()

    @property
    def today(self) -> date:
        return self._today or self.app.today  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.action_reload()

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_next_period(self) -> None:
        self.period_index = (self.period_index + 1) % len(PERIODS)
        self.action_reload()

    def action_reload(self) -> None:
        label = period_label(PERIODS[self.period_index].key, self.today)
        self._status(f"Période : {label}. Calcul en cours…")
        self.run_worker(self._compute, thread=True, exclusive=True, group="statistics")

    def _status(self, text: str) -> None:
        self.query_one("#stats-status", Static).update(text)

    def _compute(self) -> None:
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.reporting import activity

        key = PERIODS[self.period_index].key

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self._status, f"Préparation des statistiques : {done} / {total} dossiers…")

        try:
            result = activity(self.app.store, key, self.today,  # type: ignore[attr-defined]
                              progress=progress)
        except StoreError as exc:  # a refusal (role) or a store that cannot be read
            self.app.call_from_thread(self._status, exc.message)
            return
        except Exception as exc:  # shown on screen: the app must survive a damaged store
            self.app.call_from_thread(self._status, f"Statistiques impossibles : {exc}")
            return
        from intake_assistant.tui.screens.followup_charts import followup_charts

        try:  # the partners' delays and the bank results, when there is follow-up
            period = result["period"]
            start = date.fromisoformat(period["from"]) if period.get("from") else None
            result["followup_charts"] = followup_charts(
                self.app.store, start, date.fromisoformat(period["to"]),  # type: ignore[attr-defined]
                self.today, _column_chart)
        except Exception:  # the activity's figures are shown all the same
            result["followup_charts"] = []
        self.app.call_from_thread(self._show, result)

    def _show(self, result: dict[str, Any]) -> None:
        self.result = result
        label = period_label(PERIODS[self.period_index].key, self.today)
        self._status(f"Période : {label} — {heading(result)}  "
                     f"(p : autre période · r : recalculer · Échap : retour ; "
                     f"groupes de moins de {result['min_group']} notés « < "
                     f"{result['min_group']} »)")
        body = self.query_one("#stats-body", VerticalScroll)
        body.remove_children()
        widgets = []
        width = (self.size.width or self.app.size.width) - 6  # padding, scroll bar
        for title, chart in [*charts(result, width), *result.get("followup_charts", [])]:
            widgets.append(Static(Text(title), classes="chart-title"))
            widgets.append(Static(Text(chart or "Aucune donnée."), classes="chart"))
        body.mount_all(widgets)
