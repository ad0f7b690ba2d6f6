"""The chat transcript: one bubble per answered question, newest at the bottom.

One line-based widget (Textual's Line API) draws every bubble as its lines: a bubble per widget made
each answer mount a widget and lay out the whole screen, a cost that grew with the transcript (an
evaluation interview is long). Here an answer adds a bubble's lines, and the transcript scrolls to
them: a repaint of this widget only. Each bubble's lines are made once per look and width
(`styled_lines`; the look is the stylesheet's, component classes ``transcript--bubble`` and its
states), so a repaint only copies lines.

A bubble is clicked, or reached with ↑/↓ (``cursor``), to correct its answer; the transcript is
diffed against the engine's at every change (`sync`), and only the bubbles that changed are made
again.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.css.styles import RenderStyles
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from intake_assistant.tui.widgets.blank_lines import BlankLines
from intake_assistant.tui.widgets.styled_lines import part_lines

# A bubble's look: its states in the order their rules apply (a later one wins).
STATES = ("unknown", "cursor", "editing", "hover")


@dataclass(frozen=True)
class Line:
    path: str
    question: str
    answer: str
    unknown: bool = False


class Transcript(ScrollView, can_focus=False):
    """Bubbles in questionnaire order; ``cursor`` is the bubble reached with the arrow keys."""

    COMPONENT_CLASSES = {"transcript--bubble", *(f"transcript--{s}" for s in STATES)}
    DEFAULT_CSS = """
    Transcript {
        overflow-x: hidden;
    }
    """

    class Picked(Message):
        """A bubble was clicked: its answer is to be corrected."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._blank = BlankLines(self)
        self._lines: list[Line] = []
        self._order: list[str] = []
        self._editing: str | None = None
        self._hover: int | None = None
        self.cursor: int | None = None
        self._width = 0
        self._made: dict[str, tuple[tuple[Line, tuple[bool, ...], int], list[Strip]]] = {}
        self._tops: list[int] = []  # first row of each bubble
        self._height = 0
        self._looks: dict[tuple[bool, ...], RenderStyles] = {}

    @property
    def paths(self) -> list[str]:
        return list(self._order)

    def bubble_text(self, path: str) -> str:
        """What a bubble says (plain text), for tests and the screen."""
        line = self._lines[self._order.index(path)]
        return f"{line.question}\n➜ {line.answer}"

    # -- contents ------------------------------------------------------------------------------
    def sync(self, lines: list[Line], editing: str | None = None) -> None:
        """Show ``lines``; the bubbles that did not change keep their lines."""
        if lines == self._lines and editing == self._editing:
            return
        self._lines, self._editing = list(lines), editing
        self._order = [line.path for line in lines]
        if self.cursor is not None and self.cursor >= len(self._order):
            self.cursor = None
        if self._hover is not None and self._hover >= len(self._order):
            self._hover = None
        self._arrange(scroll_end=self.cursor is None)

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
        self._arrange(scroll_end=self.cursor is None)
        return self.cursor_path

    def clear_cursor(self) -> None:
        if self.cursor is not None:
            self.cursor = None
            self._arrange(scroll_end=True)

    @property
    def cursor_path(self) -> str | None:
        return None if self.cursor is None else self._order[self.cursor]

    # -- lines ---------------------------------------------------------------------------------
    def _look(self, flags: tuple[bool, ...]) -> RenderStyles:
        look = self._looks.get(flags)
        if look is None:
            names = ["transcript--bubble"] + [f"transcript--{s}" for s, on in
                                              zip(STATES, flags, strict=True) if on]
            look = self._looks[flags] = self.get_component_styles(*names)
        return look

    def _bubble(self, index: int, width: int) -> list[Strip]:
        line = self._lines[index]
        flags = (line.unknown, index == self.cursor, line.path == self._editing,
                 index == self._hover)
        key = (line, flags, width)
        made = self._made.get(line.path)
        if made is not None and made[0] == key:
            return made[1]
        content = Content.assemble((line.question, "dim"), "\n", ("➜ ", "bold"),
                                   (line.answer, "italic" if line.unknown else "bold"))
        strips = part_lines(self, self._look(flags), content, width)
        self._made[line.path] = (key, strips)
        return strips

    def _make(self, width: int) -> None:
        kept = set(self._order)
        for path in [p for p in self._made if p not in kept]:
            del self._made[path]
        tops, row = [], 0
        for index in range(len(self._lines)):
            tops.append(row)
            row += len(self._bubble(index, width))
        self._tops, self._height, self._width = tops, row, width

    def _arrange(self, scroll_end: bool = False) -> None:
        """Bubble rows and the virtual size, then a repaint; scrolled to the newest bubble (or
        to the cursor). No layout of the screen, unless the scroll bar appears or goes."""
        width = self.scrollable_content_region.width
        if not self.is_mounted or width <= 0:
            return  # arranged at the first resize
        self._make(width)
        size = Size(width, self._height)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)  # the scroll bar's thumb (a layout only if it shows/hides)
        if scroll_end or self.cursor is None:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        else:
            top = self._tops[self.cursor]
            bottom = top + len(self._bubble(self.cursor, width))
            view = self.scrollable_content_region.height
            if top < self.scroll_y:
                self.scroll_to(y=top, animate=False, immediate=True)
            elif bottom > self.scroll_y + view:
                self.scroll_to(y=bottom - view, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._width and width > 0:
            self._make(width)  # painted before its resize event: made for this width now
            # ...and its height and scroll brought up to it after this frame: a resize event
            # that ran before the new width was known left the newest bubble below the view
            # (seen opening the side panel, F6).
            self.call_later(self._arrange, self.cursor is None)
        row = y + self.scroll_offset.y
        index = bisect_right(self._tops, row) - 1
        if index < 0 or row >= self._height:
            return self._blank.line(width)
        return self._bubble(index, width)[row - self._tops[index]]

    def on_resize(self, event: events.Resize) -> None:
        # Another width wraps the bubbles anew; another height moves the newest bubble.
        self._arrange(scroll_end=self.cursor is None)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks.clear()  # theme or plain mode: every bubble made again
        self._made.clear()
        self._blank.forget()
        if self.is_mounted:
            self._arrange(scroll_end=self.cursor is None)

    # -- mouse ---------------------------------------------------------------------------------
    def _index_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        row = offset.y + self.scroll_offset.y
        index = bisect_right(self._tops, row) - 1
        return index if 0 <= index and row < self._height else None

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._index_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        index = self._index_at(event)
        if index is not None:
            self.post_message(self.Picked(self._order[index]))
