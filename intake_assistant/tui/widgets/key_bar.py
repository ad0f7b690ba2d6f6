"""The interview's key bar: the keys in force, most useful first, only as many as fit.

Textual's footer scrolls its keys under the docked « ^p Commandes » and, at some widths (60, 100
columns), let the first letter of a hidden key show after it. Here whole items only: a key that
does not fit is left out (F1 lists every key), never cut. Keys follow the keymap in force.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.text import Text
from textual.events import Resize
from textual.widgets import Static

from intake_assistant.tui.keymap import effective, key_label, split_keys

GAP = "  "


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, items: Sequence[tuple[str, str]], **kwargs: object) -> None:
        """``items``: (keymap action id, short French label), most useful first."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.items = list(items)
        self._shown: Text | None = None

    def on_mount(self) -> None:
        self._paint()

    def on_resize(self, event: Resize) -> None:
        self._paint()

    def shown(self, width: int) -> list[tuple[str, str]]:
        """(key, label) of the items that fit in ``width`` cells, in order of usefulness."""
        keymap = effective(getattr(self.app, "key_overrides", None) or {})
        out: list[tuple[str, str]] = []
        used = 0
        for action, label in self.items:
            keys = split_keys(keymap.get(action, ""))
            if not keys:
                continue
            key = key_label(keys[0])
            needed = len(key) + 1 + len(label) + (len(GAP) if out else 0)
            if used + needed > width:
                break
            out.append((key, label))
            used += needed
        return out

    def _paint(self) -> None:
        width = self.content_size.width or max(self.app.size.width - 2, 0)
        text = Text()
        for i, (key, label) in enumerate(self.shown(width)):
            if i:
                text.append(GAP)
            text.append(escape(key), style="bold")
            text.append(f" {label}")
        if text == self._shown:
            return  # a resize that keeps the same keys: nothing to paint
        self._shown = text
        # One line whatever the text (its CSS height): no layout of the screen. With Static's
        # default, the Resize after the first layout laid out and drew the whole screen again.
        self.update(text, layout=False)
