"""First start: who is at the keyboard (name) and in which role; remembered afterwards."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from intake_assistant.tui.config import ROLES


class AgentScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Annuler")]

    def __init__(self, agent: str = "", role: str = "") -> None:
        super().__init__()
        self._agent = agent
        self._role = role if role in ROLES else "accueil"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="agent-dialog"):
            yield Static("Bienvenue — qui est au clavier ?", classes="dialog-title")
            yield Label("Votre nom (il signe chaque réponse enregistrée) :")
            yield Input(self._agent, placeholder="Prénom Nom", id="agent-name")
            yield Label("Votre rôle (1 ou 2, flèches, puis Entrée) :")
            with RadioSet(id="agent-role"):
                for i, (key, label) in enumerate(ROLES.items(), 1):
                    yield RadioButton(f"{i}. {label}", value=key == self._role, name=key)
            yield Static("", id="agent-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#agent-name", Input).focus()

    @on(Input.Submitted, "#agent-name")
    def _name_done(self) -> None:
        self.query_one("#agent-role", RadioSet).focus()

    def on_key(self, event) -> None:  # noqa: ANN001 - textual Key event
        if event.character in ("1", "2") and self.focused is self.query_one("#agent-role"):
            buttons = list(self.query(RadioButton))
            buttons[int(event.character) - 1].value = True
            event.stop()
            self._accept()
        elif event.key == "enter" and self.focused is self.query_one("#agent-role"):
            event.stop()
            self._accept()

    def _accept(self) -> None:
        name = self.query_one("#agent-name", Input).value.strip()
        pressed = self.query_one("#agent-role", RadioSet).pressed_button
        if not name:
            self.query_one("#agent-error", Static).update("Indiquez votre nom.")
            self.query_one("#agent-name", Input).focus()
            return
        self.dismiss((name, pressed.name if pressed and pressed.name else "accueil"))

    def action_cancel(self) -> None:
        self.dismiss(None)
