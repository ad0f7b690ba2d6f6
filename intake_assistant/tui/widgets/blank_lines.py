"""The blank line a widget paints below its content, made once per width.

`Widget.rich_style` walks the styles of every ancestor at each call (~60 µs, ~250 µs before
Textual's colour caches are warm): a list or a transcript painting twenty blank rows paid it
twenty times a frame. The line is made again after a style update (theme, plain mode), which
the widget reports by calling `forget` from its `notify_style_update`.
"""

from __future__ import annotations

from textual.strip import Strip
from textual.widget import Widget


class BlankLines:
    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._made: dict[int, Strip] = {}

    def line(self, width: int) -> Strip:
        strip = self._made.get(width)
        if strip is None:
            if len(self._made) > 8:  # widths seen while a terminal is resized
                self._made.clear()
            strip = self._made[width] = Strip.blank(width, self._widget.rich_style)
        return strip

    def forget(self) -> None:
        self._made.clear()
