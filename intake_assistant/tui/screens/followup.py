"""Suivi d'un dossier: requests to partners (waiting time, flagged over the thresholds), the
bank file, appointments and call-backs, the avance remboursable's schedule and payments.

A thin face on ``app.followup``: every figure comes from there, every change is written there
(in a worker thread); the application layer's French message is shown when it refuses.
Keys: 1/2/3 the tabs; p demande, l relance, e réponse, b dossier banque; r rendez-vous,
h honoré, m manqué, x annulé, t rappel, f rappel fait; o échéancier, v versement,
c rééchelonner; Échap retour.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from intake_assistant.app import followup as fu
from intake_assistant.app.stores import StoreError
from intake_assistant.tui import text as fmt
from intake_assistant.tui.screens.followup_forms import cut

LEVEL_STYLE = {"ok": "", "relance": "yellow", "alerte": "bold red"}
TABS = ("tab-demandes", "tab-rdv", "tab-avance")


class FollowupScreen(Screen[None]):
    DEFAULT_CSS = """
    FollowupScreen #followup-tabs { height: 1fr; }
    FollowupScreen DataTable { height: auto; max-height: 14; }
    FollowupScreen .followup-note { padding: 0 1; color: $text-muted; }
    FollowupScreen .followup-body { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Retour"),
        Binding("1", "tab(0)", "Demandes", show=False),
        Binding("2", "tab(1)", "Rendez-vous", show=False),
        Binding("3", "tab(2)", "Remboursement", show=False),
        Binding("p", "request", "Demande"),
        Binding("l", "remind", "Relance", show=False),
        Binding("e", "answer", "Réponse"),
        Binding("b", "bank_file", "Dossier banque", show=False),
        Binding("r", "appointment", "Rendez-vous"),
        Binding("h", "record('honore')", "Honoré", show=False),
        Binding("m", "record('manque')", "Manqué", show=False),
        Binding("x", "record('annule')", "Annulé", show=False),
        Binding("t", "callback", "Rappel", show=False),
        Binding("f", "callback_done", "Rappel fait", show=False),
        Binding("o", "open_advance", "Échéancier", show=False),
        Binding("v", "payment", "Versement"),
        Binding("c", "reschedule", "Rééchelonner", show=False),
    ]

    def __init__(self, dossier_id: str, tab: int = 0, book: bool = False) -> None:
        """``book``: open the appointment form once loaded (the end of a phone intake)."""
        super().__init__()
        self.dossier_id = dossier_id
        self.initial_tab = tab
        self.book = book
        self.view: fu.FollowupView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Suivi du dossier {self.dossier_id}[/b] — chargement…",
                     id="followup-title", classes="title-bar")
        with TabbedContent(id="followup-tabs"):
            with TabPane("1 Demandes", id="tab-demandes"), VerticalScroll():
                yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
                yield Static(id="requests-note", classes="followup-note")
            with TabPane("2 Rendez-vous", id="tab-rdv"), VerticalScroll():
                yield DataTable(id="appointments", cursor_type="row", zebra_stripes=True)
                yield Static(id="callbacks", classes="followup-body")
            with TabPane("3 Remboursement", id="tab-avance"), VerticalScroll():
                yield Static(id="advance", classes="followup-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        requests = self.query_one("#requests", DataTable)
        for label, key in (("N°", "id"), ("Partenaire", "partner"), ("Aide", "aid"),
                           ("Envoyée le", "sent"), ("Attente", "wait"), ("Réponse", "answer"),
                           ("Relances", "reminders")):
            requests.add_column(label, key=key)
        appointments = self.query_one("#appointments", DataTable)
        for label, key in (("N°", "id"), ("Date", "date"), ("Heure", "time"),
                           ("Objet", "subject"), ("Lieu", "place"), ("Avec", "with"),
                           ("État", "state")):
            appointments.add_column(label, key=key)
        self.action_tab(self.initial_tab)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="followup")
    def _load(self) -> None:
        app: Any = self.app
        try:
            view = fu.followup_view(app.store, self.dossier_id, app.today)
        except (ValueError, LookupError, StoreError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 severity="error")
            return
        app.call_from_thread(self._show, view)

    # -- painting ----------------------------------------------------------------------------
    def _show(self, view: fu.FollowupView) -> None:
        self.view = view
        if self.book:
            self.book = False
            self.call_after_refresh(self.action_appointment)
        answers = view.dossier.get("answers") or {}
        who = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k))
        worst = view.worst_level
        flag = "" if worst.value == "ok" else \
            f" — [{LEVEL_STYLE[worst.value]}]demande {worst.label}[/]"
        self.query_one("#followup-title", Static).update(
            f"[b]Suivi du dossier {view.dossier['id']}[/b] — {who or '(sans nom)'}{flag}")
        self._paint_requests(view)
        self._paint_appointments(view)
        self.query_one("#advance", Static).update(self._advances(view))

    def _paint_requests(self, view: fu.FollowupView) -> None:
        table = self.query_one("#requests", DataTable)
        keep = table.cursor_row
        table.clear()
        for line in view.requests:
            d = line.data
            style = LEVEL_STYLE[line.level.value]
            if line.answered:
                answer = f"{fmt.day(d.get('repondu_le'))} {fu.OUTCOMES.get(d['resultat'], '')}"
                if d.get("montant"):
                    answer += f" {fmt.money(d['montant'])}"
            else:
                answer = line.level.label
            table.add_row(
                line.row["id"], cut(str(d.get("organisme") or d.get("partenaire")), 28),
                cut(str(d.get("aide") or "—"), 14), fmt.day(d.get("envoyee_le")),
                Text(f"{line.waiting_days} j", style=style, justify="right"),
                Text(answer, style=style), str(len(d.get("relances") or [])),
                key=line.row["id"])
        if view.requests:
            table.move_cursor(row=min(keep, table.row_count - 1))
        t = view.thresholds
        self.query_one("#requests-note", Static).update(
            ("" if view.requests else "Aucune demande envoyée.\n")
            + f"Attente en jaune dès {t.remind_days} j (à relancer), en rouge dès "
              f"{t.alert_days} j.\np nouvelle demande · l relance · e réponse · b dossier "
              "pour la banque (PDF)")

    def _paint_appointments(self, view: fu.FollowupView) -> None:
        table = self.query_one("#appointments", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in view.appointments:
            d = row["data"]
            who = {"demandeur": "personne", "partenaire": d.get("partenaire_nom") or "partenaire",
                   "les_deux": f"personne + {d.get('partenaire_nom') or 'partenaire'}"}
            state = {"prevu": "prévu", "honore": "honoré", "manque": "manqué",
                     "annule": "annulé"}.get(d.get("etat"), d.get("etat"))
            table.add_row(row["id"], fmt.day(d.get("date")), str(d.get("heure")),
                          cut(str(d.get("objet")), 28), cut(str(d.get("lieu")), 20),
                          who.get(d.get("avec"), "—"),
                          Text(state, style="red" if d.get("etat") == "manque" else ""),
                          key=row["id"])
        if view.appointments:
            table.move_cursor(row=min(keep, table.row_count - 1))
        out = Text()
        if not view.appointments:
            out.append("Aucun rendez-vous.\n")
        out.append("\nÀ rappeler\n", style="bold")
        open_calls = [c for c in view.callbacks if not c["data"].get("fait_le")]
        for c in view.callbacks:
            d = c["data"]
            done = f" — fait le {fmt.day(d['fait_le'])}" if d.get("fait_le") else ""
            out.append(f"  {fmt.day(d.get('le'))}  {d.get('motif')}{done}\n",
                       style="dim" if done else "")
        if not view.callbacks:
            out.append("  personne à rappeler\n")
        out.append("\nr rendez-vous · h honoré · m manqué · x annulé · t rappel · "
                   f"f rappel fait{' (' + str(len(open_calls)) + ')' if open_calls else ''}",
                   style="dim")
        self.query_one("#callbacks", Static).update(out)

    def _advances(self, view: fu.FollowupView) -> Any:
        if not view.advances:
            return Text("Aucune avance remboursable.\n\no : établir l'échéancier (montant et "
                        "durée de la décision de la commission)", style="")
        parts: list[Any] = []
        for row, s in view.advances:
            head = Text()
            head.append(f"Avance n° {row['id']} : {fmt.money(s.amount_cents / 100, 2)} — "
                        f"{s.state.label}\n", style="bold red" if s.missed else "bold")
            head.append(f"Versé {fmt.money(s.paid_cents / 100, 2)} · reste dû "
                        f"{fmt.money(s.remaining_cents / 100, 2)}")
            if s.missed:
                head.append(f" · {len(s.missed)} échéance(s) impayée(s), "
                            f"{fmt.money(s.overdue_cents / 100, 2)}", style="red")
            if s.reschedulings:
                head.append(f" · rééchelonnée {s.reschedulings} fois")
            table = Table(expand=False, show_edge=False)
            for header in ("N°", "Échéance", "Montant", "Payé", "État"):
                table.add_column(header, justify="left" if header == "État" else "right")
            for line in s.lines:
                style = {"impayee": "red", "en_attente": "yellow", "payee": "dim"}.get(
                    line.state.value, "")
                table.add_row(str(line.instalment.number), fmt.day(line.instalment.due),
                              fmt.money(line.instalment.amount_cents / 100, 2),
                              fmt.money(line.paid_cents / 100, 2), line.state.label,
                              style=style)
            parts += [head, table]
        parts.append(Text("\no échéancier · v versement · c rééchelonner", style="dim"))
        from rich.console import Group

        return Group(*parts)

    # -- helpers -----------------------------------------------------------------------------
    def _selected(self, table_id: str) -> str | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def _selected_request(self) -> fu.RequestLine | None:
        if self.view is None:
            return None
        row_id = self._selected("requests")
        line = next((r for r in self.view.requests if r.row["id"] == row_id), None)
        if line is None:
            self.app.notify("Choisissez une demande (onglet 1, flèches).", severity="warning")
        return line

    def _open_advance(self) -> Any:
        if self.view is None:
            return None
        for row, s in self.view.advances:
            if s.state.value != "rembourse":
                return row
        self.app.notify("Aucune avance en cours : o établit l'échéancier.", severity="warning")
        return None

    @work(thread=True, group="followup-write")
    def _write(self, change: Callable[[Any], Any], done: str | Callable[[Any], str]) -> None:
        app: Any = self.app
        try:
            result = change(app.store)
        except (ValueError, LookupError, StoreError) as exc:  # French messages
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Refusé", severity="error", timeout=8)
            return
        app.call_from_thread(app.notify, done(result) if callable(done) else done)
        app.call_from_thread(self.reload)

    # -- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.leave(self)  # type: ignore[attr-defined]

    def action_tab(self, index: int) -> None:
        self.query_one("#followup-tabs", TabbedContent).active = TABS[index]
        focus = {0: "#requests", 1: "#appointments"}.get(index)
        if focus:
            self.query_one(focus, DataTable).focus()

    def action_request(self) -> None:
        from intake_assistant.tui.screens.forms import ChoiceScreen

        from .followup_forms import request_form

        app: Any = self.app
        try:
            everyone = fu.partners()
            # the banks first: the microcredit is the unit's own action
            listing = everyone.active(banks=True) + everyone.active(banks=False)
        except ValueError as exc:
            app.notify(getattr(exc, "message", None) or str(exc), severity="error")
            return
        options = [(p.id, p.nom) for p in listing]

        def partner_chosen(pid: str | None) -> None:
            if not pid:
                return
            partner = next(p for p in listing if p.id == pid)

            def done(v: dict[str, Any] | None) -> None:
                if v:
                    self._write(lambda store: fu.send_request(
                        store, self.dossier_id, partner=pid, agent=app.agent, today=app.today,
                        **v), f"Demande à {partner.nom} enregistrée.")

            app.push_screen(request_form(partner.nom, partner.aides[0] if partner.aides else "",
                                         app.today, partner.pieces), done)

        self.action_tab(0)
        app.push_screen(ChoiceScreen("À quel partenaire ?", options), partner_chosen)

    def action_remind(self) -> None:
        line = self._selected_request()
        if line is None:
            return
        app: Any = self.app
        self._write(lambda store: fu.remind_request(store, self.dossier_id, line.row["id"],
                                                    day=app.today, agent=app.agent,
                                                    today=app.today),
                    f"Relance de la demande n° {line.row['id']} notée.")

    def action_answer(self) -> None:
        from .followup_forms import answer_form

        line = self._selected_request()
        if line is None:
            return
        app: Any = self.app
        bank = bool(line.partner and line.partner.is_bank)

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.record_answer(
                    store, self.dossier_id, line.row["id"], agent=app.agent, today=app.today,
                    **v), "Réponse enregistrée.")

        app.push_screen(answer_form(str(line.data.get("organisme")), app.today, bank), done)

    def action_bank_file(self) -> None:
        from intake_assistant.app.followup_exports import export_bank_file

        from .followup_forms import path_form

        line = self._selected_request()
        if line is None:
            return
        app: Any = self.app
        default = str(Path.home() / f"{self.dossier_id}-banque-{line.row['id']}.pdf")

        def done(path: str | None) -> None:
            if path:
                self._write(lambda store: export_bank_file(
                    store, self.dossier_id, line.row["id"], "pdf", Path(path).expanduser(),
                    today=app.today, agent=app.agent), f"Dossier pour la banque écrit : {path}")

        app.push_screen(path_form("Dossier à envoyer à la banque (PDF)", default), done)

    def action_appointment(self) -> None:
        from .followup_forms import appointment_form

        app: Any = self.app
        first = self.view is not None and self.view.dossier.get("status") == "premier_contact"
        subject = fu.FIRST_INTERVIEW if first else ""

        def message(booking: fu.Booking) -> str:
            text = "Rendez-vous enregistré."
            for other in booking.overlaps:
                text += (f" Attention : {other.who_booked} a déjà un rendez-vous à "
                         f"{other.start:%H:%M} ({other.person}).")
            return text

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.book_appointment(
                    store, self.dossier_id, agent=app.agent, today=app.today, **v), message)

        try:
            listing = [(p.id, p.nom) for p in fu.partners().active()]
        except ValueError:
            listing = []
        self.action_tab(1)
        app.push_screen(appointment_form(app.today, subject, listing), done)

    def action_record(self, state: str) -> None:
        row_id = self._selected("appointments")
        if row_id is None:
            self.app.notify("Choisissez un rendez-vous (onglet 2, flèches).", severity="warning")
            return
        app: Any = self.app
        label = {"honore": "honoré", "manque": "manqué", "annule": "annulé"}[state]
        self._write(lambda store: fu.record_appointment(store, self.dossier_id, row_id,
                                                        state=state, agent=app.agent,
                                                        today=app.today),
                    f"Rendez-vous n° {row_id} : {label}.")

    def action_callback(self) -> None:
        from .followup_forms import callback_form

        app: Any = self.app

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.add_callback(store, self.dossier_id,
                                                          agent=app.agent, **v),
                            "Rappel noté.")

        app.push_screen(callback_form(app.today), done)

    def action_callback_done(self) -> None:
        if self.view is None:
            return
        waiting = sorted((c for c in self.view.callbacks if not c["data"].get("fait_le")),
                         key=lambda c: str(c["data"].get("le")))
        if not waiting:
            self.app.notify("Aucun rappel en attente.", severity="warning")
            return
        app: Any = self.app
        first = waiting[0]
        self._write(lambda store: fu.callback_done(store, self.dossier_id, first["id"],
                                                   day=app.today, agent=app.agent),
                    f"Rappel fait : {first['data'].get('motif')}.")

    def action_open_advance(self) -> None:
        from .followup_forms import advance_form

        if self.view is None:
            return
        app: Any = self.app
        amount, months, decided = fu.advance_inputs(self.view.dossier)

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.open_advance(store, self.dossier_id,
                                                          agent=app.agent, **v),
                            "Échéancier établi.")

        self.action_tab(2)
        app.push_screen(advance_form(app.today, fmt.number(amount, 0) if amount else "",
                                     str(months or ""), fmt.day(decided) if decided else ""),
                        done)

    def action_payment(self) -> None:
        from .followup_forms import payment_form

        row = self._open_advance()
        if row is None or self.view is None:
            return
        app: Any = self.app
        statement = next(s for r, s in self.view.advances if r["id"] == row["id"])
        due = statement.next_due
        amount = "" if due is None else fmt.number(
            (due.instalment.amount_cents - due.paid_cents) / 100, 2)

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.record_payment(
                    store, self.dossier_id, row["id"], agent=app.agent, today=app.today, **v),
                    "Versement enregistré.")

        self.action_tab(2)
        app.push_screen(payment_form(app.today, amount), done)

    def action_reschedule(self) -> None:
        from .followup_forms import reschedule_form

        row = self._open_advance()
        if row is None:
            return
        app: Any = self.app

        def done(v: dict[str, Any] | None) -> None:
            if v:
                self._write(lambda store: fu.reschedule_advance(
                    store, self.dossier_id, row["id"], agent=app.agent, today=app.today, **v),
                    "Rééchelonnement enregistré.")

        self.action_tab(2)
        app.push_screen(reschedule_form(app.today), done)
