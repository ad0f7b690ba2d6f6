"""First start: who is at the keyboard (name) and in which role; remembered afterwards."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

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
            yield Label("Votre rôle (1 ou 2, ou flèches puis Entrée) :")
            yield OptionList(*[Option(f"{i}. {label}", id=key)
                               for i, (key, label) in enumerate(ROLES.items(), 1)],
                             id="agent-role")
            yield Static("", id="agent-error", classes="error")

    def on_mount(self) -> None:
        roles = self.query_one("#agent-role", OptionList)
        roles.highlighted = list(ROLES).index(self._role)
        self.query_one("#agent-name", Input).focus()

    @on(Input.Submitted, "#agent-name")
    def _name_done(self) -> None:
        self.query_one("#agent-role", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        roles = list(ROLES)
        if event.character and event.character.isdigit() and \
                self.focused is self.query_one("#agent-role"):
            index = int(event.character) - 1
            if 0 <= index < len(roles):
                event.stop()
                self._accept(roles[index])

    @on(OptionList.OptionSelected, "#agent-role")
    def _role_chosen(self, event: OptionList.OptionSelected) -> None:
        self._accept(event.option.id or "accueil")

    def _accept(self, role: str) -> None:
        name = self.query_one("#agent-name", Input).value.strip()
        if not name:
            error = self.query_one("#agent-error", Static)
            error.update("Indiquez votre nom.")
            self.query_one("#agent-name", Input).focus()
            return
        self.dismiss((name, role))

    def action_cancel(self) -> None:
        self.dismiss(None)
