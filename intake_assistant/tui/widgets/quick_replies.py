"""Numbered quick replies under a choice question; a click answers like the digit key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.events import Resize

from intake_assistant.tui.widgets.painted import Painted

GAP = "   "


class QuickReplies(Painted):
    """Choices laid out line by line here: Rich wraps at any space, even a no-break one, which
    would part a number from its label ("4" at the end of a line, "Hébergé(e)" on the next)."""

    _chips: list[tuple[str, int]]
    _hint: str = ""

    def show_choices(self, labels: Sequence[str], *, multi: bool = False) -> None:
        if not labels:
            self._chips = []
            self.paint("")
            self.display = False
            return
        self._chips = [
            (f"[@click=screen.pick('{i}')][b]{i}[/b] {escape(label)}[/]", len(f"{i} {label}"))
            for i, label in enumerate(labels, 1)
        ]
        self._hint = "[dim](plusieurs : 1 3 puis Entrée)[/dim]" if multi else ""
        self._render_chips()
        self.display = True

    def show_choices_bool(self) -> None:
        self._chips = []
        self.paint("[@click=screen.pick('o')][b]o[/b] oui[/]   "
                   "[@click=screen.pick('n')][b]n[/b] non[/]")
        self.display = True

    def on_resize(self, event: Resize) -> None:
        if getattr(self, "_chips", None):
            self._render_chips()

    def _render_chips(self) -> None:
        width = self.content_size.width or (self.app.size.width - 4)
        lines: list[list[str]] = [[]]
        used = 0
        for markup, length in self._chips:
            needed = length + (len(GAP) if lines[-1] else 0)
            if lines[-1] and used + needed > width:
                lines.append([])
                used, needed = 0, length
            lines[-1].append(markup)
            used += needed
        text = "\n".join(GAP.join(line) for line in lines)
        self.paint(text + (f"  {self._hint}" if self._hint else ""))
