"""The baseline: a bare Textual app (a label and an input), run in the same pty as the subject.

Launch → the label painted is the floor of any Textual app's start on this machine; a key typed
into the input until its echo is painted is the floor of any keystroke's response.
"""

from textual.app import App, ComposeResult
from textual.widgets import Input, Label

LABEL = "Application nue prête"


class Bare(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quitter"), ("escape", "clear", "Effacer")]

    def compose(self) -> ComposeResult:
        yield Label(LABEL)
        yield Input(placeholder="tapez ici", id="echo")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_clear(self) -> None:
        """Esc empties the input: the floor of an Esc key (Textual waits to tell it from a
        sequence) followed by a repaint."""
        self.query_one(Input).value = ""


if __name__ == "__main__":
    Bare().run()
