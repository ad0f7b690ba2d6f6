"""Dossier: summary, answers by section, what is left, orientation, loan simulation, meetings,
status changes, audit trail; hand-off to the evaluation questionnaire; export for the commission.

Everything is read (and every change written) in worker threads; the store's French message is
shown when it refuses a change.
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

AID_STYLE = {"eligible": "green", "to_check": "yellow", "not_eligible": "red"}


class DossierScreen(Screen[None]):
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("escape", "back", "Retour"),
        Binding("c", "continue", "Continuer"),
        Binding("v", "evaluation", "Évaluation"),
        Binding("r", "meeting", "Rencontre"),
        Binding("s", "status", "Statut"),
        Binding("d", "decision", "Décision"),
        Binding("a", "abandon", "Abandon"),
        Binding("n", "note", "Note"),
        Binding("x", "export", "Export"),
        Binding("u", "followup", "Suivi", show=False),
    ]

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.view: dossiers.DossierView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Dossier {self.dossier_id}[/b] — chargement…", id="dossier-title",
                     classes="title-bar")
        with TabbedContent(id="tabs"):
            for pane_id, title in (("resume", "Résumé"), ("reponses", "Réponses"),
                                   ("orientation", "Orientation"), ("simulation", "Simulation"),
                                   ("rencontres", "Rencontres"), ("historique", "Historique")):
                with TabPane(title, id=f"tab-{pane_id}"), VerticalScroll():
                    yield Static(id=f"body-{pane_id}", classes="tab-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="dossier")
    def _load(self) -> None:
        from intake_assistant.app.dossiers import dossier_view
        from intake_assistant.store import StoreError

        app: Any = self.app
        try:
            view = dossier_view(app.store, self.dossier_id, app.today)
        except StoreError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error")
            return
        app.call_from_thread(self._show, view)

    # -- painting ------------------------------------------------------------------------------
    def _show(self, view: dossiers.DossierView) -> None:
        self.view = view
        doc = view.doc
        answers = doc.get("answers") or {}
        who = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k))
        self.query_one("#dossier-title", Static).update(
            f"[b]Dossier {doc['id']}[/b] — {escape(who or '(sans nom)')} — "
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
        row("Agent en charge", doc.get("agent") or "—")
        row("Créé le", f"{fmt.stamp(doc.get('created_at'))} par {doc.get('created_by') or '—'}")
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
                   "a abandon · n note · x export", style="dim")
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
        out = Text()
        for s in view.orientation.suggestions:
            label, icon, _ = fmt.AID_STATUS[s.status]
            out.append(f"{icon} {s.name} — {label}\n", style=f"bold {AID_STYLE[s.status]}")
            for reason in s.reasons:
                out.append(f"    • {reason}\n")
            if s.orient_to and s.status != "not_eligible":
                out.append(f"    → {s.orient_to}\n", style="dim")
                for item in s.bring:
                    out.append(f"      à apporter : {item}\n", style="dim")
        if view.orientation.missing:
            out.append("\nRéponses qui manquent : " + ", ".join(view.orientation.missing),
                       style="yellow")
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
            out.append(f"  ({m.get('agent') or '—'})\n", style="dim")
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
                       f"  ({change.get('agent') or '—'})\n")
        if doc.get("commission"):
            c = doc["commission"]
            out.append(f"  Commission du {fmt.day(c.get('date'))} : "
                       f"{fmt.status_label(c.get('decision', ''))} "
                       f"{fmt.money(c.get('montant_accorde'))}\n")
        notes = doc.get("notes") or []
        if notes:
            out.append("\nNotes\n", style="bold underline")
            for note in notes:
                out.append(f"  {fmt.stamp(note.get('at'))} ({note.get('agent') or '—'}) ",
                           style="dim")
                out.append(f"{note.get('text')}\n")
        out.append("\nJournal des modifications\n", style="bold underline")
        for line in view.audit:
            change = f"{line.old} → {line.new}" if line.old is not None else line.new
            out.append(f"  {fmt.stamp(line.at)} ", style="dim")
            out.append(f"{line.label} : {change}  ({line.agent or '—'})\n")
        return out

    # -- actions -------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.leave(self)  # type: ignore[attr-defined]

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
        from intake_assistant.tui.screens.forms import decision_form

        app: Any = self.app

        def done(values: dict[str, Any] | None) -> None:
            if values:
                self._write(lambda store: dossiers.record_decision(store, self.dossier_id,
                                                                   agent=app.agent, **values),
                            "Décision enregistrée.")

        app.push_screen(decision_form(app.today), done)

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
        from intake_assistant.store import StoreError

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
        from intake_assistant.store import StoreError

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
            SystemCommand("Enregistrer la décision", "Décision de la commission (d)",
                          self.action_decision),
            SystemCommand("Exporter la synthèse", "Pour la commission (x)", self.action_export),
            SystemCommand("Suivi du dossier", "Demandes aux partenaires, rendez-vous, "
                          "remboursement (u)", self.action_followup),
        ]
