"""Plain display mode: only characters that every terminal font draws.

``--ascii``, ``display.mode = "ascii"`` in the settings, or automatic on the Linux console, a
locale without UTF-8 and the legacy Windows console. Two parts:

- the ``-plain`` class on the app: the CSS draws boxes and bars with ASCII or line borders
  instead of the ``tall`` borders' partial blocks and ▔▁ rows (``app.tcss``);
- a line filter on everything Textual paints (our screens, its footer, scroll bars, progress
  bars): each symbol becomes one ASCII character, so alignment is kept cell for cell.

French letters, « », —, … and € stay: every console font used in France has them; so do the
box-drawing lines (─ │), which the Linux console and conhost draw.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

# One character for one, so that nothing moves.
PLAIN = {
    "▶": ">", "➜": ">", "▸": ">", "▾": "v", "►": ">", "◀": "<", "▲": "^", "▼": "v",
    "✔": "+", "✓": "+", "✘": "x", "✗": "x", "•": "-", "●": "*", "○": "o", "◆": "*",
    "→": ">", "←": "<", "↑": "^", "↓": "v", "ℹ": "i", "≈": "~", "⚠": "!", "⚑": "!",
    "█": "#", "▓": "#", "▒": ":", "░": ".", "━": "-", "╸": "-", "╺": "-",
    # Partial blocks (bars finer than a cell, scroll bar ends, tall borders): blank cells, the
    # colours still show the bar.
    **{block: " " for block in "▏▎▍▌▋▊▉▁▂▃▄▅▆▇▔▕▐▀"},
}
_TABLE = str.maketrans(PLAIN)


def plain_text(text: str) -> str:
    return text.translate(_TABLE)


class PlainFilter(LineFilter):
    """Replaces the symbols of every painted line by their plain form."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [segment if segment.control else Segment(plain_text(segment.text), segment.style)
                for segment in segments]
