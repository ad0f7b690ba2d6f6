"""Numbered quick replies under a choice question; a click answers like the digit key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.widgets import Static

NBSP = "\u00a0"  # a number never wraps away from its label


class QuickReplies(Static):
    def show_choices(self, labels: Sequence[str], *, multi: bool = False) -> None:
        if not labels:
            self.update("")
            self.display = False
            return
        chips = []
        for i, label in enumerate(labels, 1):
            shown = escape(label).replace(" ", NBSP)
            chips.append(f"[@click=screen.pick('{i}')][b]{i}[/b]{NBSP}{shown}[/]")
        hint = "  [dim](plusieurs : 1 3 puis Entrée)[/dim]" if multi else ""
        self.update("   ".join(chips) + hint)
        self.display = True

    def show_choices_bool(self) -> None:
        self.update("[@click=screen.pick('o')][b]o[/b] oui[/]   "
                    "[@click=screen.pick('n')][b]n[/b] non[/]")
        self.display = True
