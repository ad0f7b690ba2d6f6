"""The written social evaluation: a full-screen editor, autosaved as the dossier's draft.

The dossier is leased while the editor is open. Every pause in typing keeps the text with the
dossier (a draft: durable, not yet the assessment), so a killed terminal loses nothing; Ctrl+S
writes it as the assessment the commission reads, and leaving (Échap) does too. Plain text with
soft wrapping: accents, « guillemets », ’ and … are typed as they are, nothing is corrected.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from intake_assistant.app import casework

AUTOSAVE_DELAY = 0.8  # seconds of pause in typing before the draft is written


class AssessmentScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Enregistrer", priority=True, id="assessment.save"),
        Binding("escape", "back", "Enregistrer et fermer", priority=True,
                id="assessment.close"),
    ]
    DEFAULT_CSS = """
    AssessmentScreen TextArea { height: 1fr; }
    AssessmentScreen #assessment-state { height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.editor: casework.AssessmentEditor | None = None
        self._timer: Timer | None = None
        self.saved_drafts = 0  # drafts written (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Évaluation sociale — dossier {self.dossier_id}[/b]",
                     classes="title-bar")
        yield TextArea(id="assessment-text", soft_wrap=True, disabled=True)
        yield Static("Ouverture…", id="assessment-state")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._open()

    @work(thread=True, group="assessment")
    def _open(self) -> None:
        app: Any = self.app
        try:
            editor = casework.open_assessment(app.store, self.dossier_id, agent=app.agent)
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Impossible d'ouvrir",
                                 severity="error", timeout=8)
            app.call_from_thread(app.leave, self)
            return
        app.call_from_thread(self._opened, editor)

    def _opened(self, editor: casework.AssessmentEditor) -> None:
        self.editor = editor
        area = self.query_one(TextArea)
        with area.prevent(TextArea.Changed):
            area.load_text(editor.text)
        area.disabled = False
        area.focus()
        area.move_cursor(area.document.end)
        if editor.restored:
            self._state("Brouillon repris : le texte tapé avant l'interruption est revenu "
                        "(Ctrl+S pour l'enregistrer).")
        else:
            self._state("Ctrl+S : enregistrer · Échap : enregistrer et fermer")

    def _state(self, text: str) -> None:
        self.query_one("#assessment-state", Static).update(text)

    @on(TextArea.Changed)
    def _typed(self) -> None:
        if self.editor is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(AUTOSAVE_DELAY, self._autosave)

    def _autosave(self) -> None:
        self._timer = None
        self._write_draft(self.query_one(TextArea).text)

    @work(thread=True, group="assessment-write", exclusive=False)
    def _write_draft(self, text: str) -> None:
        app: Any = self.app
        editor = self.editor
        if editor is None:
            return
        try:
            editor.autosave(text)
        except (casework.StoreError, casework.CaseworkError) as exc:
            app.call_from_thread(self._state, f"Brouillon non enregistré : {exc.message}")
            return
        app.call_from_thread(self._drafted)

    def _drafted(self) -> None:
        self.saved_drafts += 1
        self._state("Brouillon enregistré (Ctrl+S pour enregistrer l'évaluation).")

    def action_save(self) -> None:
        self._save(close=False)

    def action_back(self) -> None:
        if self.editor is None:
            self.app.leave(self)  # type: ignore[attr-defined]
            return
        self._save(close=True)

    @work(thread=True, group="assessment-write")
    def _save(self, close: bool) -> None:
        app: Any = self.app
        editor = self.editor
        if editor is None:
            return
        text = app.call_from_thread(lambda: self.query_one(TextArea).text)
        try:
            if text.rstrip() != editor.saved_text.rstrip():
                editor.save(text)
                app.call_from_thread(app.notify, "Évaluation sociale enregistrée.")
            if close:
                editor.close()
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Refusé", severity="error",
                                 timeout=8)
            return
        if close:
            self.editor = None
            app.call_from_thread(app.leave, self)
        else:
            app.call_from_thread(self._state, "Évaluation enregistrée.")

    def on_unmount(self) -> None:
        if self.editor is not None:  # the app quits with the editor open: the draft stays
            self.editor.close()
