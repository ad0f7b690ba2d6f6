"""Agenda (F6 from the home screen): the day's appointments, the people to call back, the
requests waiting too long at partners, past appointments still to record, what is coming.

Read from the follow-up index (``app.followup_index.agenda``) in a worker thread. Keys: ← / →
previous and next day, « a » today, Entrée opens the dossier of the selected line, « m » only
my appointments, « i » writes the .ics for Outlook.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from intake_assistant.app import followup_index as fi
from intake_assistant.app.stores import StoreError
from intake_assistant.core import french
from intake_assistant.tui.screens.followup_forms import cut

LEVEL_STYLE = {"relance": "yellow", "alerte": "bold red"}


class AgendaScreen(Screen[None]):
    DEFAULT_CSS = """
    AgendaScreen #agenda-summary { padding: 0 1; }
    AgendaScreen #agenda-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "Retour"),
        Binding("left", "day(-1)", "Veille", priority=True),
        Binding("right", "day(1)", "Lendemain", priority=True),
        Binding("a", "today", "Aujourd'hui"),
        Binding("m", "mine", "Mes rendez-vous"),
        Binding("i", "ics", "Export .ics"),
        Binding("enter", "open", "Ouvrir", show=False),
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self._day = day
        self.only_mine = False
        self.agenda: fi.Agenda | None = None

    @property
    def day(self) -> date:
        return self._day or self.app.today  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static("[b]Agenda[/b]", id="agenda-title", classes="title-bar")
        yield Static("Chargement…", id="agenda-summary")
        with VerticalScroll():
            yield DataTable(id="agenda-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#agenda-table", DataTable)
        for label, key in (("Quand", "when"), ("Personne", "who"), ("Dossier", "id"),
                           ("Quoi", "what"), ("Où / qui", "where")):
            table.add_column(label, key=key)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load(self.day, self._me() if self.only_mine else None)

    def _me(self) -> str:
        """The login recorded on the rows this agent writes."""
        app: Any = self.app
        identity = getattr(app, "identity", None)
        return identity.login if identity is not None else app.agent

    @work(thread=True, exclusive=True, group="agenda")
    def _load(self, day: date, agent: str | None) -> None:
        app: Any = self.app
        try:
            agenda = fi.agenda(app.store, day, agent=agent)
        except (ValueError, StoreError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 severity="error")
            return
        app.call_from_thread(self._show, agenda)

    def _show(self, agenda: fi.Agenda) -> None:
        self.agenda = agenda
        app: Any = self.app
        whose = f" — rendez-vous de {app.agent}" if self.only_mine else " — tout le service"
        self.query_one("#agenda-title", Static).update(
            f"[b]Agenda du {french.format_date_long(agenda.day)}[/b]{whose}")
        self.query_one("#agenda-summary", Static).update(agenda.summary())
        table = self.query_one("#agenda-table", DataTable)
        table.clear()

        def heading(title: str, count: int) -> None:
            table.add_row(Text(f"{title} ({count})", style="bold"), "", "", "", "")

        heading("Rendez-vous", len(agenda.appointments))
        for a in agenda.appointments:
            style = "dim" if a.state.value != "prevu" else ""
            state = "" if a.state.value == "prevu" else f" [{a.state.label}]"
            table.add_row(Text(f"{a.start:%H:%M}", style=style),
                          cut(a.person or "(sans nom)", 20), a.dossier_id,
                          Text(cut(a.subject + state, 26), style=style),
                          cut(f"{a.who_booked} — {a.place}" if a.agent else a.place, 30),
                          key=f"rdv|{a.dossier_id}|{a.row_id}")
        heading("À rappeler", len(agenda.callbacks))
        for c in agenda.callbacks:
            late = c.due < agenda.day
            table.add_row(Text(french.format_date(c.due), style="yellow" if late else ""),
                          cut(c.person or "(sans nom)", 20), c.dossier_id, cut(c.reason, 26),
                          c.telephone or "—",
                          key=f"cb|{c.dossier_id}|{c.row_id}")
        heading("À relancer", len(agenda.waiting))
        for w in agenda.waiting:
            style = LEVEL_STYLE.get(w.level.value, "")
            table.add_row(Text(f"{w.days} j", style=style, justify="right"),
                          cut(w.person or "(sans nom)", 20), w.dossier_id,
                          Text(f"{w.level.label} ({french.format_date(w.sent)})",
                               style=style), cut(w.body, 30),
                          key=f"dem|{w.dossier_id}|{w.row_id}")
        if agenda.to_record:
            heading("À renseigner", len(agenda.to_record))
            for a in agenda.to_record:
                table.add_row(f"{french.format_date(a.day)} {a.start:%H:%M}",
                              cut(a.person, 20), a.dossier_id, cut(a.subject, 26),
                              cut(a.place, 30), key=f"old|{a.dossier_id}|{a.row_id}")
        heading("À venir 14 j", len(agenda.upcoming))
        for a in agenda.upcoming:
            table.add_row(f"{french.format_date(a.day)} {a.start:%H:%M}", cut(a.person, 20),
                          a.dossier_id, cut(a.subject, 26), cut(a.place, 30),
                          key=f"next|{a.dossier_id}|{a.row_id}")
        first = next((i for i, key in enumerate(table.rows) if key.value), 0)
        table.move_cursor(row=first)

    # -- actions -----------------------------------------------------------------------------
    def _selected(self) -> tuple[str, str] | None:
        """(kind of line, dossier id) of the line under the cursor; None on a heading."""
        table = self.query_one("#agenda-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if not key:
            return None
        kind, dossier_id, _ = str(key).split("|")
        return kind, dossier_id

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_day(self, delta: int) -> None:
        self._day = self.day + timedelta(days=delta)
        self.reload()

    def action_today(self) -> None:
        self._day = None
        self.reload()

    def action_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.reload()

    @on(DataTable.RowSelected, "#agenda-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """The dossier's follow-up, on the tab of the line (requests or appointments)."""
        chosen = self._selected()
        if chosen:
            from intake_assistant.tui.screens.followup import FollowupScreen

            kind, dossier_id = chosen
            self.app.push_screen(FollowupScreen(dossier_id, tab=0 if kind == "dem" else 1))

    def action_ics(self) -> None:
        from .followup_forms import path_form

        app: Any = self.app
        default = str(Path.home() / f"rendez-vous-{self.day.isoformat()}.ics")

        def done(path: str | None) -> None:
            if path:
                self._export(Path(path).expanduser())

        app.push_screen(path_form("Rendez-vous à partir de ce jour, au format .ics", default),
                        done)

    @work(thread=True, group="agenda-write")
    def _export(self, path: Path) -> None:
        from intake_assistant.app.followup_exports import export_ics

        app: Any = self.app
        try:
            written, count = export_ics(app.store, path, date_from=self.day,
                                        agent_filter=self._me() if self.only_mine else None,
                                        agent=app.agent)
        except (OSError, ValueError, StoreError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Export impossible", severity="error")
            return
        app.call_from_thread(app.notify, f"{count} rendez-vous écrits dans {written}.")
