"""A Static that repaints only what changed, and asks for a layout only when its height changes.

`Static.update` asks Textual for a layout of the whole screen at every call, even when the text
has the same height: on the interview screen (a transcript of bubbles, the side panel) that layout
and the full repaint after it cost more than the change itself. A `Painted` widget skips an update
whose content is the same, and repaints in place when the new content takes as many lines as the
old one at the current width.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class Painted(Static):
    _last: Any = None
    _painted = False

    def paint(self, content: Any) -> bool:
        """Show ``content`` (markup text or a Rich ``Text``); False when it was already shown."""
        if self._painted and content == self._last:
            return False
        self._painted, self._last = True, content
        self.update(content, layout=False)
        if self._needs_layout():
            self.refresh(layout=True)
        return True

    def _needs_layout(self) -> bool:
        """Whether the content now set may take another number of lines than the widget has on
        screen. A hidden widget takes none (showing it lays it out)."""
        if not self.is_mounted:
            return True
        if not self.display:
            return False
        height = self.styles.height
        if height is not None and height.is_cells:
            return False  # a fixed height (a title bar): the text never moves anything
        if height is None or not height.is_auto:
            return True
        width, shown = self.content_size
        return width <= 0 or self.visual.get_height(self.styles, width) != shown
