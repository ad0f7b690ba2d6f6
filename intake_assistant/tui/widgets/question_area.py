"""The block of the question being asked: progress line, notes, question, quick replies.

One widget draws the four parts as its lines (`styled_lines`; each part styled by the stylesheet
as a component class), so that a new question is one repaint of one widget: separate widgets would
each ask for a layout of the whole screen when their height changes or one of them shows or hides.

Its height grows with a taller question but shrinks only when a question is much shorter (more
than `SLACK` rows): a question a line or two shorter than the one before leaves blank lines above
it instead of shrinking the block; and it keeps at least `floor` rows, a few on a tall terminal
(a progress line, a question of two lines and a row of quick replies fit). The answer line then
stays where it is, and the next question is nearly always painted without resizing the
transcript above it, with no layout at all (a phone intake at 120×40: one layout in 31 answers,
eight with the slack alone).

Quick replies are laid out chip by chip here: Rich wraps at any space, even a no-break one, which
would part a number from its label ("4" at the end of a line, "Hébergé(e)" on the next); a click
on one answers like its key (``screen.pick``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.markup import escape
from textual import events
from textual.content import Content
from textual.strip import Strip
from textual.widget import Widget

from intake_assistant.tui.widgets.styled_lines import (
    bold_markup,
    part_lines,
    text_style,
    widget_background,
)

GAP = "   "

PARTS = ("step", "notes", "question", "replies")


class QuestionBlock(Widget):
    COMPONENT_CLASSES = {f"question-block--{part}" for part in PARTS}
    DEFAULT_CSS = """
    QuestionBlock {
        height: auto;
    }
    """

    SLACK = 2  # blank rows kept at most above a shorter question
    FLOOR_SHARE = 7  # at least 1/7 of the terminal's height (40 rows: 5, 24 rows: 3)…
    FLOOR_MAX = 6  # …and at most this many rows kept for short questions
    reserved = 0  # the rows kept (the tallest recent question at this width)
    floor = 0  # the rows kept even for a short question

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Any, ...] | None = None
        self._parts: dict[str, Content] = {"question": Content.from_markup(text)}
        self._chips: tuple[tuple[str, int], ...] = ()
        self._hint = ""
        self._lines: list[Strip] = []
        self._width = 0  # the width the lines were made for
        self._looks: dict[str, Any] = {}  # part -> its component styles and text style
        self._under: Any = None  # the colour under the parts (its ancestors' backgrounds)
        # Lines of parts and laid-out replies, newest last: the question shown, the one
        # prepared for next, and a few before (a correction goes back to them).
        self._made: dict[tuple[Any, ...], list[Strip]] = {}
        self._replies_made: dict[tuple[Any, ...], Content] = {}

    # -- what is shown ---------------------------------------------------------------------------
    def show(self, progress: str, notes: Sequence[str], question: str,
             choices: Sequence[str] = (), kind: str = "text") -> bool:
        """Show a question (markup escaped by the caller); False when it was already shown."""
        shown = (progress, tuple(notes), question, tuple(choices), kind)
        if shown == self._shown:
            return False
        self._shown = shown
        self._parts, self._chips, self._hint = _compose(*shown)
        self._repaint()
        return True

    def prepare(self, progress: str, notes: Sequence[str], question: str,
                choices: Sequence[str] = (), kind: str = "text") -> None:
        """Make the lines of a question likely to be asked next, while the person is still
        answering this one: once asked, its parts are copies of lines made here (wrapping and
        styling a question, ~1 ms, no longer comes between the answer and its frame)."""
        width = self._width
        if not self.is_mounted or width <= 0 or self._stale:
            return
        parts, chips, hint = _compose(progress, tuple(notes), question, tuple(choices), kind)
        for part in PARTS:
            styles, style = self._look(part)
            self._part_lines(part, styles, style, parts, chips, hint, width)

    @property
    def text(self) -> str:
        """Everything the block says, part after part (plain text)."""
        return "\n".join(c.plain for c in self._all_parts().values() if c.plain)

    def part_text(self, part: str) -> str:
        content = self._all_parts().get(part)
        return content.plain if content is not None else ""

    def render(self) -> Content:  # what tests and accessibility read; painting is by lines
        return Content(self.text)

    def _all_parts(self) -> dict[str, Content]:
        width = self._width or self.app.size.width - 4
        return {**self._parts, "replies": self._replies(self._chips, self._hint, width)}

    def _replies(self, chips: tuple[tuple[str, int], ...], hint: str, width: int) -> Content:
        return _kept(self._replies_made, (chips, hint, width),
                     lambda: _lay_out_replies(chips, hint, width))

    # -- lines and height ----------------------------------------------------------------------
    def _make_lines(self, width: int) -> list[Strip]:
        """The block's lines at ``width``; a part shown (or prepared) before keeps its lines."""
        lines: list[Strip] = []
        for part in PARTS:
            styles, style = self._look(part)
            lines += self._part_lines(part, styles, style, self._parts, self._chips,
                                      self._hint, width)
        return lines

    def _look(self, part: str) -> tuple[Any, Any]:
        """A part's component styles and text style: found through the stylesheet once."""
        look = self._looks.get(part)
        if look is None:
            styles = self.get_component_styles(f"question-block--{part}")
            look = self._looks[part] = (styles, text_style(self, styles))
        return look

    def _part_lines(self, part: str, styles: Any, style: Any, parts: dict[str, Content],
                    chips: tuple[tuple[str, int], ...], hint: str, width: int) -> list[Strip]:
        if self._under is None:  # found through the ancestors: once per look
            self._under = widget_background(self)
        content = self._replies(chips, hint, width - styles.gutter.width) \
            if part == "replies" else parts.get(part, Content())
        key = (part, content.plain, tuple(content.spans), width)  # Content == compares text only
        return _kept(self._made, key,
                     lambda: part_lines(self, styles, content, width, self._under, style))

    def _repaint(self) -> None:
        """New content: repainted in place when the block keeps its height, else laid out."""
        width = self.content_size.width if self.is_mounted else 0
        if width <= 0 or width != self._width:
            self.refresh(layout=True)  # measured at the layout (`get_content_height`)
            return
        self._lines = self._make_lines(width)
        self.reserved = self._kept(len(self._lines))
        if self.reserved != self.content_size.height:
            self.refresh(layout=True)
        else:
            self.refresh()

    def _kept(self, natural: int) -> int:
        """The rows to keep for a block of ``natural`` rows."""
        wanted = max(natural, self.floor)
        if wanted > self.reserved or self.reserved - wanted > self.SLACK:
            return wanted
        return self.reserved

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        self.floor = min(self.FLOOR_MAX, viewport.height // self.FLOOR_SHARE)
        if width != self._width:  # lines wrap anew at another width: measured again
            self._width = width
            self._lines = self._make_lines(width)
            self.reserved = 0
        self.reserved = self._kept(len(self._lines))
        return self.reserved

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self.refresh(layout=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._stale = True  # colours or borders changed (theme, plain mode): lines made again
        self._looks.clear()
        self._under = None
        self._made.clear()
        self._replies_made.clear()

    _stale = False

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if self._stale and width == self._width:
            self._stale = False
            self._lines = self._make_lines(width)
        top = self.content_size.height - len(self._lines)  # blank rows kept above the block
        if y < top or y - top >= len(self._lines):
            return Strip.blank(width, self.visual_style.rich_style)
        return self._lines[y - top]


KEPT = 16  # parts' lines kept (LRU)


def _kept(cache: dict[Any, Any], key: Any, make: Any) -> Any:
    """``cache[key]``, made when missing; the least recently used entries beyond `KEPT` go."""
    value = cache.pop(key, None)
    if value is None:
        value = make()
        while len(cache) >= KEPT:
            del cache[next(iter(cache))]
    cache[key] = value
    return value


def _compose(progress: str, notes: tuple[str, ...], question: str,
             choices: tuple[str, ...], kind: str
             ) -> tuple[dict[str, Content], tuple[tuple[str, int], ...], str]:
    """A question's parts (markup escaped by the caller), its quick replies as (markup, cells)
    chips, and the hint after them."""
    parts = {
        "step": bold_markup(progress),
        "notes": bold_markup("\n".join(f"ℹ {n}" for n in notes)),
        "question": bold_markup(f"[b]{question}[/b]"),
    }
    if kind in ("choice", "multi_choice"):
        chips = tuple(
            (f"[@click=screen.pick('{i}')][b]{i}[/b] {escape(label)}[/]", len(f"{i} {label}"))
            for i, label in enumerate(choices, 1)
        )
        hint = "[dim](plusieurs : 1 3 puis Entrée)[/dim]" if kind == "multi_choice" else ""
        return parts, chips, hint
    if kind == "boolean":
        return parts, (("[@click=screen.pick('o')][b]o[/b] oui[/]", 5),
                       ("[@click=screen.pick('n')][b]n[/b] non[/]", 5)), ""
    return parts, (), ""


def _lay_out_replies(chips: tuple[tuple[str, int], ...], hint: str, width: int) -> Content:
    """Chips on as many lines as ``width`` needs, never parted inside one."""
    lines: list[list[str]] = [[]]
    used = 0
    for markup, length in chips:
        needed = length + (len(GAP) if lines[-1] else 0)
        if lines[-1] and used + needed > width:
            lines.append([])
            used, needed = 0, length
        lines[-1].append(markup)
        used += needed
    text = "\n".join(GAP.join(line) for line in lines)
    if hint:
        text += f"  {hint}"
    return Content.from_markup(text)
