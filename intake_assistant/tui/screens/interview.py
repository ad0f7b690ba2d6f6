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
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from intake_assistant.tui.first_step import (
    FirstStep,
    data_signature,
    load_first_step,
    save_first_step,
)
from intake_assistant.tui.keymap import key_of
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

if TYPE_CHECKING:  # the engine is imported by the worker that opens the session
    from intake_assistant.core.engine import AnswerResult, Interview, Step

DRAFT_DELAY = 0.4  # seconds of typing pause before the typed text is kept as a draft
PANEL_MIN_WIDTH = 100  # below this the side panel starts hidden (F6 shows it)
_ITEM = re.compile(r"^([a-z][a-z0-9_]*)\[(\d+)\]")


class InterviewScreen(Screen[None]):
    CSS_PATH = "interview.tcss"
    BINDINGS = [
        Binding("f2", "question_help", "Aide q.", id="interview.question_help"),
        Binding("f3", "unknown", "Ne sait pas", id="interview.unknown"),
        Binding("f4", "note", "Note", id="interview.note"),
        Binding("f6", "toggle_panel", "Fiche", id="interview.toggle_panel"),
        Binding("f7", "toggle_reasons", "Motifs", show=False,
                id="interview.toggle_reasons"),
        Binding("f8", "estimate", "Montants estimés", show=False,
                id="interview.estimate"),
        Binding("up", "cursor(-1)", "Réponse préc.", show=False),
        Binding("down", "cursor(1)", "Réponse suiv.", show=False),
        Binding("ctrl+x", "remove_item", "Supprimer l'élément", show=False,
                id="interview.remove_item"),
        Binding("escape", "escape", "Retour", id="interview.escape"),
        Binding("f10", "finish", "Fin", id="interview.finish"),
    ]

    def __init__(self, questionnaire: str | None, dossier_id: str | None = None, *,
                 resumed: bool = False) -> None:
        super().__init__()
        self.questionnaire_name = questionnaire
        self.dossier_id = dossier_id
        self.created = dossier_id is None  # a new dossier, made when the session opens
        self.resumed = resumed
        self.session: Any = None
        self.interview: Interview | None = None
        self._warning: tuple[str, str] | None = None  # (path, text) awaiting confirmation
        self._help_shown = False
        self._panel_forced: bool | None = None
        self._early: FirstStep | None = None  # the remembered first question, shown at once
        self._pending: str | None = None  # an answer sent before the engine was ready
        self._draft_timer: Timer | None = None
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
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_width(self.app.size.width)
        if self.dossier_id is None and self.questionnaire_name:
            self._early = load_first_step(self._first_step_path, self.questionnaire_name)
        if self._early is not None:  # paint the remembered first question; typing may begin
            self.query_one("#interview-title", Static).update(
                f"[b]Entretien[/b] — {escape(self._early.title)} — ouverture du dossier…")
            self._paint_step(self._early)
            answer = self.query_one("#answer", AnswerInput)
            answer.disabled = False
            answer.focus()
            self.call_after_refresh(self._start)  # paint first, then load
        else:
            self._start()

    @property
    def _first_step_path(self) -> Any:
        return self.app.config_path.with_name("premiere_question.json")  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        if self._panel_forced is None:
            self.query_one("#panel").display = width >= PANEL_MIN_WIDTH

    # -- session -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="session")
    def _start(self) -> None:
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.interviews import start_interview

        app: Any = self.app
        try:
            session = start_interview(
                app.store, questionnaire=self.questionnaire_name, dossier_id=self.dossier_id,
                agent=app.agent, role=app.role, today=app.today,
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
        self.app.leave(self)  # type: ignore[attr-defined]

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
        if not session.interview.events:
            self._remember_first_step()
        self.call_after_refresh(self.app.load_in_background)  # type: ignore[attr-defined]
        if self._pending is not None:
            pending, self._pending = self._pending, None
            typed_after = answer.value[len(pending):] if answer.value.startswith(pending) else ""
            self.submit(pending)
            if typed_after and not answer.value:
                answer.value = typed_after  # typed after Enter, while the dossier was opening
        self._restore_draft()
        if self.resumed:
            self.app.notify("Entretien repris là où il s'était arrêté.", title=session.dossier_id)

    def _remember_first_step(self) -> None:
        it = self.interview
        assert it is not None
        step = it.current_step()
        if step is not None:
            view = self._view_of(step, it.progress())
            view.signature = data_signature()
            save_first_step(self._first_step_path, view)

    def on_unmount(self) -> None:
        self._close_session()

    def _close_session(self) -> bool:
        """Release the dossier; a dossier this screen created and nothing was said in is erased
        (an intake opened by mistake). True when it was erased."""
        session, self.session = self.session, None
        if session is None:
            return False
        if not session.finish().erased:
            return False
        self.app.forget_interview()  # type: ignore[attr-defined]
        return True

    # -- refresh -------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        it = self.interview
        if it is None:
            return
        step = it.current_step()
        self._paint_title()
        lines = [Line(s.path, q, a, s.path in it.unknown) for s, q, a in it.transcript()]
        self.query_one(Transcript).sync(lines, editing=it.focus)
        sections = it.progress()
        self._show_step(step, sections)
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

    def _show_step(self, step: Step | None, sections: list[Any]) -> None:
        it = self.interview
        assert it is not None
        if step is None:
            left = len(it.left_to_complete())
            tail = f" {left} réponse(s) à compléter." if left else ""
            self._paint_step(FirstStep(
                it.questionnaire.id, it.questionnaire.title, "", "", [],
                f"Questionnaire terminé.{tail} Entrée ou {key_of(self.app, 'interview.finish')} : "
                "voir le dossier.", "text", [],
                None,
            ))
            self.query_one("#answer", AnswerInput).placeholder = "Entrée : voir le dossier"
            return
        view = self._view_of(step, sections)
        if it.focus == step.path:
            view.question = f"[reverse] Correction [/reverse] {view.question}"
        self._paint_step(view)
        if self._help_shown:
            self._show_help(step)

    def _view_of(self, step: Step, sections: list[Any]) -> FirstStep:
        """What the current step shows (markup escaped), as remembered for a quick start."""
        from intake_assistant.core.qtypes import display_value

        it = self.interview
        assert it is not None
        q = step.question
        section = it.questionnaire.section_of(q)
        progress = next((p for p in sections if p.id == section.id), None)
        line = f"[b]{escape(section.title)}[/b]"
        if progress is not None:
            bar = progress_bar(progress.answered, progress.relevant)
            line += f"  {bar} {progress.answered}/{progress.relevant}"
        default = it.default_for(step)
        return FirstStep(
            questionnaire=it.questionnaire.id, title=it.questionnaire.title,
            section=section.title, progress=line,
            notes=[escape(n) for n in it.notes_before(step)],
            question=escape(it.question_text(step)), kind=step.input_type,
            choices=[c.label for c in q.choices],
            default_shown=display_value(q, default) if default is not None else None,
            placeholder=step.input_hint.placeholder,
        )

    def _paint_step(self, view: FirstStep) -> None:
        self.query_one("#step-line", Static).update(view.progress)
        notes = self.query_one("#notes", Static)
        notes.display = bool(view.notes)
        notes.update("\n".join(f"ℹ {n}" for n in view.notes))
        self.query_one("#question", Static).update(f"[b]{view.question}[/b]")
        replies = self.query_one(QuickReplies)
        if view.kind in ("choice", "multi_choice"):
            replies.show_choices(view.choices, multi=view.kind == "multi_choice")
        elif view.kind == "boolean":
            replies.show_choices_bool()
        else:
            replies.show_choices([])
        self.query_one("#answer", AnswerInput).configure(view.kind, len(view.choices),
                                                         view.default_shown, view.placeholder)

    # -- orientation ---------------------------------------------------------------------------
    def _show_orientation(self) -> None:
        self.orientation = self.session.orientation()
        panel = self.query_one(OrientationList)
        if panel.estimates and self._estimated_for != self.interview.answers:
            panel.estimates = {}  # an answer changed: the amounts are no longer those
        panel.show(self.orientation.suggestions)

    _estimated_for: Any = None

    def action_estimate(self) -> None:
        """F8: OpenFisca's estimated amounts, computed off the UI thread (optional extra)."""
        if self.interview is None:
            return
        self.notify("Estimation OpenFisca en cours (quelques secondes la première fois)…")
        self._estimate(dict(self.interview.answers), set(self.interview.unknown),
                       self.interview.today)

    @work(thread=True, exclusive=True, group="estimate")
    def _estimate(self, answers: dict, unknown: set, today: Any) -> None:
        from intake_assistant.app.estimates import shared_service

        result = shared_service().estimate(answers, today, unknown)
        self.app.call_from_thread(self._show_estimates, answers, result)

    def _show_estimates(self, answers: dict, result: Any) -> None:
        if not result.ok:
            self.notify(result.message, severity="warning", timeout=8)
            return
        panel = self.query_one(OrientationList)
        panel.estimates = {aid: t for aid in result.by_aid if (t := result.text(aid))}
        self._estimated_for = answers
        panel.show(panel._suggestions)

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
        if self.interview is not None:  # kept as a draft after a short pause in typing
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft)

    def _save_draft(self) -> None:
        it = self.interview
        step = it.current_step() if it else None
        text = self.query_one("#answer", AnswerInput).value
        draft = {"dossier": self.dossier_id or "", "path": step.path, "text": text} \
            if step is not None and text else None
        self.app.remember_draft(draft)  # type: ignore[attr-defined]

    def _restore_draft(self) -> None:
        draft = self.app.config.draft  # type: ignore[attr-defined]
        it = self.interview
        step = it.current_step() if it else None
        if not draft or step is None or draft.get("dossier") != self.dossier_id:
            return
        if draft.get("path") == step.path and draft.get("text"):
            self.query_one("#answer", AnswerInput).value = draft["text"]
            self._message("info", "Texte tapé avant l'interruption : Entrée pour le valider.")

    def action_pick(self, text: str) -> None:
        """A quick reply clicked."""
        self.submit(text)

    def submit(self, raw: str) -> None:
        it = self.interview
        if it is None:
            if self._early is not None:  # held until the engine is ready, then sent
                self._pending = raw
                self._message("info", "Ouverture du dossier…")
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
        result = self._intent(lambda s: s.answer(raw, confirm=confirm))
        if result is None:
            self.query_one("#answer", AnswerInput).value = raw  # not saved: the text is kept
            return
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
        if self._draft_timer is not None:
            self._draft_timer.stop()
        answer.value = ""
        self.app.remember_draft(None)  # type: ignore[attr-defined]
        self._message(None, "")
        self.refresh_view()

    def _intent(self, intent: Any) -> Any:
        """Run one user intent on the session (it saves inside); None when the save failed (the
        interview is then as it was before, and the message says so)."""
        from intake_assistant.app.interviews import AnswerNotSaved

        try:
            return intent(self.session)
        except AnswerNotSaved as exc:
            self._message("error", f"Réponse NON enregistrée : {exc.message} Réessayez (Entrée).")
            return None

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
        from intake_assistant.app.interviews import AnswerNotSaved

        try:
            step = self.session.select(path)
        except AnswerNotSaved as exc:
            self._message("error", f"Réponse NON enregistrée : {exc.message}")
            return
        if step is None:
            self._message("error", "Cette réponse ne peut pas être modifiée ici.")
            return
        self._message(None, "")
        self.refresh_view()

    def action_escape(self) -> None:
        it = self.interview
        transcript = self.query_one(Transcript)
        if it is None:
            self.app.leave(self)  # type: ignore[attr-defined]
        elif transcript.cursor is not None:
            transcript.clear_cursor()
            self._message(None, "")
        elif self._warning is not None or self._help_shown:
            self._warning = None
            self._help_shown = False
            self._message(None, "")
        elif it.focus is not None:
            self._intent(lambda s: s.cancel_focus())
            self.refresh_view()
        elif self._intent(lambda s: s.back()) is not None:
            self.refresh_view()
        else:  # nothing before: leave the interview (everything is saved)
            self.action_finish()

    def action_remove_item(self) -> None:
        it = self.interview
        path = self.query_one(Transcript).cursor_path
        match = _ITEM.match(path or "")
        if it is None or match is None:
            self._message("error", "Placez-vous (↑) sur une réponse d'un élément (enfant…).")
            return
        if self._intent(lambda s: s.remove_item(match.group(1), int(match.group(2)))):
            self.query_one(Transcript).clear_cursor()
            self._message("info", "Élément supprimé.")
            self.refresh_view()

    # -- other keys ----------------------------------------------------------------------------
    def action_unknown(self) -> None:
        it = self.interview
        if it is None or it.current_step() is None:
            return
        step = it.current_step()
        result = self._intent(lambda s: s.mark_unknown())
        if result is not None:
            self._after(result, step, "")

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
        from intake_assistant.app.errors import StoreError

        app: Any = self.app
        try:
            self.session.add_note(text)
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
        if self._close_session():
            app.notify("Aucune réponse : le dossier n'a pas été créé.")
            app.leave(self)
        elif self.dossier_id:
            app.switch_screen(DossierScreen(self.dossier_id))
        else:
            app.leave(self)

    def palette_commands(self) -> list[Any]:
        from textual.app import SystemCommand

        return [
            SystemCommand("Je ne sais pas / à compléter",
                          f"Question courante ({key_of(self.app, 'interview.unknown')})",
                          self.action_unknown),
            SystemCommand("Ajouter une note au dossier",
                          f"Note libre ({key_of(self.app, 'interview.note')})", self.action_note),
            SystemCommand("Afficher ou masquer le panneau",
                          f"Fiche et orientation ({key_of(self.app, 'interview.toggle_panel')})",
                          self.action_toggle_panel),
            SystemCommand("Terminer l'entretien",
                          f"Voir le dossier ({key_of(self.app, 'interview.finish')})",
                          self.action_finish),
        ]
