"""The answer line: an Input that knows the kind of question being asked.

Single-key answers on an empty line, so that a trained agent types nothing more than the answer:
o/n for oui/non, a digit for a choice (when no longer choice number starts with it). Everything else
is typed and sent with Enter, and parsed by the engine (« 1 200,50 », « 15/03/1988 »...). The help
shown in the empty line is the question type's input hint (``core.qtypes``), with an example that
fits the question (« 12 ou 2 ans » for months).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input
from textual.widgets.input import Selection

DEFAULT_PLACEHOLDER = "Tapez la réponse puis Entrée"


class AnswerInput(Input):
    """Displays and edits the answer being typed; the interview screen feeds it the keys, in
    order (``tui/typeahead``), and decides what Enter and single keys do."""

    # An Input's virtual width follows its text, and Textual lays the whole screen out again
    # when it changes: at every key, and when the line is emptied after an answer. The line
    # has a fixed size (the width of the chat, 3 rows), so a repaint is enough.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(select_on_focus=False, **kwargs)  # type: ignore[arg-type]
        self.kind = "text"
        self.choice_count = 0
        # A restored draft is replaced by the next typed text whatever the selection became
        # meanwhile (a selection can be reset by the widget's own deferred updates: under load
        # a draft « Mar » once merged with « Marie » typed after it).
        self._replaced_by_typing = False

    def configure(self, kind: str, choice_count: int = 0, default_shown: str | None = None,
                  placeholder: str | None = None) -> None:
        self.kind = kind
        self.choice_count = choice_count
        base = placeholder or DEFAULT_PLACEHOLDER
        self.placeholder = f"Entrée = « {default_shown} » · {base}" if default_shown else base

    def instant_answer(self, character: str) -> str | None:
        """The answer a single key gives on an empty line, if any."""
        if self.value:
            return None
        key = character.lower()
        if self.kind == "boolean" and key in ("o", "n"):
            return key
        if self.kind == "choice" and key.isdigit() and key != "0":
            number = int(key)
            # "1" waits when there are 10+ choices: it may be the start of "10", "11"...
            if number <= self.choice_count and number * 10 > self.choice_count:
                return key
        return None

    def key_applied(self) -> None:
        """A key reached the line (through the screen, not `_on_key`): the cursor shows, steady,
        as after any key typed in an input."""
        self._restart_blink()

    def show_selected(self, text: str) -> None:
        """``text`` in the line, selected: the next typed key replaces it."""
        self.value = text
        self.selection = Selection(0, len(text))
        self._replaced_by_typing = True

    def keep_text(self) -> None:
        """An editing key (→, Fin, ←…) reached the line: the text shown is the agent's now."""
        self._replaced_by_typing = False

    def type_text(self, text: str) -> None:
        """Text typed at the cursor (replacing a selection), as a key of the terminal would."""
        if self._replaced_by_typing:
            self._replaced_by_typing = False
            self.value = text
            self.cursor_position = len(text)
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
