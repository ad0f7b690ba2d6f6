"""The home screen's dossier table: Textual's DataTable that says when the end of its rows comes
into view, so that the screen adds the next rows only then.

A DataTable measures every cell it is given and repaints what is shown after each addition:
300 rows given at once held the list's first paint ~100 ms, and given in batches after each
frame they made every frame of the next half-second slow (keys typed in the search box waited).
A screenful is given first; the rest follows as the cursor or the scroll nears the end.
"""

from __future__ import annotations

from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

NEAR = 10  # rows before the end at which the next rows are asked for


class DossierTable(DataTable[object]):
    class NearEnd(Message):
        """The cursor or the scroll may have come within NEAR rows of the last row given (the
        receiver checks `near_end()`: the table posts it while rows are being added too)."""

    def near_end(self) -> bool:
        rows = self.row_count
        return bool(rows) and (self.cursor_row >= rows - NEAR
                               or self.scroll_y + self.size.height >= rows - NEAR)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.near_end():
            self.post_message(self.NearEnd())

    def watch_cursor_coordinate(self, old_coordinate: Coordinate,
                                new_coordinate: Coordinate) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if self.near_end():
            self.post_message(self.NearEnd())
