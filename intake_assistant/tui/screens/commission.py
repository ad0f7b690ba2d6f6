"""« Commission »: the sessions, each one's agenda, the decisions per aid, the session PDF.

The sessions are on the left, the agenda of the highlighted one on the right (Tab goes from one
to the other). Nothing is decided here: each key calls one intent of ``app/casework.py`` in a
worker thread and shows its French refusal when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from intake_assistant.app import casework
from intake_assistant.core import french
from intake_assistant.core.statuses import status_label
from intake_assistant.tui.screens.casework_forms import CompactForm, parse_amount, parse_months

DECISION_STYLE = {"accorde": "green", "refuse": "red", "ajourne": "yellow"}


class CommissionScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Retour", id="commission.back"),
        Binding("n", "new_session", "Nouvelle séance", id="commission.new_session"),
        Binding("a", "add", "Inscrire", id="commission.add"),
        Binding("x", "remove", "Retirer", id="commission.remove"),
        Binding("d", "decide", "Décider", id="commission.decide"),
        Binding("p", "pdf", "PDF de séance", id="commission.pdf"),
        Binding("enter", "open", "Ouvrir", show=False, id="commission.open"),
        Binding("plus", "move(1)", "Descendre", show=False, id="commission.move_down"),
        Binding("minus", "move(-1)", "Monter", show=False, id="commission.move_up"),
    ]
    DEFAULT_CSS = """
    CommissionScreen #commission-body { height: 1fr; }
    CommissionScreen #sessions { width: 30; }
    CommissionScreen #agenda-box { width: 1fr; }
    CommissionScreen OptionList { height: 1fr; }
    CommissionScreen #agenda-title { height: 1; padding: 0 1; text-style: bold; }
    CommissionScreen #commission-hint { height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[casework.Session] = []
        self.agenda: casework.SessionView | None = None
        self.loads = 0  # paints done (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Static("[b]Commission du CCAS[/b] — séances et ordres du jour", classes="title-bar")
        with Horizontal(id="commission-body"):
            yield OptionList(id="sessions")
            with Vertical(id="agenda-box"):
                yield Static("", id="agenda-title")
                yield OptionList(id="agenda")
        yield Static("Tab : séances ↔ ordre du jour · Entrée : ouvrir le dossier · +/- : "
                     "ordre", id="commission-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- loading -----------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self._load(select or self.current_id())

    @work(thread=True, exclusive=True, group="commission")
    def _load(self, select: str | None) -> None:
        app: Any = self.app
        try:
            found = casework.list_sessions(app.store)
            chosen = select if any(s.id == select for s in found) else (
                found[0].id if found else None)
            view = casework.session_view(app.store, chosen) if chosen else None
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error")
            return
        app.call_from_thread(self._show, found, view)

    def _show(self, found: list[casework.Session], view: casework.SessionView | None) -> None:
        self.sessions, self.agenda = found, view
        sessions = self.query_one("#sessions", OptionList)
        with self.prevent(OptionList.OptionHighlighted):
            sessions.clear_options()
            for s in found:
                sessions.add_option(Option(
                    f"{french.format_date(s.date)} {s.time} · {len(s.agenda)} doss.\n"
                    f"  {s.place[:24]}", id=s.id))
            if view is not None:
                sessions.highlighted = next(i for i, s in enumerate(found)
                                            if s.id == view.session.id)
        self._show_agenda(view)
        if not (sessions.has_focus or self.query_one("#agenda", OptionList).has_focus):
            sessions.focus()
        self.loads += 1

    def _show_agenda(self, view: casework.SessionView | None) -> None:
        title = self.query_one("#agenda-title", Static)
        agenda = self.query_one("#agenda", OptionList)
        highlighted = agenda.highlighted
        agenda.clear_options()
        if view is None:
            title.update("Aucune séance : n en crée une.")
            return
        s = view.session
        title.update(f"Séance du {french.format_date_long(s.date)} à {s.time} — {s.place}")
        for n, e in enumerate(view.entries, 1):
            # two lines: who and what; then the documents and the decisions
            line = Text(f"{n:>2}. {e.dossier_id}  {e.name}")
            line.append(f" — {e.project}\n    ", style="dim")
            pieces = {None: ("pièces : liste à établir", "dim"), True: ("dossier complet",
                                                                      "green"),
                      False: ("dossier incomplet", "yellow")}[e.complete]
            line.append(pieces[0], style=pieces[1])
            for d in e.decided:
                line.append(f" · {casework.short_name(d['aid'])} : "
                            f"{status_label(d['decision']).lower()}",
                            style=DECISION_STYLE.get(d["decision"], ""))
            if not e.decided and e.readable:
                line.append(f" · {status_label(e.status)}", style="italic")
            agenda.add_option(Option(line, id=e.dossier_id))
        if view.entries:
            agenda.highlighted = min(highlighted or 0, len(view.entries) - 1)
        else:
            agenda.add_option(Option(Text("Aucun dossier inscrit : a en inscrit un.",
                                          style="dim"), disabled=True))

    @on(OptionList.OptionHighlighted, "#sessions")
    def _session_moved(self, event: OptionList.OptionHighlighted) -> None:
        if self.agenda is None or event.option.id != self.agenda.session.id:
            self._load(event.option.id)

    @on(OptionList.OptionSelected, "#agenda")
    def _agenda_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def current_id(self) -> str | None:
        return self.agenda.session.id if self.agenda else None

    def selected_dossier(self) -> str | None:
        agenda = self.query_one("#agenda", OptionList)
        if self.agenda is None or agenda.highlighted is None or not self.agenda.entries:
            return None
        return agenda.get_option_at_index(agenda.highlighted).id

    # -- writing --------------------------------------------------------------------------------
    @work(thread=True, group="commission-write")
    def _write(self, change: Callable[[Any], Any], done: str | Callable[[Any], str]) -> None:
        app: Any = self.app
        try:
            result = change(app.store)
        except (casework.StoreError, OSError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Refusé", severity="error", timeout=8)
            return
        app.call_from_thread(app.notify, done(result) if callable(done) else done,
                             timeout=8)
        select = result.id if isinstance(result, casework.Session) else None
        app.call_from_thread(self.reload, select)

    def action_back(self) -> None:
        self.app.leave(self)  # type: ignore[attr-defined]

    def action_new_session(self) -> None:
        app: Any = self.app

        def check(values: dict[str, str]) -> dict[str, Any]:
            try:
                day = french.parse_date(values["date"], app.today)
            except french.ParseError as exc:
                raise ValueError(exc.message) from None
            return {"day": day, "time": values["heure"] or None,
                    "place": values["lieu"] or None}

        def done(values: dict[str, Any] | None) -> None:
            if values:
                self._write(lambda store: casework.create_session(store, **values),
                            lambda s: f"Séance du {french.format_date(s.date)} créée.")

        conf = casework.settings()
        app.push_screen(CompactForm("Nouvelle séance de la commission", [
            ("date", "Date (JJ/MM/AAAA)", ""), ("heure", "Heure", conf.time),
            ("lieu", "Lieu", conf.place)], check), done)

    def action_add(self) -> None:
        session_id = self.current_id()
        if session_id is None:
            self.app.notify("Créez d'abord une séance (n).", severity="warning")
            return
        app: Any = self.app

        def check(values: dict[str, str]) -> str:
            text = values["dossier"].strip().upper().removeprefix("D-")
            year, _, number = text.partition("-")
            if not (len(year) == 4 and year.isdigit() and number.isdigit()):
                raise ValueError("Numéro du dossier : D-2026-000012, ou 2026-12.")
            return f"D-{year}-{int(number):06d}"

        def done(dossier_id: str | None) -> None:
            if not dossier_id:
                return

            def add(store: Any) -> tuple[Any, list[str]]:
                return casework.add_to_session(store, session_id, dossier_id,
                                               agent=app.agent, today=app.today)

            self._write(lambda store: _added(add(store)), lambda r: r.message)

        app.push_screen(CompactForm("Inscrire un dossier à la séance", [
            ("dossier", "Numéro (D-2026-000012 ou 2026-12)", "")], check), done)

    def action_remove(self) -> None:
        session_id, dossier_id = self.current_id(), self.selected_dossier()
        if session_id is None or dossier_id is None:
            return
        self._write(lambda store: casework.remove_from_session(store, session_id, dossier_id),
                    f"{dossier_id} retiré de l'ordre du jour.")

    def action_move(self, delta: int) -> None:
        session_id, dossier_id = self.current_id(), self.selected_dossier()
        if session_id is None or dossier_id is None:
            return
        self._write(lambda store: casework.move_in_session(store, session_id, dossier_id,
                                                           delta), "Ordre du jour modifié.")

    def action_open(self) -> None:
        dossier_id = self.selected_dossier()
        if dossier_id:
            self.app.open_dossier(dossier_id)  # type: ignore[attr-defined]

    def action_decide(self) -> None:
        session_id, dossier_id = self.current_id(), self.selected_dossier()
        if session_id is None or dossier_id is None:
            self.app.notify("Choisissez un dossier de l'ordre du jour.", severity="warning")
            return
        open_decision(self, session_id, dossier_id, self.reload)

    def action_pdf(self) -> None:
        session_id = self.current_id()
        if session_id is None:
            return
        app: Any = self.app
        default = str(Path.home() / f"seance-{session_id}.pdf")

        def check(values: dict[str, str]) -> str:
            if not values["fichier"].strip():
                raise ValueError("Indiquez le fichier à écrire.")
            return values["fichier"].strip()

        def done(path: str | None) -> None:
            if path:
                self._write(lambda store: casework.session_pdf(
                    store, session_id, Path(path).expanduser(), agent=app.agent,
                    today=app.today), lambda p: f"Document de séance écrit : {p}")

        app.push_screen(CompactForm("Document de séance (PDF)", [("fichier", "Fichier",
                                                                  default)], check), done)


class _Added:
    def __init__(self, session: Any, warnings: list[str]) -> None:
        self.id = session.id
        lines = [f"Dossier inscrit à la séance du {french.format_date(session.date)}."]
        self.message = "\n".join(lines + [f"Attention : {w}" for w in warnings])


def _added(result: tuple[Any, list[str]]) -> _Added:
    return _Added(*result)


# -- the decision on one dossier ---------------------------------------------------------------
def open_decision(screen: Screen[Any], session_id: str | None, dossier_id: str,
                  after: Callable[[], None]) -> None:
    """Load what the decision needs (in a worker), then show the decision screen."""
    app: Any = screen.app

    def load() -> None:
        try:
            chosen = session_id or casework.decision_session(app.store, dossier_id,
                                                             app.today).id
            session = casework.get_session(app.store, chosen)
            doc = app.store.load(dossier_id)
            defaults = casework.decision_defaults(doc)
            terms = casework.terms()
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Décision impossible",
                                 severity="warning", timeout=8)
            return

        def show() -> None:
            def done(saved: bool | None) -> None:
                if saved:
                    after()
            app.push_screen(DecisionScreen(session, dossier_id, defaults, terms), done)

        app.call_from_thread(show)

    app.run_worker(load, thread=True, group="decision-load")


class DecisionScreen(Screen[bool]):
    """The commission's decision on each aid of one dossier, recorded together (Ctrl+S)."""

    BINDINGS = [
        Binding("escape", "cancel", "Annuler", id="decision.cancel"),
        Binding("a", "grant", "Accorder", id="decision.grant"),
        Binding("r", "refuse", "Refuser", id="decision.refuse"),
        Binding("j", "adjourn", "Ajourner", id="decision.adjourn"),
        Binding("e", "clear", "Effacer", id="decision.clear"),
        Binding("ctrl+s", "save", "Enregistrer", priority=True, id="decision.save"),
    ]
    DEFAULT_CSS = """
    DecisionScreen OptionList { height: auto; max-height: 12; }
    DecisionScreen #decision-help { padding: 1 1; color: $text-muted; }
    """

    def __init__(self, session: casework.Session, dossier_id: str,
                 defaults: list[dict[str, Any]], terms: Mapping[str, Any]) -> None:
        super().__init__()
        self.session, self.dossier_id, self.terms = session, dossier_id, terms
        self.proposed = {str(d["aid"]): d for d in defaults}
        self.aids = [str(d["aid"]) for d in defaults] + [a for a in terms
                                                         if a not in self.proposed]
        self.items: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Décision — dossier {self.dossier_id}[/b] — séance du "
                     f"{french.format_date(self.session.date)} (date de la décision)",
                     classes="title-bar")
        yield OptionList(id="decision-aids")
        yield Static("a accorder · r refuser · j ajourner · e effacer · Ctrl+S enregistrer la "
                     "décision · Échap annuler\nLes aides sans décision ne sont pas "
                     "enregistrées.", id="decision-help")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._paint()
        self.query_one(OptionList).focus()

    def _paint(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for aid in self.aids:
            term = self.terms[aid]
            line = Text(f"{term.name[:44]:<44} ")
            item = self.items.get(aid)
            if item is None:
                proposed = self.proposed.get(aid)
                hint = "proposée" if proposed and proposed.get("montant") else ""
                line.append(f"— {hint}", style="dim")
            else:
                line.append(status_label(item["decision"]),
                            style=f"bold {DECISION_STYLE[item['decision']]}")
                line.append(f"  {_terms_text(item)}")
            options.add_option(Option(line, id=aid))
        options.highlighted = highlighted or 0

    def _aid(self) -> str | None:
        options = self.query_one(OptionList)
        return None if options.highlighted is None else self.aids[options.highlighted]

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_clear(self) -> None:
        aid = self._aid()
        if aid:
            self.items.pop(aid, None)
            self._paint()

    def action_grant(self) -> None:
        aid = self._aid()
        if aid is None:
            return
        term = self.terms[aid]
        base = self.items.get(aid) or self.proposed.get(aid) or {}
        amount = base.get("montant")
        fields = [("montant", "Montant accordé (€)",
                   french.format_number(amount, 0) if amount else "")]
        if term.loan:
            fields += [("duree", f"Durée en mois (≤ {term.max_months})",
                        str(base.get("duree_mois") or "")),
                       ("taux", "Taux annuel (%)", french.format_number(
                           (base.get("taux_annuel") if base.get("taux_annuel") is not None
                            else term.rate) * 100, 2))]
        fields.append(("conditions", "Conditions", str(base.get("conditions") or "")))

        def check(values: dict[str, str]) -> dict[str, Any]:
            out: dict[str, Any] = {"aid": aid, "decision": "accorde",
                                   "montant": parse_amount(values["montant"], "Montant"),
                                   "conditions": values["conditions"]}
            if out["montant"] is None:
                raise ValueError("Indiquez le montant accordé.")
            if term.loan:
                out["duree_mois"] = parse_months(values["duree"], "Durée")
                try:
                    out["taux_annuel"] = float(french.parse_number(values["taux"])) / 100
                except french.ParseError as exc:
                    raise ValueError(f"Taux : {exc.message}") from None
            return out

        self.app.push_screen(CompactForm(f"Accorder : {term.name}", fields, check), self._set)

    def _reason(self, decision: str) -> None:
        from intake_assistant.tui.screens.forms import ChoiceScreen

        aid = self._aid()
        if aid is None:
            return
        reasons = casework.reasons(decision)
        verb = "Refuser" if decision == "refuse" else "Ajourner"

        def chosen(reason: str | None) -> None:
            if reason:
                self._set({"aid": aid, "decision": decision, "motif": reason})

        self.app.push_screen(ChoiceScreen(f"{verb} « {self.terms[aid].name} » : motif",
                                          reasons), chosen)

    def action_refuse(self) -> None:
        self._reason("refuse")

    def action_adjourn(self) -> None:
        self._reason("ajourne")

    def _set(self, item: dict[str, Any] | None) -> None:
        if item:
            self.items[str(item["aid"])] = item
            self._paint()

    def action_save(self) -> None:
        if not self.items:
            self.app.notify("Indiquez la décision sur au moins une aide (a, r ou j).",
                            severity="warning")
            return
        self._save(list(self.items.values()))

    @work(thread=True, group="decision-write")
    def _save(self, items: list[dict[str, Any]]) -> None:
        app: Any = self.app
        try:
            doc = casework.decide(app.store, self.session.id, self.dossier_id, items,
                                  agent=app.agent, today=app.today)
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Refusé", severity="error",
                                 timeout=10)
            return
        app.call_from_thread(app.notify, f"Décision enregistrée : dossier "
                             f"{status_label(doc['status']).lower()}.")
        app.call_from_thread(self.dismiss, True)


def _terms_text(item: Mapping[str, Any]) -> str:
    if item["decision"] != "accorde":
        labels = dict(casework.reasons(item["decision"]))
        return str(labels.get(item.get("motif"), item.get("motif")))
    text = french.format_money(item["montant"])
    if item.get("duree_mois"):
        text += f" sur {item['duree_mois']} mois"
    if item.get("conditions"):
        text += f" — {item['conditions']}"
    return text
