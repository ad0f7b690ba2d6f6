"""The Statistiques screen (worker, charts) and the French Excel CSV dialect."""

from __future__ import annotations

import asyncio

from textual.app import App

from intake_assistant.reports.csv_excel import cell, table_csv
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.tui.screens.statistics import StatisticsScreen, bar, bar_chart
from tests.reports.conftest import TODAY, activity


def test_bars_in_eighths():
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 3.2 eighths -> 3
    assert bar(0.01, 10, 4) == "▏"  # anything above 0 shows
    assert bar(0, 10, 4) == ""
    chart = bar_chart([("Permis B", 6, "6"), ("Électroménager", "< 5", "< 5")], width=6)
    assert chart.splitlines() == ["Permis B        ██████  6", "Électroménager  ▏       < 5"]


def test_screen_loads_stats_in_a_worker(tmp_path):
    store = Store.open(tmp_path / "base", lock_timeout=2.0)
    store.import_dossiers(activity())

    class Host(App):
        # What the screen asks of the app: its (unguarded, in this test) store and today.
        def __init__(self) -> None:
            super().__init__()
            self.store = store
            self.today = TODAY

        def on_mount(self) -> None:
            self.push_screen(StatisticsScreen(today=TODAY))

    async def run() -> None:
        app = Host()
        async with app.run_test(size=(120, 60)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StatisticsScreen)
            assert screen.result["summary"]["requests_year_before"] == 6
            titles = [str(w.render()) for w in screen.query(".chart-title")]
            assert "Parcours des demandes" in titles
            charts = "\n".join(str(w.render()) for w in screen.query(".chart"))
            assert "█" in charts and "< 5" in charts and "Zébulon" not in charts
            await pilot.press("p")  # calendar year
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.result["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
            assert screen.result["summary"]["requests"] == 9
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, StatisticsScreen)

    asyncio.run(run())


def test_csv_dialect():
    table = {"columns": [{"id": "a", "label": "Libellé ; avec point-virgule", "kind": "text"},
                         {"id": "n", "label": "Nombre", "kind": "count"},
                         {"id": "m", "label": "Montant", "kind": "money"},
                         {"id": "p", "label": "Part", "kind": "share"}],
             "rows": [{"a": 'Dit "oui"', "n": 1234, "m": 1234.5, "p": 0.12345},
                      {"a": "x", "n": "< 5", "m": None, "p": None}]}
    assert table_csv(table) == ('"Libellé ; avec point-virgule";Nombre;Montant (€);Part (%)\r\n'
                                '"Dit ""oui""";1234;1234,5;12,3\r\n'
                                "x;< 5;;\r\n")
    assert cell(-0.3125, "growth") == "-31,3"  # half up, as the text output
    assert cell(0.0, "money") == "0"
