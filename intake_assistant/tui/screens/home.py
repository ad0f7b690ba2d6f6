"""Accueil: the dossier list with instant search, status filters and long waits flagged.

The list comes from the application layer (`app.home.home_listing`) in a worker thread; the search
box keeps the focus so that typing filters at once. A search looks in every status: while one is
typed, the filter chips start on « Tous » and F5 narrows what was found (the count says how many
the filter hides); the filter chosen before comes back when the search is emptied.

`ready` tells that what is shown is the listing of what is typed and chosen now (tests wait on
it, never on time); `ListShown` is posted each time a listing is painted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from intake_assistant.app.agents import ROLES
from intake_assistant.core.statuses import Status, status_label
from intake_assistant.tui import text as fmt
from intake_assistant.tui.cropped_compositor import use_cropped_compositor
from intake_assistant.tui.keymap import key_of
from intake_assistant.tui.widgets.dossier_list import Column, DossierList
from intake_assistant.tui.widgets.key_bar import KeyBar
from intake_assistant.tui.widgets.painted import Painted

SEARCH_DELAY = 0.12  # seconds of typing pause before searching
SLOW = 0.3  # seconds a listing may take before the status line says « Recherche… »
WIDE = 100  # from this width on, the list also shows the date of the last contact

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
# The responsable starts from the dossiers before the commission.
FILTERS_RESPONSABLE = (FILTERS_ACCUEIL[4], FILTERS_ACCUEIL[0], *FILTERS_ACCUEIL[1:4],
                       *FILTERS_ACCUEIL[5:])
UNFINISHED = "incomplet"  # said of a phone intake left before its end
# The key bar: what Textual's footer showed here (F1 lists every key), most useful first.
KEY_BAR = (
    ("home.new_default", "Nouveau"), ("home.resume", "Reprendre"),
    ("home.next_filter", "Filtre"), ("app.help", "Aide"), ("app.command_palette", "Commandes"),
)


def status_text(row: Any, wide: bool) -> str:
    label = status_label(row.entry.status)
    if row.intake_finished is False:
        return f"{label} ({UNFINISHED})" if wide else f"{label}, {UNFINISHED}"
    return label


def short_agent(name: str) -> str:
    """« Agnès Durand » -> « Agnès D. » (narrow screens)."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[0]} {parts[-1][0]}."


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(1, width - 1)] + "…"


