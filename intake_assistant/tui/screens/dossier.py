"""Dossier: summary, answers by section, what is left, orientation, loan simulation, meetings,
status changes, audit trail; hand-off to the evaluation questionnaire; export for the commission.

Everything is read (and every change written) in worker threads; the store's French message is
shown when it refuses a change. One dossier screen at a time (the app closes the previous one),
reloaded whenever it comes back to the top. The tabs answer ← → (whatever has the focus, after a
dialog too), 1 to 6 and Ctrl+PgPréc / Ctrl+PgSuiv; ↑ ↓ PgPréc PgSuiv scroll the tab shown; F7
opens the orientation's reasons in a full screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from intake_assistant.app import dossiers
from intake_assistant.core.statuses import Status
from intake_assistant.tui import text as fmt

TABS = (("resume", "Résumé"), ("reponses", "Réponses"), ("orientation", "Orientation"),
        ("simulation", "Simulation"), ("rencontres", "Rencontres"), ("historique", "Historique"),
        ("commission", "Commission"))


def who(doc: Any) -> str:
    answers = doc.get("answers") or {}
    return " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k)) or "(sans nom)"


class DossierScreen(Screen[None]):
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("escape", "back", "Accueil", id="dossier.back"),
        # priority: a scrolled tab body would otherwise take ← → for itself
        Binding("left", "tab(-1)", "Onglet", priority=True, key_display="←→"),
        Binding("right", "tab(1)", "Onglet suivant", priority=True, show=False),
        Binding("ctrl+pageup", "tab(-1)", "Onglet précédent", show=False),
        Binding("ctrl+pagedown", "tab(1)", "Onglet suivant", show=False),
        *(Binding(str(i), f"show_tab({i - 1})", title, show=False)
          for i, (_, title) in enumerate(TABS, start=1)),
        Binding("f7", "reasons", "Motifs", id="dossier.reasons"),
        Binding("c", "continue", "Continuer", id="dossier.continue"),
        Binding("v", "evaluation", "Évaluation", id="dossier.evaluation"),
        # Listed under « Actions » in the summary, in F1 and in the palette: a footer that
        # overflows its line is cut mid-word.
        Binding("r", "meeting", "Rencontre", show=False, id="dossier.meeting"),
        Binding("s", "status", "Statut", show=False, id="dossier.status"),
        Binding("d", "decision", "Décision", show=False, id="dossier.decision"),
        Binding("a", "abandon", "Abandon", show=False, id="dossier.abandon"),
        Binding("n", "note", "Note", show=False, id="dossier.note"),
        Binding("x", "export", "Export", show=False, id="dossier.export"),
        # the casework (tui/screens/casework_actions.py)
        Binding("e", "casework('assessment')", "Éval. écrite", show=False,
                id="dossier.assessment"),
        Binding("p", "casework('proposal')", "Proposition", show=False, id="dossier.proposal"),
        Binding("j", "casework('documents')", "Pièces", show=False, id="dossier.documents"),
        Binding("l", "casework('letter')", "Courrier", show=False, id="dossier.letter"),
        Binding("t", "casework('referent')", "Référent", show=False, id="dossier.referent"),
        Binding("u", "followup", "Suivi", show=False, id="dossier.followup"),
    ]

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.view: dossiers.DossierView | None = None
        self._names: dict[str, str] = {}  # agents' login -> name

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Dossier {self.dossier_id}[/b] — chargement…", id="dossier-title",
                     classes="title-bar")
        with TabbedContent(id="tabs"):
            for i, (pane_id, title) in enumerate(TABS, start=1):
                with TabPane(f"{i} {title}", id=f"tab-{pane_id}"), \
                        VerticalScroll(id=f"scroll-{pane_id}"):
                    yield Static(id=f"body-{pane_id}", classes="tab-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self._focus_tab()

    def on_screen_resume(self) -> None:
        self.reload()
        self._focus_tab()  # after a dialog: the keys go to the tabs again

    # -- tabs ----------------------------------------------------------------------------------
    @property
    def active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active

    def action_show_tab(self, index: int) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab-{TABS[index % len(TABS)][0]}"
        self._focus_tab()

    def action_tab(self, delta: int) -> None:
        ids = [f"tab-{pane_id}" for pane_id, _ in TABS]
        current = ids.index(self.active_tab) if self.active_tab in ids else 0
        self.action_show_tab(current + delta)

    def _focus_tab(self) -> None:
        """The shown tab's body takes the keys: ↑ ↓ PgPréc PgSuiv scroll it."""
        pane_id = self.active_tab.removeprefix("tab-") or TABS[0][0]
        self.query_one(f"#scroll-{pane_id}", VerticalScroll).focus()

    def action_reasons(self) -> None:
        if self.view is None:
            return
        self.app.show_reasons(  # type: ignore[attr-defined]
            f"Motifs de l'orientation — dossier {self.dossier_id} — {who(self.view.doc)}",
            self.view.orientation.suggestions, self.view.orientation.missing)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="dossier")
    def _load(self) -> None:
        from intake_assistant.app.dossiers import dossier_view
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.home import agent_names

        app: Any = self.app
        try:
            view = dossier_view(app.store, self.dossier_id, app.today)
            names = agent_names(app.store)
        except StoreError as exc:
            app.call_from_thread(self._unreadable, exc.message)
            return
        except (OSError, ValueError) as exc:  # a data file gone or refused: say it, stay up
            app.call_from_thread(self._unreadable, str(exc))
            return
        app.call_from_thread(self._show, view, names)
        from intake_assistant.app.casework import dossier_panel
        from intake_assistant.tui.screens.casework_actions import panel_text

        try:
            panel = panel_text(dossier_panel(app.store, view.doc, app.today))
        except (StoreError, ValueError) as exc:  # ValueError: a broken settings file
            panel = Text(getattr(exc, "message", None) or str(exc))
        app.call_from_thread(self.query_one("#body-commission", Static).update, panel)

    def _unreadable(self, message: str) -> None:
        self.query_one("#dossier-title", Static).update(
            f"[b]Dossier {self.dossier_id}[/b] — illisible")
        self.query_one("#body-resume", Static).update(
            Text(f"Ce dossier ne peut pas être affiché : {message}", style="bold red"))
        self.app.notify(message, title="Dossier illisible", severity="error", timeout=8)

    def _agent(self, login: Any) -> str:
        """An agent as staff know them: the name of the recorded login."""
        return self._names.get(str(login), str(login)) if login else "—"

    # -- painting ------------------------------------------------------------------------------
    def _show(self, view: dossiers.DossierView, names: dict[str, str] | None = None) -> None:
        self._names = names or {}
        self.view = view
        doc = view.doc
        self.query_one("#dossier-title", Static).update(
            f"[b]Dossier {doc['id']}[/b] — {escape(who(doc))} — "
            f"{fmt.status_label(doc['status'])}"
        )
        self.query_one("#body-resume", Static).update(self._summary(view))
        self.query_one("#body-reponses", Static).update(self._answers(view))
        self.query_one("#body-orientation", Static).update(self._orientation(view))
        self.query_one("#body-simulation", Static).update(self._simulation(view))
        self.query_one("#body-rencontres", Static).update(self._meetings(view))
        self.query_one("#body-historique", Static).update(self._history(view))

    def _summary(self, view: dossiers.DossierView) -> Text:
        doc, it = view.doc, view.interview
        a = doc.get("answers") or {}
        computed = view.orientation.computed
        out = Text()

        def row(label: str, value: str) -> None:
            out.append(f"{label:<26}", style="dim")
            out.append(f"{value}\n")

        row("Statut", fmt.status_label(doc["status"]))
        days = view.delays.get("days_in_status")
        if days is not None:
            row("Depuis", f"{days} j")
        row("Référent", self._agent(doc.get("agent")))
        row("Créé le", f"{fmt.stamp(doc.get('created_at'))} par "
                       f"{self._agent(doc.get('created_by'))}")
        row("Téléphone", str(a.get("telephone") or "—"))
        row("Commune", str(a.get("commune_residence") or "—"))
        project = it.display(it.step_for("type_projet")) if it.step_for("type_projet") else "—"
        row("Projet", project if a.get("type_projet") else "—")
        row("Montant demandé", fmt.money(a.get("montant_demande")))
        from intake_assistant.app.questionnaires import questionnaire_title

        row("Questionnaires", ", ".join(
            questionnaire_title(qid) for qid in doc.get("questionnaires") or []) or "—")
        from intake_assistant.app.followup import open_requests_text

        waits = open_requests_text(doc, self.app.today)  # type: ignore[attr-defined]
        for i, (text, level) in enumerate(waits):  # requests to partners (u: the follow-up)
            out.append(f"{'Attente partenaire' if i == 0 else '':<26}", style="dim")
            out.append(f"{text}\n", style={"alerte": "bold red", "relance": "yellow"}.get(
                level, ""))
        out.append("\nBudget\n", style="bold")
        if not self.app.may("lire_evaluation"):  # type: ignore[attr-defined]
            # reception reads the phone intake's answers only: say so next to the figures
            out.append("  D'après l'accueil téléphonique seulement (l'évaluation est réservée "
                       "au travailleur social).\n", style="italic yellow")
        row("Foyer", f"{fmt.number(computed.get('nb_personnes'), 0)} pers. · "
                     f"{fmt.number(computed.get('nb_uc'), 1)} UC")
        row("Reste à vivre", fmt.money(computed.get("reste_a_vivre")))
        row("Par UC et par jour", f"{fmt.number(computed.get('rav_jour_uc'))} €/j")
        row("Mensualité estimée", fmt.money(computed.get("mensualite_estimee"), 2))
        row("Reste après mensualité", f"{fmt.number(computed.get('rav_jour_uc_apres'))} €/j")
        left = it.left_to_complete()
        out.append(f"\nÀ compléter ({len(left)})\n", style="bold")
        for step in left:
            out.append(f"  • {it.question_text(step)}\n")
        if not left:
            out.append("  Rien : le questionnaire est complet.\n")
        status = doc["status"]
        out.append("\nActions : ", style="bold")
        out.append("c continuer · v évaluation · r rencontre · s statut · d décision · "
                   "a abandon · n note · x export · e évaluation écrite · p proposition · "
                   "j pièces · l courrier · t référent", style="dim")
        if status == Status.PREMIER_CONTACT:
            out.append(f"\n{Status.PREMIER_CONTACT.label} : v ouvre l'évaluation (ce qui est "
                       "connu n'est pas redemandé).", style="italic")
        return out

    def _answers(self, view: dossiers.DossierView) -> Text:
        it = view.interview
        out = Text()
        current = None
        for step, question, answer in it.transcript():
            section = view.questionnaire.section_of(step.question)
            if section.id != current:
                current = section.id
                out.append(f"\n{section.title}\n", style="bold underline")
            out.append(f"  {question}\n", style="dim")
            out.append(f"    {answer}\n", style="italic" if step.path in it.unknown else "")
        shown = {s.question.id for s, _, _ in it.transcript()}
        others = {k: v for k, v in (view.doc.get("answers") or {}).items() if k not in shown}
        if others:
            out.append("\nAutres réponses\n", style="bold underline")
            for key, value in others.items():
                out.append(f"  {key} : {value}\n")
        return out

    def _orientation(self, view: dossiers.DossierView) -> Text:
        from intake_assistant.tui.screens.reasons import orientation_text

        out = orientation_text(view.orientation.suggestions, view.orientation.missing)
        out.append("\n\nF7 : les motifs en plein écran", style="dim")
        return out

    def _simulation(self, view: dossiers.DossierView) -> Table | Text:
        if not view.simulation:
            return Text(view.simulation_error or "Rien à simuler.")
        table = Table(title=f"Montant : {fmt.money(view.simulation[0].montant)}", expand=False)
        for header in ("Produit", "Durée", "Taux", "Mensualité", "Coût", "RAV/j/UC après"):
            table.add_column(header, justify="right" if header != "Produit" else "left")
        for r in view.simulation:
            after = "—" if r.rav_jour_uc_apres is None else f"{fmt.number(r.rav_jour_uc_apres)} €"
            style = "red" if r.above_floor is False or not r.amount_allowed else ""
            table.add_row(
                dossiers.PRODUCT_SHORT_LABELS.get(r.product, r.label),
                f"{r.duree_mois} mois", f"{fmt.number(r.taux_annuel * 100, 2)} %",
                fmt.money(r.mensualite, 2), fmt.money(r.cout_total, 2), after, style=style,
            )
        return table

    def _meetings(self, view: dossiers.DossierView) -> Text:
        out = Text()
        meetings = view.doc.get("rencontres") or []
        for m in meetings:
            who = m.get("partenaire") or m.get("avec")
            out.append(f"{fmt.day(m.get('date'))}  avec {who}", style="bold")
            out.append(f"  ({self._agent(m.get('agent'))})\n", style="dim")
            if m.get("note"):
                out.append(f"    {m['note']}\n")
        if not meetings:
            out.append("Aucune rencontre enregistrée.\n")
        out.append("\nr : ajouter une rencontre", style="dim")
        return out

    def _history(self, view: dossiers.DossierView) -> Text:
        doc = view.doc
        out = Text()
        out.append("Statuts\n", style="bold underline")
        for change in doc.get("status_history") or []:
            out.append(f"  {fmt.stamp(change.get('at'))}  {fmt.status_label(change['status'])}"
                       f"  ({self._agent(change.get('agent'))})\n")
        if doc.get("commission"):
            c = doc["commission"]
            out.append(f"  Commission du {fmt.day(c.get('date'))} : "
                       f"{fmt.status_label(c.get('decision', ''))} "
                       f"{fmt.money(c.get('montant_accorde'))}\n")
        notes = doc.get("notes") or []
        if notes:
            out.append("\nNotes\n", style="bold underline")
            for note in notes:
                out.append(f"  {fmt.stamp(note.get('at'))} ({self._agent(note.get('agent'))}) ",
                           style="dim")
                out.append(f"{note.get('text')}\n")
        out.append("\nJournal des modifications\n", style="bold underline")
        for line in view.audit:
            change = f"{line.old} → {line.new}" if line.old is not None else line.new
            out.append(f"  {fmt.stamp(line.at)} ", style="dim")
            out.append(f"{line.label} : {change}  ({self._agent(line.agent)})\n")
        return out

    # -- actions -------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.go_home()  # type: ignore[attr-defined]

    def action_continue(self) -> None:
        self.app.resume_interview(self.dossier_id)  # type: ignore[attr-defined]

    def action_evaluation(self) -> None:
        self.app.resume_interview(self.dossier_id, "evaluation")  # type: ignore[attr-defined]

    def action_meeting(self) -> None:
        from intake_assistant.tui.screens.forms import meeting_form

        app: Any = self.app

        def done(values: dict[str, Any] | None) -> None:
            if values:
                self._write(lambda store: dossiers.add_meeting(store, self.dossier_id,
                                                               agent=app.agent, **values),
                            "Rencontre ajoutée.")

        app.push_screen(meeting_form(app.today), done)

    def action_status(self) -> None:
        from intake_assistant.tui.screens.forms import ChoiceScreen

        if self.view is None:
            return
        app: Any = self.app
        options = [(s, fmt.status_label(s)) for s in self.view.next_statuses]

        def done(status: str | None) -> None:
            if status:
                self._write(lambda store: dossiers.set_status(store, self.dossier_id, status,
                                                              agent=app.agent),
                            f"Statut : {fmt.status_label(status)}.")

        app.push_screen(ChoiceScreen("Changer le statut du dossier", options), done)

    def action_decision(self) -> None:
        from intake_assistant.tui.screens import casework_actions

        # per aid, dated by the commission session (casework); the old one-amount form is gone
        casework_actions.decision(self, self.dossier_id, self.reload)

    def action_casework(self, what: str) -> None:
        from intake_assistant.tui.screens import casework_actions as actions

        if what == "proposal":
            if self.view is not None:
                actions.proposal(self, self.dossier_id, self.view.doc, self.reload)
        elif what in ("assessment", "documents"):
            getattr(actions, what)(self, self.dossier_id)
        else:
            getattr(actions, what)(self, self.dossier_id, self.reload)

    def action_abandon(self) -> None:
        from intake_assistant.tui.screens.forms import ChoiceScreen

        app: Any = self.app

        def done(choice: str | None) -> None:
            if choice == "oui":
                self._write(lambda store: dossiers.abandon(store, self.dossier_id,
                                                           agent=app.agent),
                            "Dossier abandonné.")

        app.push_screen(ChoiceScreen("Abandonner ce dossier ?",
                                     [("non", "Non, garder le dossier"),
                                      ("oui", "Oui, la personne abandonne")]), done)

    def action_note(self) -> None:
        from intake_assistant.tui.screens.forms import NoteScreen

        app: Any = self.app

        def done(text: str | None) -> None:
            if text:
                self._write(lambda store: dossiers.add_note(store, self.dossier_id, text,
                                                            agent=app.agent),
                            "Note ajoutée.")

        app.push_screen(NoteScreen(), done)

    def action_followup(self) -> None:
        """Requests to partners, appointments, repayment (tui/screens/followup.py)."""
        from intake_assistant.tui.screens.followup import FollowupScreen

        self.app.push_screen(FollowupScreen(self.dossier_id))

    def action_export(self) -> None:
        from intake_assistant.tui.screens.forms import export_form

        app: Any = self.app

        def done(values: dict[str, str] | None) -> None:
            if values:
                self._export(values["format"], values["fichier"])

        default = str(Path.home() / f"synthese-{self.dossier_id}")
        app.push_screen(export_form(default), done)

    @work(thread=True, group="dossier-write")
    def _export(self, fmt_name: str, output: str) -> None:
        from intake_assistant.app.errors import StoreError

        app: Any = self.app
        try:
            dossiers.export_summary(app.store, self.dossier_id, fmt_name,
                                    Path(output).expanduser(), today=app.today, agent=app.agent)
        except (OSError, ValueError, StoreError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Export impossible", severity="error")
            return
        app.call_from_thread(app.notify, f"Synthèse écrite : {output}")

    @work(thread=True, group="dossier-write")
    def _write(self, change: Callable[[Any], Any], done: str) -> None:
        from intake_assistant.app.errors import StoreError

        app: Any = self.app
        try:
            change(app.store)
        except StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Refusé", severity="error",
                                 timeout=8)
            return
        app.call_from_thread(app.notify, done)
        app.call_from_thread(self.reload)

    def palette_commands(self) -> list[Any]:
        from textual.app import SystemCommand

        return [
            SystemCommand("Continuer l'entretien", "Reprendre le questionnaire (c)",
                          self.action_continue),
            SystemCommand("Continuer avec l'évaluation", "Passage au travailleur social (v)",
                          self.action_evaluation),
            SystemCommand("Ajouter une rencontre", "Date, avec qui, note (r)",
                          self.action_meeting),
            SystemCommand("Changer le statut", "Envoyer en commission, clore… (s)",
                          self.action_status),
            SystemCommand("Enregistrer la décision", "Décision de la commission, aide par "
                          "aide (d)", self.action_decision),
            SystemCommand("Écrire l'évaluation sociale", "Pour la commission (e)",
                          lambda: self.action_casework("assessment")),
            SystemCommand("Proposer des aides", "Montant, durée, mensualité (p)",
                          lambda: self.action_casework("proposal")),
            SystemCommand("Pièces justificatives", "Liste, reçues, à fournir (j)",
                          lambda: self.action_casework("documents")),
            SystemCommand("Écrire un courrier", "Convocation, notification… (l)",
                          lambda: self.action_casework("letter")),
            SystemCommand("Changer de référent", "Confier le dossier (t)",
                          lambda: self.action_casework("referent")),
            SystemCommand("Exporter la synthèse", "Pour la commission (x)", self.action_export),
            SystemCommand("Suivi du dossier", "Demandes aux partenaires, rendez-vous, "
                          "remboursement (u)", self.action_followup),
        ]
