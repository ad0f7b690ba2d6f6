"""The chat transcript: one bubble per answered question, newest at the bottom.

The transcript is diffed against the engine's at every change, so an ordinary answer only mounts one
bubble (no full rebuild); a bubble is clicked, or reached with ↑/↓, to correct its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static


@dataclass(frozen=True)
class Line:
    path: str
    question: str
    answer: str
    unknown: bool = False


class Bubble(Static):
    """A question and its answer; clicking it asks to correct the answer."""

    class Picked(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, line: Line) -> None:
        super().__init__(classes="bubble")
        self.line = line
        self._paint()

    def set_line(self, line: Line) -> None:
        if line != self.line:
            self.line = line
            self._paint()

    def _paint(self) -> None:
        from rich.text import Text

        text = Text()
        text.append(self.line.question, style="dim")
        text.append("\n")
        text.append("➜ ", style="bold")
        text.append(self.line.answer, style="italic" if self.line.unknown else "bold")
        self.update(text)
        self.set_class(self.line.unknown, "unknown")

    def on_click(self) -> None:
        self.post_message(self.Picked(self.line.path))


class Transcript(VerticalScroll):
    """Bubbles in questionnaire order; ``cursor`` is the bubble reached with the arrow keys."""

    can_focus = False

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._bubbles: dict[str, Bubble] = {}
        self._order: list[str] = []
        self.cursor: int | None = None

    def on_mount(self) -> None:
        self.anchor()

    @property
    def paths(self) -> list[str]:
        return list(self._order)

    def sync(self, lines: list[Line], editing: str | None = None) -> None:
        """Make the bubbles match ``lines`` with as few mounts/removals as possible."""
        wanted = [line.path for line in lines]
        wanted_set = set(wanted)
        for path in [p for p in self._order if p not in wanted_set]:
            self._bubbles.pop(path).remove()
        kept = [self._bubbles[p] for p in self._order if p in wanted_set]
        previous: Bubble | None = None
        for line in lines:
            bubble = self._bubbles.get(line.path)
            if bubble is None:
                bubble = self._bubbles[line.path] = Bubble(line)
                if previous is not None:
                    self.mount(bubble, after=previous)
                elif kept:
                    self.mount(bubble, before=kept[0])
                else:
                    self.mount(bubble)
            else:
                bubble.set_line(line)
            bubble.set_class(line.path == editing, "editing")
            previous = bubble
        self._order = wanted
        if self.cursor is not None and self.cursor >= len(self._order):
            self.cursor = None
        self._paint_cursor(scroll=False)  # the anchor keeps the newest bubble in view

    def move_cursor(self, delta: int) -> str | None:
        """Move the highlight; returns the path under it (None once past the newest)."""
        if not self._order:
            return None
        if self.cursor is None:
            self.cursor = len(self._order) - 1 if delta < 0 else None
        else:
            self.cursor += delta
            if self.cursor < 0:
                self.cursor = 0
            elif self.cursor >= len(self._order):
                self.cursor = None
        self._paint_cursor()
        return self.cursor_path

    def clear_cursor(self) -> None:
        if self.cursor is not None:
            self.cursor = None
            self._paint_cursor()

    @property
    def cursor_path(self) -> str | None:
        return None if self.cursor is None else self._order[self.cursor]

    def _paint_cursor(self, scroll: bool = True) -> None:
        target = self.cursor_path
        for path, bubble in self._bubbles.items():
            bubble.set_class(path == target, "cursor")
        if not scroll:
            return
        if target is not None:
            self.scroll_to_widget(self._bubbles[target], animate=False)
        elif self._order:
            self.scroll_end(animate=False)
