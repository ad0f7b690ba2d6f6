"""Entretien: the chat-style interview over the engine, saved at every accepted answer.

Flow of one answer: the engine parses and validates it (French message under the input when
rejected, a confirmation when it only warns). Once accepted, the first frame shows the next
question and the emptied line, nothing else (no relayout of the screen when the question block
keeps its height); just after that frame the answer is saved durably, in a thread. Until that save
has returned the answer is not acknowledged: keys typed meanwhile wait in the queue (nothing is
applied, let alone committed), any other intent first waits for the save, and a failed save rolls
the engine back, brings the question back with its text and says « Réponse NON enregistrée ».
Once saved, the keys typed meanwhile are applied, then the transcript (the answer's bubble is its
acknowledgement), the title and the side panel (progress, fiche, orientation) are repainted. The
orientation of the saved answers is evaluated in a thread after that, on a copy of the answers
(a few milliseconds that a key typed meanwhile can interrupt, which it could not on the UI thread).
Closing the interview (F10, Échap at the first question) does its store work in a thread too.

Keys reach this screen in the order they were typed, whatever it is doing (see ``tui/typeahead``):
the app hands every raw key to `take_input` before any widget sees it, and one consumer applies
them one by one to the current question, holding them while the dossier opens or after a refusal.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer

from intake_assistant.tui import latency
from intake_assistant.tui.cropped_compositor import use_cropped_compositor
from intake_assistant.tui.first_step import (
    FirstStep,
    data_signature,
    load_first_step,
    save_first_step,
)
from intake_assistant.tui.keymap import key_of
from intake_assistant.tui.typeahead import Stroke, TypeAhead
from intake_assistant.tui.widgets.answer_input import AnswerInput
from intake_assistant.tui.widgets.key_bar import KeyBar
from intake_assistant.tui.widgets.painted import Painted
from intake_assistant.tui.widgets.question_area import QuestionBlock
from intake_assistant.tui.widgets.side_panel import FICHE_IDS, SidePanel, progress_bar
from intake_assistant.tui.widgets.transcript import Line, Transcript

if TYPE_CHECKING:  # the engine is imported by the worker that opens the session
    from intake_assistant.core.engine import AnswerResult, Interview, Step

SAVE_AFTER_FRAME_S = 0.004  # the answer's save starts this long after its frame is queued
DRAFT_DELAY = 0.4  # seconds of typing pause before the typed text is kept as a draft
PANEL_MIN_WIDTH = 100  # below this the side panel starts hidden (F6 shows it)
_ITEM = re.compile(r"^([a-z][a-z0-9_]*)\[(\d+)\]")
# The key bar, most useful first (as many as fit; F1 lists them all).
KEY_BAR = (
    ("interview.escape", "Préc."), ("interview.finish", "Fin"),
    ("interview.unknown", "Ne sait pas"), ("interview.jump", "Aller à"),
    ("interview.question_help", "Aide"), ("interview.current", "En cours"),
    ("interview.note", "Note"), ("interview.toggle_panel", "Fiche"), ("app.help", "Touches"),
)
# Keys left to the app even during an interview (its own keymap ids, in force after remapping).
APP_ACTIONS = ("app.help", "app.command_palette", "app.quit")


class _PendingSave:
    """An accepted answer painted before the store has acknowledged it. Its save (and the writes
    that follow it) runs once, in a worker thread or, when something needs it first, on the UI
    thread; ``done`` is set when it has returned."""

    def __init__(self, save: Any, kept: str, then: list[Any]) -> None:
        self.save, self.kept, self.then = save, kept, then
        self.started = False
        self.done = threading.Event()
        self.error: str | None = None  # the store's French message when the save failed
        self.failure: BaseException | None = None  # anything else: raised on the UI thread
        self.draft_cleared = False
        self.notice_error: str | None = None

    def run(self) -> None:
        from intake_assistant.app.interviews import AnswerNotSaved

        try:
            self.save()
            for step in self.then:
                step(self)
        except AnswerNotSaved as exc:
            self.error = exc.message
        except BaseException as exc:  # re-raised by the UI thread
            self.failure = exc
        finally:
            self.done.set()


class InterviewScreen(Screen[None]):
    CSS_PATH = "interview.tcss"
    BINDINGS = [
        Binding("f2", "question_help", "Aide q.", id="interview.question_help"),
        # priority: its Ctrl alternative (Ctrl+D) is also the answer line's « delete right »
        Binding("f3", "unknown", "Ne sait pas", id="interview.unknown", priority=True),
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
        Binding("escape", "escape", "Question préc.", id="interview.escape"),
        Binding("f12", "current", "Question en cours", id="interview.current"),
        Binding("f5", "jump", "Aller à", id="interview.jump"),
        Binding("f10", "finish", "Fin", id="interview.finish"),
    ]

    def __init__(self, questionnaire: str | None, dossier_id: str | None = None, *,
                 resumed: bool = False, others_interrupted: int = 0) -> None:
        super().__init__()
        use_cropped_compositor(self)  # a new question: only its rows rendered
        self.questionnaire_name = questionnaire
        self.dossier_id = dossier_id
        self.created = dossier_id is None  # a new dossier, made when the session opens
        self.resumed = resumed
        self.others_interrupted = others_interrupted  # other interrupted interviews to resume
        self.session: Any = None
        self.interview: Interview | None = None
        self._warning: tuple[str, str] | None = None  # (path, text) awaiting confirmation
        self._help_shown = False
        self._panel_forced: bool | None = None
        self._early: FirstStep | None = None  # the remembered first question, shown at once
        self.typeahead = TypeAhead()
        self._draining = False
        self._draft_timer: Timer | None = None
        self._draft_saved: str | None = None  # the path a draft was kept for, if any
        self._leave_armed = False  # Échap at the first question asked once: again = leave
        self.orientation: Any = None  # the last Orientation shown (tests read it)
        self._widgets: dict[str, Any] = {}

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Painted("Entretien — ouverture du dossier…", id="interview-title",
                      classes="title-bar")
        with Horizontal(id="interview-body"):
            with Vertical(id="chat"):
                yield Transcript(id="transcript")
                with Vertical(id="current"):
                    yield Painted(id="notice")
                    yield QuestionBlock("Chargement du questionnaire…", id="asked")
                yield AnswerInput(id="answer")
                yield Painted(id="message")
                yield Painted(id="pending")
            yield SidePanel(id="panel")
        yield KeyBar(KEY_BAR, id="keys")

    def on_mount(self) -> None:
        self._apply_width(self.app.size.width)
        if self.dossier_id is None and self.questionnaire_name:
            self._early = load_first_step(self._first_step_path, self.questionnaire_name)
        if self._early is not None:  # paint the remembered first question; typing may begin
            self._title_bar.paint(
                f"[b]Entretien[/b] — {escape(self._early.title)} — ouverture du dossier…")
            self._paint_step(self._early)
            self._answer_line.focus()
            self.call_after_refresh(self._start)  # paint first, then load
        else:
            self._answer_line.focus()
            self._start()
        self._show_pending()  # keys typed before the screen was mounted

    @property
    def _first_step_path(self) -> Any:
        return self.app.config_path.with_name("premiere_question.json")  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        if self._panel_forced is None:
            self._panel.display = width >= PANEL_MIN_WIDTH

    # The widgets the answer path paints, found once (a query matches selectors at each call).
    def _widget(self, selector: str) -> Any:
        widget = self._widgets.get(selector)
        if widget is None:
            widget = self._widgets[selector] = self.query_one(selector)
        return widget

    @property
    def _answer_line(self) -> AnswerInput:
        return self._widget("#answer")  # type: ignore[no-any-return]

    @property
    def _asked(self) -> QuestionBlock:
        return self._widget("#asked")  # type: ignore[no-any-return]

    @property
    def _transcript(self) -> Transcript:
        return self._widget("#transcript")  # type: ignore[no-any-return]

    @property
    def _panel(self) -> SidePanel:
        return self._widget("#panel")  # type: ignore[no-any-return]

    @property
    def _title_bar(self) -> Painted:
        return self._widget("#interview-title")  # type: ignore[no-any-return]

    @property
    def _message_bar(self) -> Painted:
        return self._widget("#message")  # type: ignore[no-any-return]

    @property
    def _notice_bar(self) -> Painted:
        return self._widget("#notice")  # type: ignore[no-any-return]

    @property
    def _pending_bar(self) -> Painted:
        return self._widget("#pending")  # type: ignore[no-any-return]

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
        self.typeahead.discard()
        self.app.notify(message, title="Entretien impossible", severity="error", timeout=8)
        self.app.leave(self)  # type: ignore[attr-defined]

    def _ready(self, session: Any) -> None:
        if not self.is_attached:  # the screen was left while the dossier opened
            session.close()
            return
        self.session = session
        self.interview = session.interview
        self.dossier_id = session.dossier_id
        if not self._latency_held:  # short waits for the UI thread from now on (tui/latency.py)
            self._latency_held = True
            latency.hold()
        answer = self._answer_line
        answer.value = ""  # what was typed meanwhile is held, and replayed below
        answer.focus()
        self.refresh_view()
        self._show_notice()
        if not session.interview.events:
            self._remember_first_step()
        self.call_after_refresh(self.app.load_in_background)  # type: ignore[attr-defined]
        note = ""
        if self.resumed:  # said in the message line: a toast would cover the answer line
            others = self.others_interrupted
            note = "Entretien repris là où il s'était arrêté." + (
                f" ({others} autre(s) entretien(s) interrompu(s) : proposé(s) au prochain "
                "démarrage.)" if others else "")
        draft_note = self._restore_draft()
        if note or draft_note:
            self._message("info", " ".join(t for t in (note, draft_note) if t))
        self.call_later(self._drain)
        self.call_after_refresh(self._prepare_next)  # the second question, while the first is read

    def _remember_first_step(self) -> None:
        it = self.interview
        assert it is not None
        step = it.current_step()
        if step is not None:
            view = self._view_of(step, it.progress())
            view.signature = data_signature()
            save_first_step(self._first_step_path, view)

    def on_unmount(self) -> None:
        """The screen goes or the app quits normally: the interview is finished (everything is
        saved; it can be continued from the dossier). Only a crash or a killed terminal, where
        this never runs, leaves it marked « en cours » with its draft, to resume at next start."""
        try:
            self._close_session()
        finally:
            if self._latency_held:
                self._latency_held = False
                latency.release()

    _latency_held = False  # whether this screen holds tui/latency.py

    def _close_session(self) -> bool:
        """Finish the interview (marker and draft cleared, dossier released); a dossier this
        screen created and nothing was said in is erased. True when it was erased."""
        if self.session is None:
            return False
        self._settle()  # the answer shown is saved first (if that fails, it is said and lost)
        session, self.session = self.session, None
        return bool(session.finish().erased)

    # -- refresh -------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        """Everything shown from the engine (each widget repainted only if it changed)."""
        if self.interview is None:
            return
        self._paint_question()
        self._paint_rest()

    def _paint_question(self) -> None:
        """The question asked, its progress line and quick replies: the first frame after an
        answer shows only these (and the emptied line), the rest follows (`_paint_rest`)."""
        it = self.interview
        assert it is not None
        self._show_step(it.current_step(), it.progress())

    def _paint_rest(self, deferred: bool = False) -> None:
        """The title, the transcript, the side panel (progress, fiche, orientation)."""
        it = self.interview
        assert it is not None
        step = it.current_step()
        self._paint_title()
        lines = [Line(s.path, q, a, s.path in it.unknown) for s, q, a in it.transcript()]
        self._transcript.sync(lines, editing=it.focus)
        panel = self._panel
        panel.show_sections(it.progress(), step.question.section_id if step else None)
        panel.show_fiche(it.computed_values(FICHE_IDS))
        if not deferred:
            self._show_orientation()
        elif self._beside_save == self._orientation_asked:  # evaluated beside the answer's save
            evaluated, self._beside_save, self._evaluated = self._evaluated, None, None
            if evaluated is not None:  # back already: painted in this frame
                self._orientation_shown(evaluated)
            # else shown when it comes back (`_orientation_ready`)
        else:
            self._orient_later()

    def _paint_title(self) -> None:
        it = self.interview
        assert it is not None
        who = " ".join(str(it.answers[k]) for k in ("prenom", "nom") if it.answers.get(k))
        title = f"[b]Entretien[/b] — {escape(it.questionnaire.title)} — {self.dossier_id}"
        self._title_bar.paint(
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
            self._answer_line.placeholder = "Entrée : voir le dossier"
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
            notes=[escape(n) for n in it.notes_before(step)
                   if self.session is None or n.strip() != self.session.notice.strip()],
            question=escape(it.question_text(step)), kind=step.input_type,
            choices=[c.label for c in q.choices],
            default_shown=display_value(q, default) if default is not None else None,
            placeholder=step.input_hint.placeholder,
        )

    def _prepare_next(self) -> None:
        """Once the answer's frames are out, the question likely asked next is laid out (its
        lines made), so that the answer to come paints it without making them (~1 ms of the
        answer → next question path). Its progress line is guessed one answer further on."""
        it = self.interview
        if it is None or self._unsaved is not None or self.typeahead.held:
            return  # keys are waiting: they come first
        step = it.current_step()
        following = it.step_after(step) if step is not None else None
        if step is None or following is None:
            return
        sections = it.progress()
        if step.kind == "question":  # once answered, its section counts one more
            sections = [replace(p, answered=p.answered + 1)
                        if p.id == step.question.section_id else p for p in sections]
        view = self._view_of(following, sections)
        self._asked.prepare(view.progress, view.notes, view.question, view.choices, view.kind)

    def _paint_step(self, view: FirstStep) -> None:
        self._asked.show(view.progress, view.notes, view.question,
                                           view.choices, view.kind)
        self._answer_line.configure(view.kind, len(view.choices),
                                                         view.default_shown, view.placeholder)

    # -- orientation ---------------------------------------------------------------------------
    def _show_orientation(self) -> None:
        self._orientation_asked += 1  # a later answer: an evaluation still running is stale
        self._orientation_shown(self.session.orientation())

    def _orient_later(self) -> None:
        """After an acknowledged answer: the orientation is evaluated in a thread, on a copy of
        the answers (a few milliseconds that a key typed meanwhile can interrupt, which it could
        not on the UI thread), then shown unless a later change asked for another one."""
        self._orientation_asked += 1
        self._orient_worker(self.session.orientation_inputs(), self._orientation_asked)

    _orientation_asked = 0
    # The evaluation started beside an answer's save (its number), and its result once back
    # while that save was still running: `_paint_rest` shows it with the bubble, in one frame.
    _beside_save: int | None = None
    _evaluated: Any = None

    @work(thread=True, group="orientation")
    def _orient_worker(self, inputs: Any, asked: int) -> None:
        from intake_assistant.app.interviews import evaluate_orientation

        orientation = evaluate_orientation(inputs)
        try:
            self.app.call_from_thread(self._orientation_ready, asked, orientation)
        except RuntimeError:
            pass  # the app stopped meanwhile

    def _orientation_ready(self, asked: int, orientation: Any) -> None:
        if asked != self._orientation_asked or self.interview is None or not self.is_attached:
            return
        if self._beside_save == asked and self._unsaved is not None:  # its save is running
            self._evaluated = orientation  # shown with the bubble once it returns (`_saved`)
            return
        self._orientation_shown(orientation)

    def _orientation_shown(self, orientation: Any) -> None:
        self.orientation = orientation
        panel = self._panel
        if panel.estimates and self._estimated_for != self.interview.answers:
            panel.estimates = {}  # an answer changed: the amounts are no longer those
        panel.show_orientation(self.orientation.suggestions)

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
        panel = self._panel
        panel.estimates = {aid: t for aid in result.by_aid if (t := result.text(aid))}
        self._estimated_for = answers
        panel.show_orientation(panel.suggestions)

    # -- type-ahead: every key, in order -------------------------------------------------------
    async def take_input(self, event: events.Key | events.Paste) -> bool:
        """Every raw key (or paste) while this screen is on top, handed by the app before any
        widget sees it; False leaves it to the app (quit, palette, help)."""
        if isinstance(event, events.Paste):
            stroke = Stroke("paste", " ".join(event.text.splitlines()), event.time)
        elif event.key in self._app_keys:
            return False
        else:
            stroke = Stroke(event.key, event.character, event.time, event.is_printable)
        if self.typeahead.should_hold(stroke, ready=self._ready_for_keys, busy=self._busy):
            self._show_pending()
        else:
            await self._apply(stroke)
        return True

    @property
    def _busy(self) -> bool:
        """Keys wait: held keys are being replayed, or the last answer is not saved yet."""
        return self._draining or self._unsaved is not None

    @property
    def _app_keys(self) -> frozenset[str]:
        from intake_assistant.tui.keymap import effective, split_keys

        if self._app_keys_cache is None:
            keymap = effective(getattr(self.app, "key_overrides", None) or {})
            self._app_keys_cache = frozenset(
                {"ctrl+c"} | {k for a in APP_ACTIONS for k in split_keys(keymap[a])})
        return self._app_keys_cache

    _app_keys_cache: frozenset[str] | None = None

    @property
    def _ready_for_keys(self) -> bool:
        return (self.interview is not None and self.is_mounted and self.app.screen is self
                and not self._leaving)

    async def _apply(self, stroke: Stroke) -> None:
        """One key on the current question: Enter sends exactly what the line holds, a single
        key answers when the question takes one, other keys edit the line or run their binding."""
        answer = self._answer_line
        if self.focused is not answer:
            answer.focus()
        answer.key_applied()
        if stroke.key != "escape":
            self._leave_armed = False
        if stroke.key == "enter":
            self.submit(answer.value)
        elif stroke.key == "pick":
            self.submit(stroke.character or "")
        elif stroke.key == "paste":
            answer.type_text(stroke.character or "")
        elif stroke.printable and stroke.character:
            instant = answer.instant_answer(stroke.character)
            if instant is not None:
                self.submit(instant)
            else:
                answer.type_text(stroke.character)
        else:
            answer.keep_text()  # → / Fin complete a restored draft instead of replacing it
            if not await self.app._check_bindings(stroke.key, priority=True):
                await self.app._check_bindings(stroke.key)  # editing keys, F-keys, Échap, ↑/↓

    async def _drain(self) -> None:
        """Apply the held keys in order, until none is left, a refusal blocks the queue, or
        another screen (a note, the dossier) takes over."""
        if self._draining:
            return
        self._draining = True
        try:
            while self.interview is not None and not self.typeahead.blocked:
                if self.app.screen is not self or self._unsaved is not None:
                    break  # another screen has the keys, or the answer sent is being saved
                stroke = self.typeahead.next()
                if stroke is None:
                    break
                await self._apply(stroke)
        finally:
            self._draining = False
            if self.is_attached:
                self._show_pending()

    def on_screen_resume(self) -> None:
        if self._left is not None:  # closed while a help or palette screen was on top
            self._finished(self._left)
            return
        if self.typeahead.held and not self.typeahead.blocked:
            self.call_later(self._drain)  # keys typed ahead of a note or a help screen

    def _show_pending(self) -> None:
        """What is typed but not applied yet. While the dossier opens, the first answer shows in
        the line as typed; after a refusal, what was typed ahead is listed under the message."""
        if not self.is_mounted or (self._unsaved is not None and not self.typeahead.blocked):
            return  # keys typed while the answer is saved are replayed just after: no flash
        parts = self.typeahead.segments()
        line = self._pending_bar
        if self.interview is None and len(parts) <= 1:
            text = parts[0][0] if parts and not parts[0][1] else ""
            self._answer_line.value = text
            parts = [p for p in parts if p[1]]
        if not parts:
            line.display = False
            return
        shown = " ".join(("⏎" if not t else f"« {escape(t)} » ⏎") if done else f"« {escape(t)} »…"
                         for t, done in parts)  # an Enter alone shows as ⏎
        if self.interview is None:
            line.paint(f"Ouverture du dossier… tapé à l'avance : {shown}")
        else:
            line.paint(f"En attente, tapé à l'avance : {shown}\n"
                        "[dim]Corrigez puis Entrée : la suite reprend · Échap : abandonner "
                        "ce qui est en attente[/dim]")
        line.display = True

    # -- answering -----------------------------------------------------------------------------
    @on(AnswerInput.Changed, "#answer")
    def _typing(self, event: AnswerInput.Changed) -> None:
        if event.value:
            self._transcript.clear_cursor()
        if self.interview is not None:  # kept as a draft after a short pause in typing
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft)

    def _save_draft(self) -> None:
        """Kept with the dossier (through the session), given back if the app is killed."""
        from intake_assistant.app.errors import StoreError

        if self._unsaved is not None:
            return  # an answer is being saved (and the engine may be read by that thread)
        it = self.interview
        step = it.current_step() if it else None
        text = self._answer_line.value
        if self.session is None or step is None or (not text and self._draft_saved is None):
            return
        try:
            self.session.save_draft(step.path, text)
        except (StoreError, OSError):
            return  # best effort: the answers themselves are saved at each acceptance
        self._draft_saved = step.path if text else None

    def _restore_draft(self) -> str:
        """The text typed but not sent when the app was stopped, back in the line; unless keys
        were typed while the dossier opened (they go to the question, never merged with it).
        Returns what to tell the agent about it."""
        draft = getattr(self.session, "draft", None)
        step = self.interview.current_step() if self.interview else None
        if not draft or step is None or draft.get("path") != step.path or not draft.get("text"):
            return ""
        self._draft_saved = step.path
        if self.typeahead.held:
            return (f"Texte tapé avant l'interruption, non repris : « {draft['text']} » "
                    "(vous avez tapé entre-temps).")
        # Given back selected: Enter sends it, → or Fin completes it, and a key typed over it
        # replaces it, so that new typing can never merge with it (whenever it arrives).
        self._answer_line.show_selected(draft["text"])
        return ("Texte tapé avant l'interruption (sélectionné) : Entrée le valide, → le "
                "complète, une autre saisie le remplace.")

    def action_pick(self, text: str) -> None:
        """A quick reply clicked: in line with the keys typed before it."""
        from textual._time import get_time

        stroke = Stroke("pick", text, get_time())
        if not self.typeahead.should_hold(stroke, ready=self._ready_for_keys, busy=self._busy):
            self.submit(text)
        else:
            self._show_pending()

    def submit(self, raw: str) -> None:
        it = self.interview
        if it is None or self.session is None or not self._settle():
            return
        self._answer_line.keep_text()  # sent: no longer a restored draft
        transcript = self._transcript
        if transcript.cursor_path is not None and not raw.strip():
            self._edit(transcript.cursor_path)
            return
        step = it.current_step()
        if step is None:
            self.action_finish()
            return
        confirm = self._warning == (step.path, raw)
        self._answer(lambda s: s.answer_unsaved(raw, confirm=confirm), step, raw)

    def _answer(self, stage: Any, step: Step, raw: str, kept: str | None = None) -> None:
        """An answer (or « ne sait pas »): the engine takes it, the next question is painted at
        once, and the answer is saved just after that frame, in a thread (`_start_save`). Until
        the save has returned nothing else happens: keys wait in the queue, any other intent
        first waits for the save (`_settle`); a failed save brings the question back with its
        text (``kept``, else ``raw``) and says « Réponse NON enregistrée »."""
        result, save = stage(self.session)
        if not result.accepted:  # refused, or to confirm: nothing new to save, said at once
            if self._intent(lambda _: save() or True):
                self._refused(result, step, raw)
            else:
                self._answer_line.value = raw if kept is None else kept
            return
        self._unsaved = _PendingSave(save, raw if kept is None else kept, self._follow_ups())
        self._warning = None
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._answer_line.value = ""
        self._message(None, "")
        self._paint_question()
        self.call_after_refresh(self._start_save_soon)

    _unsaved: _PendingSave | None = None  # the answer shown, not yet acknowledged by the store

    def _follow_ups(self) -> list[Any]:
        """Store writes that follow an answer's save, in the same thread: the draft kept for
        that question is cleared, and the data-protection notice recorded at the first answer."""
        from intake_assistant.app.errors import StoreError

        session, draft_path, steps = self.session, self._draft_saved, []
        if draft_path is not None:
            def clear_draft(pending: _PendingSave) -> None:
                try:
                    session.save_draft(draft_path, "")
                except (StoreError, OSError):
                    return  # best effort: it is given back only for this question
                pending.draft_cleared = True
            steps.append(clear_draft)
        if not session.notice_given:
            def record_notice(pending: _PendingSave) -> None:
                try:
                    session.record_notice_given()
                except (StoreError, OSError) as exc:
                    pending.notice_error = getattr(exc, "message", None) or str(exc)
            steps.append(record_notice)
        return steps

    def _start_save_soon(self) -> None:
        """The frame of the next question is made and queued for Textual's writer thread: the
        save thread, started at once, took the interpreter lock first (JSON encoding, ~1 ms)
        and the frame reached the terminal that much later (answer → next question p50 at
        50,000 dossiers, 120×40, 4 interleaved intakes: 6.58 → 6.00 ms). A person's next key
        comes tens of milliseconds later; keys typed meanwhile wait for the save as before."""
        self.set_timer(SAVE_AFTER_FRAME_S, self._start_save)

    def _start_save(self) -> None:
        """Once the next question is on screen: the save goes to a thread, so that the screen
        stays live (keys are held meanwhile, and replayed once the answer is saved)."""
        pending = self._unsaved
        if pending is not None and not pending.started:
            pending.started = True
            self._save_worker(pending)
            # The orientation of the answers shown, evaluated while the save waits on the disk:
            # usually back before it, then painted with the bubble (one frame, not two).
            self._orient_later()
            self._beside_save, self._evaluated = self._orientation_asked, None

    @work(thread=True, group="answer-save")
    def _save_worker(self, pending: _PendingSave) -> None:
        pending.run()
        try:
            self.app.call_from_thread(self._saved, pending)
        except RuntimeError:
            pass  # the app stopped meanwhile; closing the interview waited for this save

    async def _saved(self, pending: _PendingSave) -> None:
        """The save has returned: the keys typed meanwhile are applied first (their frame comes
        before the rest), then the transcript (its bubble acknowledges the answer), the side
        panel and the title follow."""
        if self._unsaved is pending:
            if not self._settle():
                return  # the save failed: said, the question back
        elif pending.error is not None or self._unsaved is not None:
            return  # settled by another intent: its failure said, or a newer answer in flight
        if self.typeahead.held and not self.typeahead.blocked:
            await self._drain()
        if self._unsaved is None and self.is_attached and self.session is not None:
            self._paint_rest(deferred=True)
            self._show_pending()
            latency.refreeze()  # what this answer made stays out of the collector's full passes
            self.call_after_refresh(self._prepare_next)

    def _settle(self) -> bool:
        """The answer shown but not yet saved is made durable now (waiting for its thread, or
        saving here): before any other intent. False when that save failed: the interview is
        back at its question, the text kept, the queue stopped."""
        pending = self._unsaved
        if pending is None:
            return True
        if not pending.started:
            pending.started = True
            pending.run()
        else:
            pending.done.wait()
        self._unsaved = None
        if pending.failure is not None:
            raise pending.failure
        if pending.error is not None:
            self.refresh_view()
            self._answer_line.value = pending.kept
            self._message("error", f"Réponse NON enregistrée : {pending.error} Réessayez (Entrée).")
            self._block()
            return False
        if self.typeahead.blocked:  # the correction is in: what was typed ahead follows
            self.typeahead.unblock()
        if pending.draft_cleared:
            self._draft_saved = None
        if pending.notice_error is not None:
            self.notify(f"Information RGPD non enregistrée : {pending.notice_error}",
                        severity="warning")
        self._show_notice()
        return True

    def _refused(self, result: AnswerResult, step: Step | None, raw: str) -> None:
        answer = self._answer_line
        if result.status == "rejected":
            self._warning = None
            answer.value = raw  # keep what was typed, for correction
            self._message("error", " ".join(result.messages))
            self._block()
            return
        self._warning = (step.path if step else result.path, raw)
        answer.value = raw
        text = " ".join(result.messages)
        self._message("warning", f"{text}  Entrée : confirmer · ou corrigez la réponse.")
        self._block()

    def _show_notice(self) -> None:
        """The data-protection notice, at the start of the first interview held with the person
        (phone or evaluation); recorded as given with the first accepted answer."""
        notice = self._notice_bar
        due = self.session is not None and not self.session.notice_given
        notice.display = due
        if due:
            notice.paint(f"[b]À dire à la personne (protection des données) :[/b] "
                          f"{escape(self.session.notice)}")

    def _block(self) -> None:
        """Stop the queue at a refused answer: what was typed ahead waits, shown as pending."""
        from textual._time import get_time

        self.typeahead.block(get_time())
        self._show_pending()

    def _intent(self, intent: Any) -> Any:
        """Run one user intent on the session (it saves inside); None when the save failed (the
        interview is then as it was before, and the message says so)."""
        from intake_assistant.app.interviews import AnswerNotSaved

        if self.session is None or not self._settle():
            return None
        try:
            return intent(self.session)
        except AnswerNotSaved as exc:
            self._message("error", f"Réponse NON enregistrée : {exc.message} Réessayez (Entrée).")
            self._block()
            return None

    def _message(self, kind: str | None, text: str) -> None:
        widget = self._message_bar
        widget.set_classes(kind or "")
        widget.paint(escape(text))
        widget.display = bool(text)

    # -- corrections ---------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        transcript = self._transcript
        path = transcript.move_cursor(delta)
        if path is not None:
            self._message("info", "Entrée : modifier cette réponse · Ctrl+X : supprimer "
                                  "l'élément (enfant…) · Échap : annuler")
        else:
            self._message(None, "")

    @on(Transcript.Picked)
    def _bubble_clicked(self, event: Transcript.Picked) -> None:
        self._edit(event.path)

    def _edit(self, path: str) -> None:
        it = self.interview
        if it is None or self.session is None or not self._settle():
            return  # closing (a click on a bubble meanwhile)
        self._transcript.clear_cursor()
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
        """Échap, always the same way: first it closes what is open (pending keys, the ↑ cursor,
        help, a warning); otherwise it goes back one question, and again further back; at the
        first question it asks once, then leaves the interview (everything is saved). F12 goes
        back to the question in progress."""
        from intake_assistant.app.interviews import AnswerNotSaved

        it = self.interview
        transcript = self._transcript
        if self.typeahead.held:  # an explicit choice: what was typed ahead is dropped, and said
            dropped = [t for t in self.typeahead.discard() if t]
            self._show_pending()
            self._message("info", "Abandonné : " + " ".join(f"« {t} »" for t in dropped)
                          if dropped else "")
            return
        if it is None:
            self.app.leave(self)  # type: ignore[attr-defined]
            return
        if transcript.cursor is not None:
            transcript.clear_cursor()
            self._message(None, "")
            return
        if self._warning is not None or self._help_shown:
            self._warning = None
            self._help_shown = False
            self._message(None, "")
            return
        if self.session is None or not self._settle():
            return
        try:
            step = self.session.back()
        except AnswerNotSaved as exc:
            self._message("error", f"Réponse NON enregistrée : {exc.message}")
            return
        if step is not None:
            self._leave_armed = False
            self._message("info", f"Correction · {key_of(self.app, 'interview.current')} : "
                                  "revenir à la question en cours")
            self.refresh_view()
        elif self._leave_armed or not it.events:
            self.action_finish()  # nothing before: leave the interview (everything is saved)
        else:
            self._leave_armed = True
            self._message("warning", "Pas de question avant celle-ci. Échap encore : quitter "
                                     "l'entretien (tout est enregistré).")

    def action_current(self) -> None:
        """Back to the question in progress, leaving the answer being corrected as it was."""
        if self.interview is None or self.session is None or not self._settle():
            return
        self._transcript.clear_cursor()
        if self.interview.focus is not None:
            self._intent(lambda s: s.cancel_focus())
        self._message(None, "")
        self.refresh_view()

    def action_jump(self) -> None:
        """« Aller à » : pick an earlier answer by a few letters of its question or section."""
        from intake_assistant.tui.widgets.question_picker import Entry, QuestionPicker

        it = self.interview
        if it is None:
            return
        entries = [Entry(step.path, it.questionnaire.section_of(step.question).title,
                         question, answer) for step, question, answer in it.transcript()]
        if not entries:
            self._message("info", "Aucune réponse encore.")
            return
        self.app.push_screen(QuestionPicker(entries), self._jumped)

    def _jumped(self, path: str | None) -> None:
        if path:
            self._edit(path)

    def action_remove_item(self) -> None:
        it = self.interview
        path = self._transcript.cursor_path
        match = _ITEM.match(path or "")
        if it is None or match is None:
            self._message("error", "Placez-vous (↑) sur une réponse d'un élément (enfant…).")
            return
        if self._intent(lambda s: s.remove_item(match.group(1), int(match.group(2)))):
            self._transcript.clear_cursor()
            self._message("info", "Élément supprimé.")
            self.refresh_view()

    # -- other keys ----------------------------------------------------------------------------
    def action_unknown(self) -> None:
        it = self.interview
        if it is None or it.current_step() is None or self.session is None:
            return
        if not self._settle():
            return
        step = it.current_step()
        if step is not None:
            self._answer(lambda s: s.mark_unknown_unsaved(), step, "",
                         kept=self._answer_line.value)

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

        if self.dossier_id is None or self.session is None or not self._settle():
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
        panel = self._panel
        panel.display = not panel.display
        self._panel_forced = bool(panel.display)

    def action_toggle_reasons(self) -> None:
        self._panel.toggle_all()

    def action_finish(self, then: Any = None) -> None:
        """Close the interview (everything is already saved) and show the dossier. The store
        work of closing (marker and draft cleared, dossier released, an empty new dossier
        erased) runs in a thread: the screen stays live meanwhile (it says so in its title, and
        what is typed then is dropped), and the next screen opens once that work is done, so it
        never reads the dossier before. ``then`` runs once the dossier is shown."""
        if self._leaving:
            return
        if not self._settle():
            return  # the answer shown could not be saved: said, and the interview stays open
        self.typeahead.discard()
        session, self.session = self.session, None
        if session is None:
            self.app.leave(self)  # type: ignore[attr-defined]
            return
        self._leaving = True
        self._then = then
        self._show_pending()
        self._title_bar.paint(
            f"[b]Entretien[/b] — {self.dossier_id} — fermeture…")
        self._finish_worker(session)

    _leaving = False  # the interview is being closed (its store work in a thread)
    _then: Any = None
    _left: bool | None = None  # once closed: whether the dossier was erased

    @work(thread=True, group="finish")
    def _finish_worker(self, session: Any) -> None:
        erased = bool(session.finish().erased)
        if not erased:  # the dossier screen comes next: loaded here, not on the UI thread
            import intake_assistant.tui.screens.dossier  # noqa: F401

        try:
            self.app.call_from_thread(self._finished, erased)
        except RuntimeError:
            pass  # the app stopped meanwhile: the interview is closed all the same

    def _finished(self, erased: bool) -> None:
        """The interview is closed: the dossier is shown (the home list if it was erased)."""
        from intake_assistant.tui.screens.dossier import DossierScreen

        app: Any = self.app
        self._left = erased
        if app.screen is not self:
            return  # a help or palette screen on top: done once it is closed (on_screen_resume)
        self.typeahead.discard()
        if erased:
            app.notify("Aucune réponse : le dossier n'a pas été créé.")
            app.leave(self)
        elif self.dossier_id:
            app.switch_screen(DossierScreen(self.dossier_id))
            if self._then is not None:
                app.call_later(self._then)
        else:
            app.leave(self)

    def action_book_first(self) -> None:
        """End of the phone intake: close it like « Fin », then book the first interview with
        the social worker (the follow-up's appointment form, over the dossier)."""
        from intake_assistant.tui.screens.followup import FollowupScreen

        app: Any = self.app
        dossier_id = self.dossier_id

        def book() -> None:  # once the dossier is shown (not when nothing was answered)
            if dossier_id and type(app.screen).__name__ == "DossierScreen":
                app.push_screen(FollowupScreen(dossier_id, tab=1, book=True))

        self.action_finish(then=book)

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
            SystemCommand("Terminer et prendre le premier rendez-vous",
                          "Entretien avec le travailleur social (agenda, .ics)",
                          self.action_book_first),
        ]
