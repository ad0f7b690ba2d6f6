"""The home screen's dossier list: a line widget (Textual's Line API) that paints only the rows
in view.

Textual's DataTable measures every cell it is given and repaints after each row added: 300 rows
held the list's first paint ~100 ms, so the home screen fed it a screenful, then more as the
cursor neared the end. Here the rows are given at once, as they are (no cell built): a row's
cells are made when it first comes into view, and a change of rows repaints this widget only —
the screen is laid out again only when the vertical scroll bar comes or goes.

A fixed header line, then one line per row; zebra stripes, a cursor row that the screen moves
(the search box keeps the focus), a click on a row posts `Selected`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from intake_assistant.tui.widgets.blank_lines import BlankLines

PADDING = 1  # blank cells each side of a column (as DataTable's cell padding)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # cells of content, padding apart
    justify: Literal["left", "right"] = "left"


class DossierList(ScrollView, can_focus=False):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "dossier-list--header", "dossier-list--cursor", "dossier-list--even-row",
        "dossier-list--odd-row",
    }
    # The colours of Textual's DataTable (unfocused, row cursor), as the list had them.
    DEFAULT_CSS = """
    DossierList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .dossier-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .dossier-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .dossier-list--even-row { background: $surface-lighten-1 50%; }
        &:dark > .dossier-list--even-row { background: $surface-darken-1 40%; }
        & > .dossier-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Selected(Message):
        """A row was clicked (the cursor is on it now)."""

        def __init__(self, key: str, index: int) -> None:
            super().__init__()
            self.key = key
            self.index = index

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[Column, ...] = ()
        self._rows: Sequence[Any] = ()
        self._make_cells: Callable[[Any], Sequence[Text]] = lambda row: ()
        self._key: Callable[[Any], str] = str
        self._cells: dict[int, Sequence[Text]] = {}  # row index -> its cells, once in view
        self._strips: dict[tuple[int, bool, int], Strip] = {}  # (row, cursor, width) -> line
        self._blank = BlankLines(self)
        # (odd row, cursor) -> (line style, post style): `rich_style` walks every ancestor's
        # styles at each call (~0.25 ms for the first rows a list paints: 7 ms of 29 rows).
        self._row_styles: dict[tuple[bool, bool], tuple[Style, Style | None]] = {}
        self._header: Strip | None = None
        self._cursor = 0

    # -- content -------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def ids(self) -> list[str]:
        return [self._key(row) for row in self._rows]

    def key_at(self, index: int) -> str:
        return self._key(self._rows[index])

    def cells_at(self, index: int) -> Sequence[Text]:
        """The cells of row ``index`` (made now if the row has not been in view yet)."""
        cells = self._cells.get(index)
        if cells is None:
            cells = self._cells[index] = tuple(self._make_cells(self._rows[index]))
        return cells

    def cell(self, key: str, column: str) -> Text:
        """The cell of the row of ``key`` in the column named ``column``."""
        index = self.ids.index(key)
        return self.cells_at(index)[[c.key for c in self.columns].index(column)]

    def set_columns(self, columns: Sequence[Column]) -> None:
        columns = tuple(columns)
        if columns != self.columns:
            self.columns = columns
            self._forget_painted()
            self._header = None

    def set_rows(self, rows: Sequence[Any], cells: Callable[[Any], Sequence[Text]],
                 key: Callable[[Any], str]) -> None:
        """Show ``rows``; ``cells(row)`` makes a row's cells (Rich texts, one per column) when the
        row first comes into view, ``key(row)`` names it. The cursor keeps its index."""
        self._rows, self._make_cells, self._key = rows, cells, key
        self._forget_painted()
        self._cursor = max(0, min(self._cursor, len(rows) - 1))
        virtual = Size(self._table_width(), len(rows) + 1)  # + the header line
        if virtual != self.virtual_size:
            # Not through the reactive (it lays the whole screen out): the scroll bars follow,
            # and Textual lays out only if the vertical one comes or goes.
            self.set_reactive(ScrollView.virtual_size, virtual)
            self._scroll_update(virtual)
        self._scroll_to_cursor()
        self.refresh()

    def _forget_painted(self) -> None:
        self._cells.clear()
        self._strips.clear()
        self._row_styles.clear()
        self._blank.forget()

    def _table_width(self) -> int:
        return sum(c.width + 2 * PADDING for c in self.columns)

    # -- cursor --------------------------------------------------------------------------------
    def move_cursor(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(len(self._rows) - 1, index))
        if index != self._cursor:
            old, self._cursor = self._cursor, index
            self._refresh_row(old)
            self._refresh_row(index)
        self._scroll_to_cursor()

    def _refresh_row(self, index: int) -> None:
        """Repaint row ``index`` if it is in view (the header line does not scroll)."""
        on_screen = index + 1 - int(self.scroll_y)
        if 1 <= on_screen < self.size.height:
            self.refresh(Region(0, on_screen, self.size.width, 1))

    def _rows_in_view(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        shown = self._rows_in_view()
        if self._cursor < top:
            top = self._cursor
        elif self._cursor >= top + shown:
            top = self._cursor - shown + 1
        if top != int(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    # -- painting ------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_painted()
        self._header = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            if self._header is None or self._header.cell_length != width:
                self._header = self._paint_header(width)
            return self._header
        index = int(self.scroll_y) + y - 1
        if index >= len(self._rows):
            return self._blank.line(width)
        key = (index, index == self._cursor, width)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 512:  # long scrolling: keep the cache small
                self._strips.clear()
            strip = self._strips[key] = self._paint_row(index, width)
        return strip

    def _line(self, cells: Sequence[Text], style: Style, width: int,
              post: Style | None = None) -> Strip:
        line = Text(no_wrap=True, end="")
        pad = " " * PADDING
        for column, cell in zip(self.columns, cells, strict=False):
            shown = cell.copy()
            shown.truncate(column.width, overflow="ellipsis")
            gap = " " * (column.width - shown.cell_len)
            right = column.justify == "right" or cell.justify == "right"
            line.append(pad + gap if right else pad)
            line.append_text(shown)
            line.append(pad if right else gap + pad)
        line.append(" " * max(0, width - line.cell_len))
        line.truncate(width)
        # The line's style under the cells' own (Text.render drops a style without spans).
        segments = Segment.apply_style(line.render(self.app.console), style=style,
                                       post_style=post)
        return Strip(segments, width)

    def _paint_header(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("dossier-list--header")
        return self._line([Text(c.label) for c in self.columns], style, width)

    def _paint_row(self, index: int, width: int) -> Strip:
        style, post = self._row_style(bool(index % 2), index == self._cursor)
        return self._line(self.cells_at(index), style, width, post)

    def _row_style(self, odd: bool, cursor: bool) -> tuple[Style, Style | None]:
        known = self._row_styles.get((odd, cursor))
        if known is not None:
            return known
        style = self.rich_style + self.get_component_rich_style(
            "dossier-list--odd-row" if odd else "dossier-list--even-row")
        post = None
        if cursor:
            cursor_style = self.get_component_rich_style("dossier-list--cursor")
            style += cursor_style
            post = Style.from_color(color=cursor_style.color)  # the cursor's colour wins
        known = self._row_styles[(odd, cursor)] = (style, post)
        return known

    # -- mouse ---------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return  # the header, or the scroll bar
        index = int(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._rows):
            event.stop()
            self.move_cursor(index)
            self.post_message(self.Selected(self.key_at(index), index))

    def on_resize(self, event: events.Resize) -> None:
        self._header = None
        self._scroll_to_cursor()
