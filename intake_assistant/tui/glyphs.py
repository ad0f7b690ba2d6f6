"""The symbols the screens draw, and their plain forms for terminals that cannot draw them.

Plain mode (``--ascii``, ``display.mode = "ascii"`` in the settings, or automatic on the Linux
console, a locale without UTF-8 and the legacy Windows console) draws only ASCII for symbols:
no ▶ ➜ ✔ ✘ ▸ ▾, no partial blocks, no ▔▁ rows (the CSS side is the ``-plain`` class on the app).
French letters, « », — and € stay: every console font used in France has them.
"""

from __future__ import annotations

UNICODE = {
    "current": "▶",       # the line the agent acts on
    "answer": "➜",        # an answer in the transcript
    "eligible": "✔",
    "to_check": "?",
    "not_eligible": "✘",
    "collapsed": "▸",
    "expanded": "▾",
    "bullet": "•",
    "arrow": "→",
    "info": "ℹ",
    "bar_full": "█",
    "bar_empty": "░",
    "bar_start": "▏",     # a bar of zero, drawn as a thin mark
}
PLAIN = {
    "current": ">",
    "answer": ">",
    "eligible": "+",
    "to_check": "?",
    "not_eligible": "x",
    "collapsed": "+",
    "expanded": "-",
    "bullet": "-",
    "arrow": "->",
    "info": "i",
    "bar_full": "#",
    "bar_empty": ".",
    "bar_start": "|",
}
# Eighths of a cell, for bars drawn finer than a character (Unicode only).
PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉█"

_plain = False


def use_plain(plain: bool) -> None:
    global _plain
    _plain = plain


def plain() -> bool:
    return _plain


def g(name: str) -> str:
    """The symbol ``name`` in the display mode in force."""
    return (PLAIN if _plain else UNICODE)[name]


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``value`` out of ``maximum`` in ``width`` cells: eighths of a cell in
    Unicode, whole cells (rounded) in plain mode."""
    if maximum <= 0 or width <= 0:
        return ""
    share = max(0.0, min(1.0, value / maximum))
    if _plain:
        return PLAIN["bar_full"] * round(share * width)
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return UNICODE["bar_full"] * full + (PARTIAL_BLOCKS[rest] if rest else "")


def gauge(filled: int, width: int) -> str:
    """A progress gauge: ``filled`` cells of ``width``."""
    filled = max(0, min(width, filled))
    return g("bar_full") * filled + g("bar_empty") * (width - filled)
