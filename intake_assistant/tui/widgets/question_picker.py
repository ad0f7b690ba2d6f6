"""« Aller à » : jump to any earlier answer by typing a few letters of its question or section.

A dialog over the interview: one line to type in, the answered questions under it (section,
question, answer), narrowed at each key — accents and case ignored, every typed word must match
somewhere (« loy » finds the rent, « budget ch » the charges of the budget section). Enter (or a
click) reopens that answer for correction; Échap closes without moving.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class Entry:
    path: str
    section: str
    question: str
    answer: str


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def matching(entries: list[Entry], typed: str) -> list[Entry]:
    """The entries where every typed word is found (section, question, answer or field id)."""
    words = _plain(typed).split()
    return [e for e in entries if all(
        w in _plain(f"{e.section} {e.question} {e.answer} {e.path.replace('_', ' ')}")
        for w in words)]


class QuestionPicker(ModalScreen[str | None]):
    DEFAULT_CSS = """
    QuestionPicker { align: center middle; }
    #picker { width: 90%; max-width: 110; height: 80%; border: round $accent;
              background: $surface; padding: 0 1; }
    #picker-list { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Fermer"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]

    def __init__(self, entries: list[Entry]) -> None:
        super().__init__()
        self.entries = entries
        self.shown: list[Entry] = entries

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("[b]Aller à une réponse[/b] — tapez quelques lettres de la question "
                         "ou de la partie, puis Entrée")
            yield Input(placeholder="ex. : loyer, enfant, budget…", id="picker-filter")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#picker-filter", Input).focus()

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.shown = matching(self.entries, event.value)
        self._fill()

    def _fill(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options([
            Option(f"[dim]{escape(e.section)}[/dim] · {escape(e.question)} "
                   f"[b]➜ {escape(e.answer)}[/b]", id=e.path) for e in self.shown
        ] or [Option("Aucune réponse ne correspond.", disabled=True)])
        if self.shown:
            options.highlighted = len(self.shown) - 1  # the latest answer first at hand

    def action_move(self, delta: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if self.shown:
            current = options.highlighted if options.highlighted is not None else 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    @on(Input.Submitted, "#picker-filter")
    def _chosen(self) -> None:
        index = self.query_one("#picker-list", OptionList).highlighted
        if self.shown and index is not None:
            self.dismiss(self.shown[index].path)

    @on(OptionList.OptionSelected, "#picker-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
