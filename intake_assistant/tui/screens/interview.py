"""Entretien: the chat-style interview over the engine, saved at every accepted answer.

Flow of one answer: the engine parses and validates it (French message under the input when
rejected, a confirmation when it only warns); once accepted, the session saves it durably *before*
the next question is shown, so that nothing acknowledged can be lost; the transcript, the question,
the progress, the fiche and the orientation are then refreshed. The orientation is evaluated on the
UI thread: it takes a few milliseconds (see bench/ui.py), less than handing it to a thread that
would compete with the repaint for the GIL.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from intake_assistant.core.engine import AnswerResult, Interview, Step, display_value
from intake_assistant.tui.widgets.answer_input import AnswerInput
from intake_assistant.tui.widgets.quick_replies import QuickReplies
from intake_assistant.tui.widgets.side_panel import (
    Fiche,
    OrientationList,
    SectionProgress,
    SidePanel,
    progress_bar,
)
from intake_assistant.tui.widgets.transcript import Bubble, Line, Transcript

PANEL_MIN_WIDTH = 100  # below this the side panel starts hidden (F6 shows it)
_ITEM = re.compile(r"^([a-z][a-z0-9_]*)\[(\d+)\]")


class InterviewScreen(Screen[None]):
    CSS_PATH = "interview.tcss"
    BINDINGS = [
        Binding("f2", "question_help", "Aide question"),
        Binding("f3", "unknown", "Je ne sais pas"),
        Binding("f4", "note", "Note"),
        Binding("f6", "toggle_panel", "Panneau"),
        Binding("f7", "toggle_reasons", "Motifs", show=False),
        Binding("up", "cursor(-1)", "Réponse préc.", show=False),
        Binding("down", "cursor(1)", "Réponse suiv.", show=False),
        Binding("ctrl+x", "remove_item", "Supprimer l'élément", show=False),
        Binding("escape", "escape", "Retour"),
        Binding("f10", "finish", "Terminer"),
    ]

    def __init__(self, questionnaire: str | None, dossier_id: str | None = None, *,
                 resumed: bool = False) -> None:
        super().__init__()
        self.questionnaire_name = questionnaire
        self.dossier_id = dossier_id
        self.resumed = resumed
        self.session: Any = None
        self.interview: Interview | None = None
        self._warning: tuple[str, str] | None = None  # (path, text) awaiting confirmation
        self._help_shown = False
        self._panel_forced: bool | None = None
        self.orientation: Any = None  # the last Orientation shown (tests read it)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Entretien — ouverture du dossier…", id="interview-title",
                     classes="title-bar")
        with Horizontal(id="interview-body"):
            with Vertical(id="chat"):
                yield Transcript(id="transcript")
                with Vertical(id="current"):
                    yield Static(id="step-line")
                    yield Static(id="notes")
                    yield Static("Chargement du questionnaire…", id="question")
                    yield QuickReplies(id="replies")
                yield AnswerInput(id="answer", disabled=True)
                yield Static(id="message")
            yield SidePanel(id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_width(self.app.size.width)
        self._start()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        if self._panel_forced is None:
            self.query_one("#panel").display = width >= PANEL_MIN_WIDTH

    # -- session -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="session")
    def _start(self) -> None:
        from intake_assistant import workflow
        from intake_assistant.store import StoreError

        app: Any = self.app
        try:
            store = app.store
            name = self.questionnaire_name
            doc = store.load(self.dossier_id) if self.dossier_id else None
            if name is None:
                done = doc.get("questionnaires") if doc else None
                name = done[-1] if done else app.default_questionnaire()
            questionnaire = workflow.load_questionnaire_by_name(name)
            if doc is not None and questionnaire.audience == "travailleur_social" \
                    and doc.get("status") == "premier_contact":
                # The social worker takes over a phone intake: the evaluation starts.
                store.set_status(doc["id"], "en_evaluation", agent=app.agent)
            session = workflow.InterviewSession.start(
                questionnaire, store=store, dossier_id=self.dossier_id, agent=app.agent,
                today=app.today,
            )
        except (StoreError, OSError, ValueError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            app.call_from_thread(self._failed, message)
            return
        app.call_from_thread(self._ready, session)

    def _failed(self, message: str) -> None:
        if self.resumed:
            self.app.forget_interview()  # type: ignore[attr-defined]
        self.app.notify(message, title="Entretien impossible", severity="error", timeout=8)
        self.dismiss()

    def _ready(self, session: Any) -> None:
        self.session = session
        self.interview = session.interview
        self.dossier_id = session.dossier_id
        self.app.remember_interview(session.dossier_id,  # type: ignore[attr-defined]
                                    session.interview.questionnaire.id)
        answer = self.query_one("#answer", AnswerInput)
        answer.disabled = False
        answer.focus()
        self.refresh_view()
        if self.resumed:
            self.app.notify("Entretien repris là où il s'était arrêté.", title=session.dossier_id)

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()

    # -- refresh -------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        it = self.interview
        if it is None:
            return
        step = it.current_step()
        self._paint_title()
        lines = [Line(s.path, q, a, s.path in it.unknown) for s, q, a in it.transcript()]
        self.query_one(Transcript).sync(lines, editing=it.focus)
        self._show_step(step)
        sections = it.progress()
        self.query_one(SectionProgress).show(sections, step.question.section_id if step else None)
        self.query_one(Fiche).show(it.computed)
        self._show_orientation()

    def _paint_title(self) -> None:
        it = self.interview
        assert it is not None
        who = " ".join(str(it.answers[k]) for k in ("prenom", "nom") if it.answers.get(k))
        title = f"[b]Entretien[/b] — {escape(it.questionnaire.title)} — {self.dossier_id}"
        self.query_one("#interview-title", Static).update(
            f"{title} — {escape(who)}" if who else title
        )

    def _show_step(self, step: Step | None) -> None:
        it = self.interview
        assert it is not None
        answer = self.query_one("#answer", AnswerInput)
        replies = self.query_one(QuickReplies)
        notes = self.query_one("#notes", Static)
        if step is None:
            self.query_one("#step-line", Static).update("")
            notes.display = False
            left = len(it.left_to_complete())
            tail = f" {left} réponse(s) à compléter." if left else ""
            self.query_one("#question", Static).update(
                f"[b]Questionnaire terminé.[/b]{tail} Entrée ou F10 : voir le dossier."
            )
            replies.show_choices([])
            answer.configure("text")
            answer.placeholder = "Entrée : voir le dossier"
            return
        q = step.question
        section = it.questionnaire.section_of(q)
        progress = next((p for p in it.progress() if p.id == section.id), None)
        line = f"[b]{escape(section.title)}[/b]"
        if progress is not None:
            bar = progress_bar(progress.answered, progress.relevant)
            line += f"  {bar} {progress.answered}/{progress.relevant}"
        self.query_one("#step-line", Static).update(line)
        shown_notes = it.notes_before(step)
        notes.display = bool(shown_notes)
        notes.update("\n".join(f"ℹ {escape(n)}" for n in shown_notes))
        text = escape(it.question_text(step))
        if it.focus == step.path:
            text = f"[reverse] Correction [/reverse] {text}"
        self.query_one("#question", Static).update(f"[b]{text}[/b]")
        kind = step.input_type
        if kind in ("choice", "multi_choice"):
            replies.show_choices([c.label for c in q.choices], multi=kind == "multi_choice")
        elif kind == "boolean":
            replies.show_choices_bool()
        else:
            replies.show_choices([])
        default = it.default_for(step)
        shown = display_value(q, default) if default is not None else None
        answer.configure(kind, len(q.choices), shown)
        if self._help_shown:
            self._show_help(step)

    # -- orientation ---------------------------------------------------------------------------
    def _show_orientation(self) -> None:
        from intake_assistant.orientation.evaluate import evaluate
        from intake_assistant.workflow import default_policy

        it = self.interview
        assert it is not None
        self.orientation = evaluate(it.answers, default_policy(), self.app.today, it.unknown)
        self.query_one(OrientationList).show(self.orientation.suggestions)

    # -- answering -----------------------------------------------------------------------------
    @on(AnswerInput.Submitted, "#answer")
    def _submitted(self, event: AnswerInput.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    @on(AnswerInput.Instant)
    def _instant(self, event: AnswerInput.Instant) -> None:
        self.submit(event.text)

    @on(AnswerInput.Changed, "#answer")
    def _typing(self, event: AnswerInput.Changed) -> None:
        if event.value:
            self.query_one(Transcript).clear_cursor()

    def action_pick(self, text: str) -> None:
        """A quick reply clicked."""
        self.submit(text)

    def submit(self, raw: str) -> None:
        it = self.interview
        if it is None:
            return
        transcript = self.query_one(Transcript)
        if transcript.cursor_path is not None and not raw.strip():
            self._edit(transcript.cursor_path)
            return
        step = it.current_step()
        if step is None:
            self.action_finish()
            return
        confirm = self._warning == (step.path, raw)
        result = it.answer(raw, confirm=confirm)
        self._after(result, step, raw)

    def _after(self, result: AnswerResult, step: Step | None, raw: str) -> None:
        answer = self.query_one("#answer", AnswerInput)
        if result.status == "rejected":
            self._warning = None
            answer.value = raw  # keep what was typed, for correction
            self._message("error", " ".join(result.messages))
            return
        if result.status == "warning":
            self._warning = (step.path if step else result.path, raw)
            answer.value = raw
            text = " ".join(result.messages)
            self._message("warning", f"{text}  Entrée : confirmer · ou corrigez la réponse.")
            return
        self._warning = None
        if not self._save():
            return
        answer.value = ""
        self._message(None, "")
        self.refresh_view()

    def _save(self) -> bool:
        from intake_assistant.store import StoreError

        try:
            self.session.save()
        except (StoreError, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._message("error", f"Réponse NON enregistrée : {message}")
            return False
        return True

    def _message(self, kind: str | None, text: str) -> None:
        widget = self.query_one("#message", Static)
        widget.set_classes(kind or "")
        widget.update(escape(text))
        widget.display = bool(text)

    # -- corrections ---------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        transcript = self.query_one(Transcript)
        path = transcript.move_cursor(delta)
        if path is not None:
            self._message("info", "Entrée : modifier cette réponse · Ctrl+X : supprimer "
                                  "l'élément (enfant…) · Échap : annuler")
        else:
            self._message(None, "")

    @on(Bubble.Picked)
    def _bubble_clicked(self, event: Bubble.Picked) -> None:
        self._edit(event.path)

    def _edit(self, path: str) -> None:
        it = self.interview
        assert it is not None
        self.query_one(Transcript).clear_cursor()
        if it.select(path) is None:
            self._message("error", "Cette réponse ne peut pas être modifiée ici.")
            return
        self._save()
        self._message(None, "")
        self.refresh_view()

    def action_escape(self) -> None:
        it = self.interview
        transcript = self.query_one(Transcript)
        if it is None:
            self.dismiss()
        elif transcript.cursor is not None:
            transcript.clear_cursor()
            self._message(None, "")
        elif self._warning is not None or self._help_shown:
            self._warning = None
            self._help_shown = False
            self._message(None, "")
        elif it.focus is not None:
            it.cancel_focus()
            self._save()
            self.refresh_view()
        elif it.back() is not None:
            self._save()
            self.refresh_view()

    def action_remove_item(self) -> None:
        it = self.interview
        path = self.query_one(Transcript).cursor_path
        match = _ITEM.match(path or "")
        if it is None or match is None:
            self._message("error", "Placez-vous (↑) sur une réponse d'un élément (enfant…).")
            return
        if it.remove_item(match.group(1), int(match.group(2))):
            self.query_one(Transcript).clear_cursor()
            if self._save():
                self._message("info", "Élément supprimé.")
                self.refresh_view()

    # -- other keys ----------------------------------------------------------------------------
    def action_unknown(self) -> None:
        it = self.interview
        if it is None or it.current_step() is None:
            return
        step = it.current_step()
        self._after(it.mark_unknown(), step, "")

    def action_question_help(self) -> None:
        it = self.interview
        step = it.current_step() if it else None
        if step is None:
            return
        self._help_shown = not self._help_shown
        if self._help_shown:
            self._show_help(step)
        else:
            self._message(None, "")

    def _show_help(self, step: Step) -> None:
        help_text = step.question.help or "Pas d'aide particulière pour cette question."
        self._message("info", f"Aide : {help_text}")

    def action_note(self) -> None:
        from intake_assistant.tui.screens.forms import NoteScreen

        if self.dossier_id is None:
            return
        self.app.push_screen(NoteScreen(), self._note_written)

    def _note_written(self, text: str | None) -> None:
        if text:
            self._add_note(text)

    @work(thread=True, group="note")
    def _add_note(self, text: str) -> None:
        from intake_assistant.store import StoreError

        app: Any = self.app
        try:
            app.store.add_note(self.dossier_id, text, agent=app.agent)
        except StoreError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error")
            return
        app.call_from_thread(app.notify, "Note ajoutée au dossier.")

    def action_toggle_panel(self) -> None:
        panel = self.query_one("#panel")
        panel.display = not panel.display
        self._panel_forced = bool(panel.display)

    def action_toggle_reasons(self) -> None:
        self.query_one(OrientationList).toggle_all()

    def action_finish(self) -> None:
        """Close the interview (everything is already saved) and show the dossier."""
        from intake_assistant.tui.screens.dossier import DossierScreen

        app: Any = self.app
        app.forget_interview()
        if self.session is not None:
            self.session.close()
            self.session = None
        if self.dossier_id:
            app.switch_screen(DossierScreen(self.dossier_id))
        else:
            self.dismiss()

    def palette_commands(self) -> list[Any]:
        from textual.app import SystemCommand

        return [
            SystemCommand("Je ne sais pas / à compléter", "Question courante (F3)",
                          self.action_unknown),
            SystemCommand("Ajouter une note au dossier", "Note libre (F4)", self.action_note),
            SystemCommand("Afficher ou masquer le panneau", "Fiche et orientation (F6)",
                          self.action_toggle_panel),
            SystemCommand("Terminer l'entretien", "Voir le dossier (F10)", self.action_finish),
        ]
