"""Accueil: the dossier list with instant search, status filters and long waits flagged.

The list comes from the store index in a worker thread (a 50,000-dossier store takes a while to
load the first time); the search box keeps the focus so that typing filters at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from intake_assistant.core.statuses import Status
from intake_assistant.tui import text as fmt
from intake_assistant.tui.config import ROLES

MAX_ROWS = 300
SEARCH_DELAY = 0.12  # seconds of typing pause before searching

# Filters are named with the one status vocabulary (core/statuses.py), in life-cycle order.
FILTERS_ACCUEIL: tuple[tuple[str, str | None], ...] = (
    ("Tous", None), *((s.label, s.value) for s in (
        Status.PREMIER_CONTACT, Status.EN_EVALUATION, Status.EN_INSTRUCTION,
        Status.EN_COMMISSION, Status.AJOURNE, Status.ACCORDE, Status.REFUSE, Status.ABANDONNE,
        Status.CLOS)),
)
# The social worker starts from the dossiers waiting on her.
FILTERS_SOCIAL = (FILTERS_ACCUEIL[1], FILTERS_ACCUEIL[4], FILTERS_ACCUEIL[0],
                  *FILTERS_ACCUEIL[2:4], *FILTERS_ACCUEIL[5:])


@dataclass
class Listing:
    rows: list[Any]
    total: int
    to_evaluate: int
    awaiting_decision: int


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("ctrl+n", "new_default", "Nouveau", priority=True),
        Binding("ctrl+t", "new('accueil_telephonique')", "Accueil tél.", priority=True,
                show=False),
        Binding("ctrl+e", "new('evaluation')", "Évaluation", priority=True, show=False),
        Binding("ctrl+r", "resume", "Reprendre", priority=True),
        Binding("enter", "open", "Ouvrir", show=False),
        Binding("f5", "next_filter", "Filtre"),
        Binding("f6", "agenda", "Agenda", show=False),
        Binding("f9", "app.statistics", "Stats"),
        Binding("ctrl+q", "app.quit", "Quitter"),
        Binding("shift+f5", "previous_filter", "Filtre préc.", show=False),
        Binding("up", "cursor(-1)", "Monter", show=False),
        Binding("down", "cursor(1)", "Descendre", show=False),
        Binding("pageup", "cursor(-10)", show=False),
        Binding("pagedown", "cursor(10)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._filter = 0
        self._followup: dict[str, Any] | None = None  # dossier id -> its longest partner wait
        self._listing: Listing | None = None

    @property
    def filters(self) -> tuple[tuple[str, str | None], ...]:
        return FILTERS_SOCIAL if self.app.role == "travailleur_social" else FILTERS_ACCUEIL

    def compose(self) -> ComposeResult:
        yield Static(id="home-title", classes="title-bar")
        yield Static(id="home-actions")
        yield Static(id="home-agenda")  # today's agenda and partner waits (follow-up), if any
        with Horizontal(id="search-row"):
            yield Static("Rechercher :", id="search-label")
            yield Input(placeholder="nom, prénom, téléphone ou n° de dossier", id="search")
        yield Static(id="filters")
        yield DataTable(id="dossiers", cursor_type="row", zebra_stripes=True)
        yield Static(id="home-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#home-agenda", Static).display = False
        table = self.query_one("#dossiers", DataTable)
        table.add_column("N° dossier", key="id")
        table.add_column("Nom", key="nom")
        table.add_column("Statut", key="status")
        table.add_column("Dernier contact", key="contact")
        table.add_column("Attente", key="wait")
        table.add_column("Agent", key="agent")
        table.can_focus = False  # the search box keeps the keyboard; ↑/↓ move the row
        self._paint_header()
        self.query_one("#search", Input).focus()
        if self.app.screen is self:  # not when an interview opens straight away over this screen:
            self.reload()    # loading a big index would compete with it for the store
            self._load_followup()
        self.call_after_refresh(self.app.load_in_background)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        self._paint_header()
        self.query_one("#search", Input).focus()
        if self.app.screen is self:
            self.reload()  # a dossier may have been created or changed meanwhile
            self._load_followup()

    # -- header --------------------------------------------------------------------------------
    def _paint_header(self, listing: Listing | None = None) -> None:
        role = ROLES.get(self.app.role, "")
        self.query_one("#home-title", Static).update(
            f"[b]Accueil — Dossiers[/b]   Agent : {self.app.agent} ({role})"
        )
        others = "[b]Entrée[/b] Ouvrir · [b]Ctrl+R[/b] Reprendre l'entretien"
        if self.app.role == "travailleur_social":
            first, second = Status.PREMIER_CONTACT.label, Status.EN_COMMISSION.label
            counts = f"{first} : … · {second} : …"
            if listing is not None:
                counts = (f"{first} : {listing.to_evaluate} · "
                          f"{second} : {listing.awaiting_decision}")
            actions = (f"▶ [b]{counts}[/b]\n[b]Ctrl+N[/b] Nouvelle évaluation · "
                       f"[b]Ctrl+T[/b] Accueil téléphonique · {others}")
        else:
            actions = (f"▶ [b]Ctrl+N Nouvel accueil téléphonique[/b] · "
                       f"[b]Ctrl+E[/b] Évaluation · {others}")
        self.query_one("#home-actions", Static).update(actions)
        chips = []
        for i, (label, _) in enumerate(self.filters):
            chip = f"[@click=screen.set_filter({i})]{label}[/]"
            chips.append(f"[reverse]{chip}[/reverse]" if i == self._filter else chip)
        self.query_one("#filters", Static).update("Statut (F5) : " + "  ".join(chips))

    # -- loading -------------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self.reload)

    def reload(self) -> None:
        search = self.query_one("#search", Input).value.strip() or None
        status = self.filters[self._filter][1]
        self.query_one("#home-status", Static).update("Recherche…")
        self._load(search, status)

    @work(thread=True, exclusive=True, group="home-list")
    def _load(self, search: str | None, status: str | None) -> None:
        store = self.app.store
        rows = store.list(status=status, search=search)
        listing = Listing(rows[:MAX_ROWS], len(rows),
                          len(store.list(status=Status.PREMIER_CONTACT)),
                          len(store.list(status=Status.EN_COMMISSION)))
        self.app.call_from_thread(self._show, listing)

    @work(thread=True, exclusive=True, group="home-followup")
    def _load_followup(self) -> None:
        """Today's agenda and the requests waiting at partners (not on every keystroke)."""
        from intake_assistant.app.followup_index import agenda, waiting_by_dossier

        app: Any = self.app
        try:
            today = agenda(app.store, app.today)
            waiting = waiting_by_dossier(app.store, app.today)
        except (ValueError, LookupError, OSError):
            return  # the list still works without the follow-up
        app.call_from_thread(self._show_followup, today, waiting)

    def _show_followup(self, today: Any, waiting: dict[str, Any]) -> None:
        self._followup = waiting
        widget = self.query_one("#home-agenda", Static)
        busy = today.appointments or today.callbacks or today.waiting or today.to_record
        widget.display = bool(busy)
        if busy:
            widget.update(f"[b]F6 Agenda[/b] du jour : {escape(today.summary())}")
        if waiting and self._listing is not None:
            self._show(self._listing)  # flag the rows of the dossiers waiting at a partner

    def _show(self, listing: Listing) -> None:
        self._listing = listing
        table = self.query_one("#dossiers", DataTable)
        table.clear()
        today = self.app.today
        low, high = self.app.wait_days
        for e in listing.rows:
            name = " ".join(part for part in (e.nom, e.prenom) if part) or "(sans nom)"
            wait = fmt.days_since(e.last_contact, today)
            waiting = e.status in fmt.WAITING_STATUSES and wait is not None
            style = ""
            if waiting and wait >= high:
                style = "bold red"
            elif waiting and wait >= low:
                style = "yellow"
            wait_text = Text(f"{wait} j" if waiting else "—", style=style, justify="right")
            partner_wait = (self._followup or {}).get(e.id)
            name_text = Text(name, style=style)
            if partner_wait is not None:  # a request to a partner over its threshold
                flag = "bold red" if partner_wait.level.value == "alerte" else "yellow"
                name_text = Text.assemble(("⚑ ", flag), name_text)
            table.add_row(
                Text(e.id, style=style), name_text, fmt.status_label(e.status),
                fmt.day(e.last_contact), wait_text, e.agent or "—", key=e.id,
            )
        shown = len(listing.rows)
        total = fmt.plural(listing.total, "dossier")
        more = f" — les {shown} plus récents affichés" if listing.total > shown else ""
        legend = f"   attente ≥ {low} j en jaune, ≥ {high} j en rouge"
        if self._followup:
            legend += " · ⚑ demande à un partenaire à relancer"
        self.query_one("#home-status", Static).update(f"{total}{more}{legend}")
        self._paint_header(listing)

    # -- actions -------------------------------------------------------------------------------
    def _selected_id(self) -> str | None:
        table = self.query_one("#dossiers", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#dossiers", DataTable)
        if table.row_count:
            row = max(0, min(table.row_count - 1, table.cursor_row + delta))
            table.move_cursor(row=row)

    def action_set_filter(self, index: int) -> None:
        self._filter = index % len(self.filters)
        self._paint_header()
        self.reload()

    def action_next_filter(self) -> None:
        self.action_set_filter(self._filter + 1)

    def action_previous_filter(self) -> None:
        self.action_set_filter(self._filter - 1)

    @on(Input.Submitted, "#search")
    def action_open(self) -> None:
        dossier_id = self._selected_id()
        if dossier_id:
            self.app.open_dossier(dossier_id)

    @on(DataTable.RowSelected)
    def _row_clicked(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_dossier(str(event.row_key.value))

    def action_agenda(self) -> None:
        from intake_assistant.tui.screens.agenda import AgendaScreen

        self.app.push_screen(AgendaScreen())

    def action_new_default(self) -> None:
        self.app.new_interview()

    def action_new(self, questionnaire: str) -> None:
        self.app.new_interview(questionnaire)

    def action_resume(self) -> None:
        dossier_id = self._selected_id()
        if dossier_id:
            self.app.resume_interview(dossier_id)