def column_widths(width: int, rows: list[Any]) -> dict[str, int]:
    """Columns fitted to the screen: every column shows at 80 columns (« Attente » and
    « Agent » included); the last contact's date only from WIDE on."""
    wide = width >= WIDE
    status_w = max([len(status_text(r, wide)) for r in rows] + [len("Statut")])
    fixed = {"id": max([len(r.id) for r in rows] + [len("N° dossier")]),
             "status": status_w, "wait": len("Attente")}
    if wide:
        fixed["contact"] = len("Dernier contact")
    columns = len(fixed) + 2
    free = width - 2 - 2 * columns - sum(fixed.values())  # 2: the scroll bar; 2 per column
    agent = max(8, min(22, free * 2 // 5))
    return {**fixed, "name": max(8, free - agent), "agent": agent}


class SearchInput(Input):
    # An Input's virtual width follows its text, and Textual lays the whole screen out again
    # when it changes, at every key typed; the box has a fixed size: a repaint is enough.
    virtual_size = Reactive(Size(0, 0), layout=False)


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("ctrl+n", "new_default", "Nouveau", priority=True, id="home.new_default"),
        Binding("ctrl+t", "new('accueil_telephonique')", "Accueil tél.", priority=True,
                show=False, id="home.new_phone"),
        Binding("ctrl+e", "new('evaluation')", "Évaluation", priority=True, show=False,
                id="home.new_evaluation"),
        Binding("ctrl+r", "resume", "Reprendre", priority=True, id="home.resume"),
        Binding("enter", "open", "Ouvrir", show=False, id="home.open"),
        Binding("f5", "next_filter", "Filtre", id="home.next_filter"),
        # Listed in F1 and in the palette: the footer must fit 60 columns.
        Binding("f11", "app.commission", "Commission", priority=True, show=False,
                id="home.commission"),
        # F9 (statistics, the responsable's) and Ctrl+Q are the app's keys: not in this footer;
        # the responsable's header names F9.
        Binding("f6", "agenda", "Agenda", show=False, id="home.agenda"),
        Binding("shift+f5", "previous_filter", "Filtre préc.", show=False,
                id="home.previous_filter"),
        Binding("up", "cursor(-1)", "Monter", show=False),
        Binding("down", "cursor(1)", "Descendre", show=False),
        Binding("pageup", "cursor(-10)", show=False),
        Binding("pagedown", "cursor(10)", show=False),
    ]

    class ListShown(Message):
        """A listing was painted (tests and tools may wait on it)."""

    def __init__(self) -> None:
        super().__init__()
        use_cropped_compositor(self)  # a search typed: only the rows it changes rendered
        self._timer: Timer | None = None
        self._filter = 0  # the filter chosen without a search
        self._search_filter: int | None = None  # the filter while a search is typed (« Tous »)
        self._request = 0  # listings asked for; only the last one asked is painted
        self._shown_request = -1
        self._listed_request = -1  # the request whose rows are on the screen (first pass or not)
        # Enter or Ctrl+R pressed before the search typed was listed: done on its rows, once
        # they are shown (not on the rows of the search before, still on the screen).
        self._pending: Callable[[str], None] | None = None
        self._typing = False  # the search changed and its delay has not run out yet
        self.listing: Any = None  # the app.home.HomeListing painted last
        self._columns: tuple[bool, dict[str, int]] | None = None
        self._filters_fit: tuple[int, tuple[str, ...]] | None = None  # (width, texts) fitted
        self._followup: dict[str, Any] | None = None  # dossier id -> its longest partner wait
        self._resumed = False  # the screen has been shown once (later resumes reload)
        self._first_shown = False  # a first listing reached the screen

    # -- state ---------------------------------------------------------------------------------
    @property
    def filters(self) -> tuple[tuple[str, str | None], ...]:
        role = self.app.role  # type: ignore[attr-defined]
        if role == "travailleur_social":
            return FILTERS_SOCIAL
        if role == "responsable":
            return FILTERS_RESPONSABLE
        return FILTERS_ACCUEIL

    @property
    def search_text(self) -> str:
        return self.query_one("#search", Input).value.strip()

    @property
    def filter_index(self) -> int:
        if not self.search_text:
            return self._filter
        if self._search_filter is None:  # a search starts on « Tous »
            return next(i for i, (_, status) in enumerate(self.filters) if status is None)
        return self._search_filter

    @property
    def ready(self) -> bool:
        """What is shown is the listing of the search typed and the filter chosen now, for the
        authenticated agent."""
        return (self.app.identity is not None  # type: ignore[attr-defined]
                and not self._typing and self._shown_request == self._request
                and self.listing is not None)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Painted(id="home-title", classes="title-bar")
        yield Painted(id="home-actions")
        yield Painted(id="home-agenda")  # today's agenda and partner waits (follow-up), if any
        with Horizontal(id="search-row"):
            yield Static("Rechercher :", id="search-label")
            yield SearchInput(placeholder="nom, prénom, téléphone ou n° de dossier",
                              id="search")
        yield Painted(id="filters")
        yield DossierList(id="dossiers")
        yield Painted(id="home-status")
        yield KeyBar(KEY_BAR, id="keys")

    def on_mount(self) -> None:
        self.query_one("#home-agenda", Painted).display = False
        self._paint_header()
        search = self.query_one("#search", Input)
        search.cursor_blink = False  # a steady cursor: always visible where typing goes
        search.focus()
        if self.app.screen is self:  # not when an interview opens straight away over this screen:
            self.reload()    # loading a big index would compete with it for the store

    def on_screen_resume(self) -> None:
        self._paint_header()
        self.query_one("#search", Input).focus()
        if not self._resumed:  # the first resume follows the mount, which loaded already
            self._resumed = True
            return
        if self.app.screen is self:
            self.reload()  # a dossier may have been created or changed meanwhile
            self._load_followup()

    def _after_first_list(self) -> None:
        """Once the first list is on the screen, what can wait until then: the follow-up
        (today's agenda, partner waits) and the app's loading ahead of need. Started earlier,
        their threads would hold the interpreter lock while the list is painted."""
        self._load_followup()
        self.app.after_first_list()  # type: ignore[attr-defined]
        # Searches will follow: a store that can keeps its search columns in memory (TinyDB:
        # built in the background, ~5 ms a search at 200,000 instead of a 20–40 ms scan).
        prepare = getattr(self.app.store, "prepare_search", None)  # not in the contract
        if prepare is not None:
            prepare()

    def on_resize(self, event: events.Resize) -> None:
        self._paint_header(self.listing)  # the filter line fitted to the new width
        if self.listing is not None and self._columns != self._columns_for(self.listing):
            self._fill(self.listing)  # other columns at this width (not at the first layout)

    def _columns_for(self, listing: Any) -> tuple[bool, dict[str, int]]:
        width = self.size.width or self.app.size.width
        return width >= WIDE, column_widths(width, listing.rows)

    def identity_changed(self) -> None:
        """The authenticated agent replaced the remembered one (another role: other filters)."""
        self._filter, self._search_filter = 0, None
        self._paint_header(self.listing)
        if self.app.screen is self or self.listing is not None:
            self.reload()

    # -- header --------------------------------------------------------------------------------
    def _paint_header(self, listing: Any = None) -> None:
        app: Any = self.app
        identity = app.identity
        who = identity.label if identity is not None else (
            f"{app.agent} ({ROLES.get(app.role, app.role)})" if app.agent else "identification…")
        self.query_one("#home-title", Painted).paint(
            f"[b]Accueil — Dossiers[/b]   Agent : {escape(who)}"
        )
        def k(action: str) -> str:  # the key in force (settings may remap it)
            return key_of(self.app, action)

        others = f"[b]{k('home.open')}[/b] Ouvrir · [b]{k('home.resume')}[/b] Reprendre l'entretien"
        if app.role in ("travailleur_social", "responsable"):
            first, second = Status.PREMIER_CONTACT.label, Status.EN_COMMISSION.label
            counts = f"{first} : … · {second} : …"
            if listing is not None:
                counts = (f"{first} : {listing.to_evaluate} · "
                          f"{second} : {listing.awaiting_decision}")
            actions = f"▶ [b]{counts}[/b]"
            if app.role == "travailleur_social":
                actions += (f"\n[b]{k('home.new_default')}[/b] Nouvelle évaluation · "
                            f"[b]{k('home.new_phone')}[/b] Accueil téléphonique · {others}")
            else:
                actions += f" · [b]{k('app.statistics')}[/b] Statistiques · {others}"
        else:
            actions = (f"▶ [b]{k('home.new_default')} Nouvel accueil téléphonique[/b] · "
                       f"[b]{k('home.new_evaluation')}[/b] Évaluation · {others}")
        self.query_one("#home-actions", Painted).paint(actions)
        chips = []
        current = self.filter_index
        for i, (label, _) in enumerate(self.filters):
            chip = f"[@click=screen.set_filter({i})]{label}[/]"
            chips.append(f"[reverse]{chip}[/reverse]" if i == current else chip)
        line = "  ".join(chips)
        variants = (f"Statut ({k('home.next_filter')}) : {line}",
                    f"Statut ({k('home.next_filter')} restreint la recherche) : {line}")
        filters = self.query_one("#filters", Painted)
        self._fit_filters(filters, variants)
        filters.paint(variants[1] if self.search_text else variants[0])

    def _fit_filters(self, filters: Painted, variants: tuple[str, ...]) -> None:
        """The filter line keeps the height of its longest variant at this width: the first key
        of a search (the line then says that F5 narrows it) and its clearing repaint it in
        place, and lay out nothing (the list jumped a line, and the key waited for a layout)."""
        width = filters.content_size.width or max(1, (self.size.width or self.app.size.width) - 2)
        if self._filters_fit == (width, variants):
            return
        self._filters_fit = (width, variants)
        lines = max(Content.from_markup(v).get_height(filters.styles, width) for v in variants)
        height = filters.styles.height
        if height is None or not height.is_cells or height.value != lines:
            filters.styles.height = lines

    # -- loading -------------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._typing = True
        self._pending = None  # typing again: Enter is for what will be typed
        if not self.search_text:
            self._search_filter = None  # the next search starts again on « Tous »
        self._paint_header(self.listing)
        self._timer = self.set_timer(SEARCH_DELAY, self.reload)

    def reload(self) -> None:
        self._typing = False
        search = self.search_text or None
        status = self.filters[self.filter_index][1]
        self._request += 1
        if self.listing is None:  # the first listing: nothing else to show meanwhile
            self._say_searching(self._request)
        else:  # the count of the last listing stays until the next one, unless it is slow:
            self.set_timer(SLOW, partial(self._say_searching, self._request))  # a line less
        self._load(self._request, search, status)  # to paint and lay out, twice, per search

    def _say_searching(self, request: int) -> None:
        if request == self._request and self._listed_request < request:
            self.query_one("#home-status", Painted).paint("Recherche…")

    @work(thread=True, exclusive=True, group="home-list")
    def _load(self, request: int, search: str | None, status: str | None) -> None:
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.home import home_listing

        app: Any = self.app
        try:
            # First the rows (milliseconds); which phone intakes are unfinished comes once they
            # are painted (`_check_intakes`): replaying them would hold the paint (issue 16).
            listing = home_listing(app.store, search=search, status=status)
            app.call_from_thread(self._show, request, listing)
        except StoreError as exc:
            app.call_from_thread(self._failed, request, exc.message)

    @work(thread=True, exclusive=True, group="home-intakes")
    def _check_intakes(self, request: int, listing: Any) -> None:
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.intake_progress import with_intakes_checked

        app: Any = self.app
        if request != self._request:
            return  # a later listing is on its way (it will be checked in its turn)
        try:
            checked = with_intakes_checked(app.store, listing, app.today)
        except StoreError as exc:
            app.call_from_thread(self._failed, request, exc.message)
            return
        app.call_from_thread(self._show, request, checked)

    def _failed(self, request: int, message: str) -> None:
        if request == self._request:
            self._shown_request = request
            self._pending = None  # nothing listed to open: the message says why
            self.query_one("#home-status", Painted).paint(Text(message, style="bold red"))

    @work(thread=True, exclusive=True, group="home-followup")
    def _load_followup(self) -> None:
        """Today's agenda and the requests waiting at partners (not on every keystroke)."""
        from intake_assistant.app.followup_index import agenda, waiting_by_dossier
        from intake_assistant.app.stores import StoreError

        app: Any = self.app
        try:
            today = agenda(app.store, app.today)
            waiting = waiting_by_dossier(app.store, app.today)
        except (ValueError, LookupError, OSError, StoreError):
            return  # the list says why (a refused agent...) and works without the follow-up
        app.call_from_thread(self._show_followup, today, waiting)

    def _show_followup(self, today: Any, waiting: dict[str, Any]) -> None:
        self._followup = waiting
        widget = self.query_one("#home-agenda", Painted)
        busy = today.appointments or today.callbacks or today.waiting or today.to_record
        widget.display = bool(busy)
        if busy:
            widget.paint(f"[b]F6 Agenda[/b] du jour : {escape(today.summary())}")
        if waiting and self.listing is not None:
            self._fill(self.listing)  # flag the rows of the dossiers waiting at a partner
            low, high = self.app.wait_days  # type: ignore[attr-defined]
            self.query_one("#home-status", Painted).paint(
                self._count_text(self.listing, low, high))

    def _show(self, request: int, listing: Any) -> None:
        if request != self._request:
            return  # a later search or filter is on its way: its listing will be painted
        self.listing = listing
        self._fill(listing)
        self._listed_request = request
        low, high = self.app.wait_days  # type: ignore[attr-defined]
        self.query_one("#home-status", Painted).paint(self._count_text(listing, low, high))
        self._paint_header(listing)
        if listing.complete:  # ready (tests wait on it) once the unfinished intakes are told
            self._shown_request = request
            self.post_message(self.ListShown())
        else:  # the second pass, once these rows are on the screen
            self.call_after_refresh(self._check_intakes, request, listing)
        if self._pending is not None:
            self._act_on_selected(self._pending)
        if not self._first_shown:
            self._first_shown = True
            self.call_after_refresh(self._after_first_list)

    def _fill(self, listing: Any) -> None:
        """The rows of ``listing`` in the list, all at once: the list makes a row's cells only
        when the row comes into view (issue 16)."""
        table = self.query_one("#dossiers", DossierList)
        width = self.size.width or self.app.size.width
        wide = width >= WIDE
        widths = column_widths(width, listing.rows)
        self._columns = (wide, widths)
        table.set_columns([
            Column("id", "N° dossier", widths["id"]),
            Column("nom", "Nom", widths["name"]),
            Column("status", "Statut", widths["status"]),
            *([Column("contact", "Dernier contact", widths["contact"])] if wide else []),
            Column("wait", "Attente", widths["wait"], justify="right"),
            Column("agent", "Agent", widths["agent"]),
        ])
        table.set_rows(listing.rows, self._cells_maker(wide, widths), _row_id)

    def _cells_maker(self, wide: bool, widths: dict[str, int]) -> Any:
        """The function that makes one row's cells, with what it needs taken now (today, the
        wait thresholds, the partner waits)."""
        today = self.app.today  # type: ignore[attr-defined]
        low, high = self.app.wait_days  # type: ignore[attr-defined]
        followup = self._followup or {}
        name_w, agent_w = widths["name"], widths["agent"]

        def cells(row: Any) -> list[Text]:
            e = row.entry
            wait = fmt.days_since(e.last_contact, today)
            waiting = e.status in fmt.WAITING_STATUSES and wait is not None
            style = ""
            if waiting and wait >= high:
                style = "bold red"
            elif waiting and wait >= low:
                style = "yellow"
            agent = row.agent_name or "—"
            status = Text(status_text(row, wide),
                          style="italic" if row.intake_finished is False else "")
            name = Text(clip(row.name, name_w), style=style)
            partner_wait = followup.get(e.id)
            if partner_wait is not None:  # a request to a partner over its threshold
                flag = "bold red" if partner_wait.level.value == "alerte" else "yellow"
                name = Text.assemble(("⚑ ", flag), Text(clip(row.name, name_w - 2), style=style))
            out = [Text(e.id, style=style), name, status]
            if wide:
                out.append(Text(fmt.day(e.last_contact)))
            out += [Text(f"{wait} j" if waiting else "—", style=style, justify="right"),
                    Text(clip(agent if wide else short_agent(agent), agent_w))]
            return out

        return cells

    def _count_text(self, listing: Any, low: int, high: int) -> str:
        """How many were found (and hidden by the filter), what the marks mean: one line."""
        wide = (self.size.width or self.app.size.width) >= WIDE
        shown = len(listing.rows)
        if listing.search is None:
            count = fmt.plural(listing.matched, "dossier")
        elif listing.status is None:
            count = f"{fmt.plural(listing.found, 'dossier')} trouvé{'s' * (listing.found > 1)}" \
                    " (tous statuts)"
        else:
            count = (f"{listing.matched} « {status_label(listing.status)} » sur "
                     f"{listing.found} trouvé{'s' * (listing.found > 1)}")
            if listing.narrowed:
                count += " (F5 : les autres statuts)"
        if listing.matched > shown:
            count += f" — les {shown} plus récents" + (" affichés" if wide else "")
        marks = ""
        if any(r.intake_finished is False for r in listing.rows):
            marks = f" · {UNFINISHED} : accueil non terminé" + (" (Ctrl+R)" if wide else "")
        legend = (f"attente ≥ {low} j en jaune, ≥ {high} j en rouge" if wide
                  else f"≥ {low} j jaune, ≥ {high} j rouge")
        if self._followup:
            legend += " · ⚑ partenaire à relancer"
        return f"{count}{marks} · {legend}"

    # -- actions -------------------------------------------------------------------------------
    def _selected_id(self) -> str | None:
        table = self.query_one("#dossiers", DossierList)
        return table.key_at(table.cursor_row) if table.row_count else None

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#dossiers", DossierList)
        table.move_cursor(table.cursor_row + delta)

    def action_set_filter(self, index: int) -> None:
        index %= len(self.filters)
        if self.search_text:
            self._search_filter = index
        else:
            self._filter = index
        self._paint_header(self.listing)
        self.reload()

    def action_next_filter(self) -> None:
        self.action_set_filter(self.filter_index + 1)

    def action_previous_filter(self) -> None:
        self.action_set_filter(self.filter_index - 1)

    def _act_on_selected(self, act: Callable[[str], None]) -> None:
        """``act(dossier id)`` on the selected row of what is typed now: at once if it is
        listed, else when it is (a search typed and Enter at once: its first row, not the row
        of the list still on the screen)."""
        if self._typing:  # the search delay has not run out: no need to wait for it
            if self._timer is not None:
                self._timer.stop()
            self.reload()
        if self._listed_request != self._request:
            self._pending = act
            return
        self._pending = None
        dossier_id = self._selected_id()
        if dossier_id:
            act(dossier_id)

    @on(Input.Submitted, "#search")
    def action_open(self) -> None:
        self._act_on_selected(self.app.open_dossier)  # type: ignore[attr-defined]

    @on(DossierList.Selected)
    def _row_clicked(self, event: DossierList.Selected) -> None:
        self.app.open_dossier(event.key)  # type: ignore[attr-defined]

    def action_agenda(self) -> None:
        from intake_assistant.tui.screens.agenda import AgendaScreen

        self.app.push_screen(AgendaScreen())

    def action_new_default(self) -> None:
        self.app.new_interview()  # type: ignore[attr-defined]

    def action_new(self, questionnaire: str) -> None:
        self.app.new_interview(questionnaire)  # type: ignore[attr-defined]

    def action_resume(self) -> None:
        self._act_on_selected(self.app.resume_interview)  # type: ignore[attr-defined]


def _row_id(row: Any) -> str:
    return str(row.entry.id)
